package inprocess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protojson"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// newTracerProvider is a checkout instance's SDK tracer pipeline, sending
// OTLP/gRPC to the ingest.
func newTracerProvider(t *testing.T, ing *ingestProc, version string) *sdktrace.TracerProvider {
	t.Helper()
	exp, err := otlptracegrpc.New(context.Background(), otlptracegrpc.WithEndpoint(ing.grpcAddr), otlptracegrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithMaxExportBatchSize(512), sdktrace.WithBlocking()),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "checkout"),
			attribute.String("service.version", version), attribute.String("service.instance.id", "checkout-1"))))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return tp
}

// spanSchemas waits until the catalog holds the span keys want (key →
// kinds) and returns each key's current schemas by kind.
func spanSchemas(t *testing.T, cat *catalogProc, ing *ingestProc, want map[string]int) map[string]map[tallycatv1.SpanKind]*tallycatv1.Schema {
	t.Helper()
	ctx := context.Background()
	client := cat.client()
	out := map[string]map[tallycatv1.SpanKind]*tallycatv1.Schema{}
	testenv.Eventually(t, 15*time.Second, "the span keys are in the catalog", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		keys, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_SPAN}, PageSize: 1000})
		if err != nil {
			return err
		}
		got := map[string]int{}
		for _, k := range keys.SchemaKeys {
			got[k.SchemaKey] = len(k.SpanKinds)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("span keys and their kinds %v, want %v", got, want)
		}
		for key := range want {
			res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: key, Signal: tallycatv1.Signal_SIGNAL_SPAN})
			if err != nil {
				return err
			}
			out[key] = map[tallycatv1.SpanKind]*tallycatv1.Schema{}
			for _, s := range res.Schemas {
				out[key][s.SpanKind] = s
			}
		}
		return nil
	})
	return out
}

// signalFields are a schema's fields by source, event name and name.
func signalFields(s *tallycatv1.Schema) map[string]*tallycatv1.Field {
	m := map[string]*tallycatv1.Field{}
	for _, f := range s.Fields {
		m[f.Source.String()+" "+f.EventName+" "+f.Name] = f
	}
	return m
}

// TestOtelhttpSpans instruments a real HTTP server and client with otelhttp
// and the SDK's tracer: one schema per route span name and kind for the
// release, error.type sometimes on the share of failed requests with the
// exception event beside it, the status error count right, and no schema
// per trace.
func TestOtelhttpSpans(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	tp := newTracerProvider(t, ing, "1.2.0")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if id%4 == 0 {
			span := trace.SpanFromContext(r.Context())
			span.SetAttributes(attribute.String("error.type", "500"))
			span.RecordError(errors.New("user store unavailable"))
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "user")
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewServer(otelhttp.NewHandler(mux, "checkout", otelhttp.WithTracerProvider(tp)))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp))}
	get := func(path string) {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	const users, failed, health = 40, 10, 15 // ids 1 to 40: one in four fails
	for id := 1; id <= users; id++ {
		get(fmt.Sprintf("/users/%d", id))
	}
	for range health {
		get("/health")
	}
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}

	got := spanSchemas(t, cat, ing, map[string]int{"GET /users/{id}": 1, "GET /health": 1, "HTTP GET": 1})
	route := got["GET /users/{id}"][tallycatv1.SpanKind_SPAN_KIND_SERVER]
	if route == nil || route.DataPointCount != users || route.ErrorCount != failed || route.ByScope || route.ReleaseCount != 1 {
		t.Fatalf("the route's server schema = %v; want %d spans, %d with status error", route, users, failed)
	}
	share := float64(failed) / users
	fields := signalFields(route)
	for _, key := range []string{"FIELD_SOURCE_SPAN  error.type", "FIELD_SOURCE_EVENT exception ", "FIELD_SOURCE_EVENT exception exception.message", "FIELD_SOURCE_EVENT exception exception.type"} {
		if f := fields[key]; f == nil || f.Presence != Sometimes || math.Abs(f.SeenRatio-share) > 1e-9 {
			t.Errorf("%s = %v, want sometimes, on %.2f of the spans", key, f, share)
		}
	}
	for _, key := range []string{"FIELD_SOURCE_SPAN  url.path", "FIELD_SOURCE_SPAN  http.request.method", "FIELD_SOURCE_SPAN  http.response.status_code"} {
		if f := fields[key]; f == nil || f.Presence != Always {
			t.Errorf("%s = %v, want always", key, f)
		}
	}

	if h := got["GET /health"][tallycatv1.SpanKind_SPAN_KIND_SERVER]; h == nil || h.DataPointCount != health || h.ErrorCount != 0 || signalFields(h)["FIELD_SOURCE_SPAN  error.type"] != nil {
		t.Errorf("the health route's schema = %v; want %d spans, none failed", h, health)
	}
	// The client's spans: HTTP GET, status error on the 500s.
	if c := got["HTTP GET"][tallycatv1.SpanKind_SPAN_KIND_CLIENT]; c == nil || c.DataPointCount != users+health || c.ErrorCount != failed {
		t.Errorf("the client's schema = %v; want %d spans, %d failed", c, users+health, failed)
	}
	for _, s := range []*tallycatv1.Schema{route, got["HTTP GET"][tallycatv1.SpanKind_SPAN_KIND_CLIENT]} {
		for _, f := range s.Fields {
			if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
				t.Errorf("%s shows a span field as a data point's: %v", s.SchemaKey, f)
			}
		}
	}

	// The route's cost figures: its spans' own attributes are counted as
	// a metric's data point fields are (40 paths, the status codes with
	// their shares), its exception event's are not, and no exception
	// message reaches the catalog.
	d, err := cat.client().GetSchema(context.Background(), &tallycatv1.GetSchemaRequest{SchemaId: route.SchemaId})
	if err != nil {
		t.Fatal(err)
	}
	fields = signalFields(d.Schema)
	if f := fields["FIELD_SOURCE_SPAN  url.path"]; f == nil || f.DistinctEstimate != users || f.HighCardinality || len(f.ExampleValues) != users {
		t.Errorf("url.path = %v, want %d distinct paths, listed", f, users)
	}
	status := fields["FIELD_SOURCE_SPAN  http.response.status_code"]
	if status == nil || status.DistinctEstimate != 2 || len(status.ExampleValues) != 2 || status.ExampleValues[0].Value != "200" ||
		status.ExampleValues[0].DataPoints != users-failed || math.Abs(status.ExampleValues[1].Share-share) > 1e-9 {
		t.Errorf("http.response.status_code = %v, want 200 on %d spans and 500 on %.2f of them", status, users-failed, share)
	}
	if f := fields["FIELD_SOURCE_EVENT exception exception.message"]; f == nil ||
		f.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED || f.DistinctEstimate != 0 {
		t.Errorf("exception.message = %v, want not counted", f)
	}
	if c := d.Schema.Cost; c == nil || c.DataPoints != users || c.SeriesEstimate != 0 || c.DataPointsPerMinute <= 0 || c.EstimatedMonthlyCost != nil {
		t.Errorf("the route's cost = %v, want %d spans and their rate, no series, no price without a span price", c, users)
	}
	if b, _ := protojson.Marshal(d); strings.Contains(string(b), "user store unavailable") {
		t.Errorf("an exception message reached the catalog: %s", b)
	}
}

// TestSpanNamesWithIDs: a release whose span names carry ids (5,000
// distinct) gets the limit's schemas plus one of its scope, which counts
// the rest and names some of them.
func TestSpanNamesWithIDs(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	tp := newTracerProvider(t, ing, "2.0.0")
	tracer := tp.Tracer("example.com/users")
	const names, limit = 5000, 1000
	for id := range names {
		_, span := tracer.Start(context.Background(), fmt.Sprintf("GET /users/%d", id), trace.WithSpanKind(trace.SpanKindServer))
		if id%10 == 0 {
			span.SetStatus(codes.Error, "failed")
		}
		span.End()
	}
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	client := cat.client()
	testenv.Eventually(t, 30*time.Second, "the limit's schemas and the scope's", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		keys, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_SPAN}})
		if err != nil {
			return err
		}
		if keys.TotalSize != limit+1 {
			return fmt.Errorf("%d span keys, want %d", keys.TotalSize, limit+1)
		}
		res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "example.com/users", Signal: tallycatv1.Signal_SIGNAL_SPAN})
		if err != nil {
			return err
		}
		if len(res.Schemas) != 1 {
			return fmt.Errorf("%d schemas of the scope, want 1", len(res.Schemas))
		}
		s := res.Schemas[0]
		if !s.ByScope || s.DataPointCount != names-limit || s.ErrorCount != (names-limit)/10 || len(s.NameExamples) == 0 {
			return fmt.Errorf("the scope's schema = %v; want %d spans, %d failed, and examples", s, names-limit, (names-limit)/10)
		}
		if !slices.ContainsFunc(s.NameExamples, func(n string) bool { return n == fmt.Sprintf("GET /users/%d", limit) }) {
			return fmt.Errorf("examples %v do not name the first name past the limit", s.NameExamples)
		}
		return nil
	})
	// Conformance names the scope, with some of the names, so that the
	// team learns its span names carry ids.
	findings := tallycatv1connect.NewConformanceServiceClient(http.DefaultClient, cat.url())
	testenv.Eventually(t, 10*time.Second, "the span_name_limit finding", func() error {
		res, err := findings.ListFindings(ctx, &tallycatv1.ListFindingsRequest{Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_SPAN}})
		if err != nil {
			return err
		}
		for _, f := range res.Findings {
			if f.FindingId == "span_name_limit" && f.SchemaKey == "example.com/users" && f.Signal == tallycatv1.Signal_SIGNAL_SPAN &&
				len(f.Examples) > 0 && strings.Contains(f.Message, "example.com/users") {
				return nil
			}
		}
		return fmt.Errorf("findings %v: want span_name_limit on example.com/users with examples", res.Findings)
	})
}
