package inprocess

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// otelhttpMetrics are the server metrics otelhttp v0.72.0 records for every
// request: one histogram data point per distinct attribute set and export.
var otelhttpMetrics = []string{"http.server.request.body.size", "http.server.request.duration", "http.server.response.body.size"}

// checkoutApp is one instance of a checkout service whose HTTP handler is
// instrumented with otelhttp and served by httptest.
type checkoutApp struct {
	provider *sdkmetric.MeterProvider
	server   *httptest.Server
}

func newCheckoutApp(t *testing.T, instance string, exp sdkmetric.Exporter) *checkoutApp {
	t.Helper()
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "checkout"),
			attribute.String("service.version", "1.2.0"), attribute.String("service.instance.id", instance))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))),
	)
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, "ok")
		case "/fail":
			labeler, _ := otelhttp.LabelerFromContext(r.Context())
			labeler.Add(attribute.String("error.type", "500"))
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(otelhttp.NewHandler(app, "checkout", otelhttp.WithMeterProvider(mp)))
	t.Cleanup(srv.Close)
	return &checkoutApp{provider: mp, server: srv}
}

// serve sends n requests to each path, checking the answer.
func (a *checkoutApp) serve(t *testing.T, n int, paths ...string) {
	t.Helper()
	codes := map[string]int{"/ok": 200, "/missing": 404, "/fail": 500}
	for _, path := range paths {
		for range n {
			res, err := a.server.Client().Get(a.server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != codes[path] {
				t.Fatalf("GET %s = %d, want %d", path, res.StatusCode, codes[path])
			}
		}
	}
}

func (a *checkoutApp) export(t *testing.T) {
	t.Helper()
	if err := a.provider.ForceFlush(context.Background()); err != nil {
		t.Fatalf("export: %v", err)
	}
}

// otelhttpWant is what the catalog should hold for each otelhttp metric.
type otelhttpWant struct {
	points, errorPoints uint64 // data points exported, and those with error.type
	instances           uint32
	temporality         tallycatv1.Temporality
	superseded          int // schemas the release moved away from
}

// checkOtelhttp drains the ingest and checks every otelhttp metric against w.
func checkOtelhttp(t *testing.T, cat *catalogProc, ing *ingestProc, w otelhttpWant) {
	t.Helper()
	ctx := context.Background()
	client := cat.client()
	current := map[string]*tallycatv1.Schema{}
	testenv.Eventually(t, 10*time.Second, "every otelhttp metric has one current schema with all its points", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		res, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
		if err != nil {
			return err
		}
		var names []string
		for _, k := range res.SchemaKeys {
			names = append(names, k.SchemaKey)
			if k.SchemaCount != 1 || int(k.SupersededSchemaCount) != w.superseded {
				return fmt.Errorf("%s has %d current and %d superseded schemas, want 1 and %d", k.SchemaKey, k.SchemaCount, k.SupersededSchemaCount, w.superseded)
			}
		}
		if !slices.Equal(names, otelhttpMetrics) {
			return fmt.Errorf("metrics %v, want %v", names, otelhttpMetrics)
		}
		for _, name := range names {
			s, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: name})
			if err != nil {
				return err
			}
			if len(s.Schemas) != 1 {
				return fmt.Errorf("%s: %d current schemas, want one", name, len(s.Schemas))
			}
			if got := s.Schemas[0].DataPointCount; got != w.points {
				return fmt.Errorf("%s: %d data points, want %d", name, got, w.points)
			}
			current[name] = s.Schemas[0]
		}
		return nil
	})

	ratio := float64(w.errorPoints) / float64(w.points)
	for _, name := range otelhttpMetrics {
		s := current[name]
		if s.MetricType != Histogram || s.Temporality != w.temporality {
			t.Errorf("%s is a %v %v, want a %v histogram", name, s.Temporality, s.MetricType, w.temporality)
		}
		if s.ReleaseCount != 1 || s.ProducerCount != w.instances {
			t.Errorf("%s: %d releases and %d producers, want checkout 1.2.0 with %d instances", name, s.ReleaseCount, s.ProducerCount, w.instances)
		}
		fields := map[string]*tallycatv1.Field{}
		for _, f := range s.Fields {
			if f.Source == DataPoint {
				fields[f.Name] = f
			}
		}
		for _, always := range []string{"http.request.method", "http.response.status_code", "url.scheme", "server.address"} {
			if f := fields[always]; f == nil || f.Presence != Always || f.SeenRatio != 1 {
				t.Errorf("%s's %s = %v, want always, on every point", name, always, f)
			}
		}
		if f := fields["error.type"]; f == nil || f.Presence != Sometimes || math.Abs(f.SeenRatio-ratio) > 1e-9 {
			t.Errorf("%s's error.type = %v, want sometimes, on %d of %d points (%.4f)", name, f, w.errorPoints, w.points, ratio)
		} else {
			t.Logf("%s: error.type seen on %.4f of the points (%d of %d)", name, f.SeenRatio, w.errorPoints, w.points)
		}

		d, err := client.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: s.SchemaId})
		if err != nil {
			t.Fatal(err)
		}
		var variants []string
		for _, v := range d.Variants {
			variants = append(variants, fmt.Sprintf("%d attributes: %d points", len(v.Attributes), v.DataPointCount))
		}
		// Every point carries method, scheme, address, port, protocol name
		// and version and status code; failures add error.type.
		want := []string{fmt.Sprintf("7 attributes: %d points", w.points-w.errorPoints), fmt.Sprintf("8 attributes: %d points", w.errorPoints)}
		if !slices.Equal(variants, want) {
			t.Errorf("%s's variants = %v, want %v", name, variants, want)
		}
		if len(d.Releases) != 1 || d.Releases[0].ServiceName != "checkout" || d.Releases[0].ServiceVersion != "1.2.0" ||
			d.Releases[0].InstanceCount != w.instances || d.Releases[0].SupersededBy != "" {
			t.Errorf("%s's releases = %v, want checkout 1.2.0 with %d instances, current", name, d.Releases, w.instances)
		}
		if len(d.Scopes) != 1 || d.Scopes[0].Name != otelhttp.ScopeName || d.Scopes[0].Version != otelhttp.Version {
			t.Errorf("%s's scopes = %v, want otelhttp %s", name, d.Scopes, otelhttp.Version)
		}

		all, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: name, IncludeSuperseded: true})
		if err != nil {
			t.Fatal(err)
		}
		events, err := client.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: name})
		if err != nil {
			t.Fatal(err)
		}
		moves := 0
		for _, e := range events.Events {
			if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
				moves++
				if e.TargetSchemaId != s.SchemaId {
					t.Errorf("%s: %q, want a move to the current schema %s", name, e.Summary, s.SchemaId)
				}
			}
		}
		if len(all.Schemas) != 1+w.superseded || moves != w.superseded {
			t.Errorf("%s: %d schemas with superseded ones and %d moves, want %d and %d", name, len(all.Schemas), moves, 1+w.superseded, w.superseded)
		}
	}
}

// TestOtelhttpServerMetrics instruments a real HTTP handler with otelhttp and
// checks what the catalog tells about its metrics: one schema per metric for
// the release, error.type sometimes present, on the share of points sent.
func TestOtelhttpServerMetrics(t *testing.T) {
	ctx := context.Background()
	const n = 5 // requests of each kind between exports; points do not depend on it
	setup := func(t *testing.T) (*catalogProc, *ingestProc) {
		cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
		return cat, startIngest(t, cat.url())
	}
	grpcExporter := func(t *testing.T, ing *ingestProc) sdkmetric.Exporter {
		exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(ing.grpcAddr), otlpmetricgrpc.WithInsecure())
		if err != nil {
			t.Fatal(err)
		}
		return exp
	}

	// Cumulative: each export repeats every attribute set seen so far, so
	// both exports carry {200}, {404} and {500, error.type}: 2 of 6 points.
	t.Run("grpc cumulative", func(t *testing.T) {
		cat, ing := setup(t)
		app := newCheckoutApp(t, "checkout-1", grpcExporter(t, ing))
		app.serve(t, n, "/ok", "/missing", "/fail")
		app.export(t)
		app.serve(t, n, "/ok", "/missing", "/fail")
		app.export(t)
		checkOtelhttp(t, cat, ing, otelhttpWant{points: 6, errorPoints: 2, instances: 1,
			temporality: Cumulative})
	})

	// Delta: the second export holds only what happened since the first,
	// successes only: fewer attributes, which changes no schema. 1 of 5.
	t.Run("http delta", func(t *testing.T) {
		cat, ing := setup(t)
		exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(ing.httpAddr), otlpmetrichttp.WithInsecure(),
			otlpmetrichttp.WithTemporalitySelector(func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }))
		if err != nil {
			t.Fatal(err)
		}
		app := newCheckoutApp(t, "checkout-1", exp)
		app.serve(t, n, "/ok", "/missing", "/fail")
		app.export(t)
		app.serve(t, n, "/ok", "/missing")
		app.export(t)
		checkOtelhttp(t, cat, ing, otelhttpWant{points: 5, errorPoints: 1, instances: 1,
			temporality: Delta})
	})

	// Two instances of one release: checkout-1 never fails and exports
	// first, so the release's schema grows when checkout-2's failures
	// arrive, and both instances end on the union. Points: 2 + 3 + 2.
	t.Run("two instances", func(t *testing.T) {
		cat, ing := setup(t)
		one, two := newCheckoutApp(t, "checkout-1", grpcExporter(t, ing)), newCheckoutApp(t, "checkout-2", grpcExporter(t, ing))
		one.serve(t, n, "/ok", "/missing")
		one.export(t)
		testenv.Eventually(t, 10*time.Second, "checkout-1's schemas arrive", func() error {
			res, err := cat.client().ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
			if err != nil || len(res.SchemaKeys) != len(otelhttpMetrics) {
				return fmt.Errorf("keys %v, %v", res, err)
			}
			return nil
		})
		two.serve(t, n, "/ok", "/fail")
		two.serve(t, n, "/missing")
		two.export(t)
		one.serve(t, n, "/ok")
		one.export(t)
		checkOtelhttp(t, cat, ing, otelhttpWant{points: 7, errorPoints: 1, instances: 2,
			temporality: Cumulative, superseded: 1})
	})
}
