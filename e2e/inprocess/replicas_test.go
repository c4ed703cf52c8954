package inprocess

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// fleetRelease is a release of a service and its instances.
type fleetRelease struct {
	namespace, name, version string
	instances                []string
}

var fleet = []fleetRelease{
	{"shop", "cart", "1.0.0", []string{"cart-a", "cart-b", "cart-c"}},
	{"shop", "cart", "1.1.0", []string{"cart-d", "cart-e"}}, // grows: error.type, then cart.coupon
	{"shop", "payments", "2.0.0", []string{"pay-a", "pay-b"}},
	{"", "billing", "0.9.0", []string{"billing-1"}},
}

// fleetExports builds n exports, each from one instance of the fleet, as
// the Go SDK would hand them to its exporter. Attributes that are optional
// appear on some points only; cart 1.1.0 starts sending error.type after a
// third of the exports and cart.coupon after two thirds, so its union grows
// while the others are sent. points counts the data points of each metric.
func fleetExports(n int, seed int64) (exports []*metricdata.ResourceMetrics, points map[string]uint64) {
	rnd := rand.New(rand.NewSource(seed))
	points = map[string]uint64{}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		r := fleet[rnd.Intn(len(fleet))]
		instance := r.instances[rnd.Intn(len(r.instances))]
		now := t0.Add(time.Duration(i) * time.Second)
		res := resource.NewSchemaless(attribute.String("service.namespace", r.namespace), attribute.String("service.name", r.name),
			attribute.String("service.version", r.version), attribute.String("service.instance.id", instance), attribute.String("host.name", "node-"+instance))
		grows := r.name == "cart" && r.version == "1.1.0"
		maybe := func(p float64) bool { return rnd.Float64() < p }

		var httpPoints []metricdata.HistogramDataPoint[float64]
		for p := range 1 + rnd.Intn(4) {
			attrs := []attribute.KeyValue{attribute.String("http.request.method", []string{"GET", "POST"}[p%2]), attribute.Int("http.response.status_code", 200+p)}
			if (!grows || i >= n/3) && r.name != "billing" && maybe(0.3) {
				attrs = append(attrs, attribute.String("error.type", "500"))
			}
			if grows && i >= 2*n/3 && maybe(0.5) {
				attrs = append(attrs, attribute.Bool("cart.coupon", true))
			}
			httpPoints = append(httpPoints, durationPoint(now, attrs...))
		}
		var queuePoints []metricdata.DataPoint[int64]
		for q := range 1 + rnd.Intn(3) {
			attrs := []attribute.KeyValue{attribute.String("queue.name", fmt.Sprintf("q%d", q))}
			if r.name != "billing" && maybe(0.5) {
				attrs = append(attrs, attribute.Int("queue.partition", q))
			}
			queuePoints = append(queuePoints, metricdata.DataPoint[int64]{Attributes: attribute.NewSet(attrs...), Time: now, Value: int64(q)})
		}
		scope := func(suffix string, ms ...metricdata.Metrics) metricdata.ScopeMetrics {
			return metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: "example.com/" + r.name + "/" + suffix, Version: "1.0.0"}, Metrics: ms}
		}
		rm := &metricdata.ResourceMetrics{Resource: res, ScopeMetrics: []metricdata.ScopeMetrics{
			scope("http", metricdata.Metrics{Name: "http.server.request.duration", Unit: "s", Data: metricdata.Histogram[float64]{
				DataPoints: httpPoints, Temporality: metricdata.CumulativeTemporality}}),
			scope("jobs", metricdata.Metrics{Name: "queue.depth", Unit: "{job}", Data: metricdata.Gauge[int64]{DataPoints: queuePoints}}),
		}}
		points["http.server.request.duration"] += uint64(len(httpPoints))
		points["queue.depth"] += uint64(len(queuePoints))
		if r.name == "payments" { // a second scope with the same metric: a stream of its own
			legacy := []metricdata.HistogramDataPoint[float64]{durationPoint(now, attribute.String("http.request.method", "GET"))}
			rm.ScopeMetrics = append(rm.ScopeMetrics, scope("legacy", metricdata.Metrics{Name: "http.server.request.duration", Unit: "s",
				Data: metricdata.Histogram[float64]{DataPoints: legacy, Temporality: metricdata.CumulativeTemporality}}))
			points["http.server.request.duration"]++
		}
		exports = append(exports, rm)
	}
	return exports, points
}

// durationPoint is a cumulative histogram point of one request.
func durationPoint(at time.Time, attrs ...attribute.KeyValue) metricdata.HistogramDataPoint[float64] {
	return metricdata.HistogramDataPoint[float64]{Attributes: attribute.NewSet(attrs...), StartTime: at.Add(-time.Minute), Time: at,
		Count: 1, Sum: 0.2, Bounds: []float64{0.1, 1}, BucketCounts: []uint64{0, 1, 0}}
}

// otlpExporters sends to one ingest over OTLP/gRPC or OTLP/HTTP.
type otlpExporters [2]sdkmetric.Exporter

func newOTLPExporters(t *testing.T, ing *ingestProc) otlpExporters {
	t.Helper()
	ctx := context.Background()
	g, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(ing.grpcAddr), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	h, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(ing.httpAddr), otlpmetrichttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(ctx); h.Shutdown(ctx) })
	return otlpExporters{g, h}
}

func (e otlpExporters) export(t *testing.T, rm *metricdata.ResourceMetrics, overHTTP bool) {
	t.Helper()
	i := 0
	if overHTTP {
		i = 1
	}
	if err := e[i].Export(context.Background(), rm); err != nil {
		t.Fatalf("export: %v", err)
	}
}

// catalogView renders what a catalog says of each metric's current
// schemas: ids, counts, data point fields with presence, cost figures,
// variants and the releases on them, each schema's lines sorted. Times are left out: they
// are when each ingest received the data. points sums the current
// schemas' data points of each metric.
func catalogView(ctx context.Context, cat *catalogProc) (view map[string][]string, points map[string]uint64, err error) {
	client := cat.client()
	keys, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 1000})
	if err != nil {
		return nil, nil, err
	}
	view, points = map[string][]string{}, map[string]uint64{}
	for _, k := range keys.SchemaKeys {
		res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: k.SchemaKey})
		if err != nil {
			return nil, nil, err
		}
		view[k.SchemaKey] = append(view[k.SchemaKey], fmt.Sprintf("%d current schemas", k.SchemaCount))
		slices.SortFunc(res.Schemas, func(a, b *tallycatv1.Schema) int { return strings.Compare(a.SchemaId, b.SchemaId) })
		for _, s := range res.Schemas {
			points[k.SchemaKey] += s.DataPointCount
			d, err := client.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: s.SchemaId})
			if err != nil {
				return nil, nil, err
			}
			id := s.SchemaId[:8]
			lines := []string{fmt.Sprintf("%s: %d points, %d instances, %d releases", id, s.DataPointCount, s.ProducerCount, s.ReleaseCount)}
			for _, f := range s.Fields {
				lines = append(lines, fmt.Sprintf("%s field %s %s:%s %s %.6f", id, strings.TrimPrefix(f.Source.String(), "FIELD_SOURCE_"),
					f.Name, strings.TrimPrefix(f.ValueType.String(), "VALUE_TYPE_"), strings.TrimPrefix(f.Presence.String(), "FIELD_PRESENCE_"), f.SeenRatio))
			}
			// Cost: the series, and each field's distinct values and
			// example values, which replicas must report as one ingest does
			// (rates are left out: they depend on when the catalog is read).
			lines = append(lines, fmt.Sprintf("%s cost: %d series, %d points", id, d.Schema.GetCost().GetSeriesEstimate(), d.Schema.GetCost().GetDataPoints()))
			for _, f := range d.Schema.Fields {
				var values []string
				for _, v := range f.ExampleValues {
					values = append(values, fmt.Sprintf("%s=%d", v.Value, v.DataPoints))
				}
				slices.Sort(values)
				lines = append(lines, fmt.Sprintf("%s field %s %s: %d distinct, %s %v", id, strings.TrimPrefix(f.Source.String(), "FIELD_SOURCE_"), f.Name,
					f.DistinctEstimate, strings.TrimPrefix(f.ExampleValuesState.String(), "EXAMPLE_VALUES_STATE_"), values))
			}
			for _, v := range d.Variants {
				lines = append(lines, fmt.Sprintf("%s variant %s: %d points", id, v.VariantId[:8], v.DataPointCount))
			}
			for _, r := range d.Releases {
				if r.SupersededBy == "" {
					lines = append(lines, fmt.Sprintf("%s release %s/%s@%s: %d instances, %d points", id, r.ServiceNamespace, r.ServiceName,
						r.ServiceVersion, r.InstanceCount, r.DataPointCount))
				}
			}
			slices.Sort(lines[1:])
			view[k.SchemaKey] = append(view[k.SchemaKey], lines...)
		}
	}
	return view, points, nil
}

// firstDifference names the first line where two renderings differ.
func firstDifference(a, b []string) string {
	for i := range max(len(a), len(b)) {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: %q vs %q", i, x, y)
		}
	}
	return ""
}

// TestReplicasAgreeWithOneIngest sends the same exports to one ingest and,
// each to a replica chosen at random, to two ingests of one catalog: the
// catalogs must end with the same current schemas, presence and counts,
// whatever order the replicas delivered in.
func TestReplicasAgreeWithOneIngest(t *testing.T) {
	ctx := context.Background()
	const n = 90
	exports, sent := fleetExports(n, 7)

	refCat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ref := startIngest(t, refCat.url())
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	replicas := []*ingestProc{startIngest(t, cat.url()), startIngest(t, cat.url())}
	refExp := newOTLPExporters(t, ref)
	replicaExp := []otlpExporters{newOTLPExporters(t, replicas[0]), newOTLPExporters(t, replicas[1])}

	route := rand.New(rand.NewSource(42))
	perReplica := make([]int, len(replicas))
	for _, rm := range exports {
		i, overHTTP := route.Intn(len(replicas)), route.Intn(2) == 1
		perReplica[i]++
		// The single ingest delivers each export before the next one is
		// sent: the order that the replicas scramble.
		refExp.export(t, rm, overHTTP)
		testenv.Eventually(t, 5*time.Second, "one ingest delivers the export", func() error { return ref.main.Forwarder().Drain(ctx) })
		replicaExp[i].export(t, rm, overHTTP)
	}
	if slices.Contains(perReplica, 0) {
		t.Fatalf("exports per replica %v: the split tests nothing", perReplica)
	}

	// Counts of known shapes travel as heartbeats: drain until both
	// catalogs stop changing.
	var want, got map[string][]string
	var refPoints, points map[string]uint64
	testenv.Eventually(t, 20*time.Second, "both catalogs hold everything sent", func() error {
		var before [2]string
		for round := range 2 {
			for _, ing := range append([]*ingestProc{ref}, replicas...) {
				if err := ing.main.Forwarder().Drain(ctx); err != nil {
					return err
				}
			}
			var err error
			if want, refPoints, err = catalogView(ctx, refCat); err != nil {
				return err
			}
			if got, points, err = catalogView(ctx, cat); err != nil {
				return err
			}
			now := [2]string{fmt.Sprint(want), fmt.Sprint(got)}
			if round == 1 && now != before {
				return fmt.Errorf("the catalogs still change")
			}
			before = now
		}
		return nil
	})
	t.Logf("exports per replica %v; data points sent %v", perReplica, sent)
	for key, n := range sent {
		if refPoints[key] != n || points[key] != n {
			t.Errorf("%s: %d data points sent, the current schemas hold %d with one ingest, %d with replicas", key, n, refPoints[key], points[key])
		}
	}
	for key, lines := range want {
		if d := firstDifference(lines, got[key]); d != "" {
			t.Errorf("%s differs between one ingest and two replicas at %s\none ingest:\n  %s\nreplicas:\n  %s",
				key, d, strings.Join(lines, "\n  "), strings.Join(got[key], "\n  "))
		}
	}
	if len(got) != len(want) {
		t.Errorf("replicas' catalog has %d metrics, one ingest's %d", len(got), len(want))
	}

	// What the data was built to exercise did happen.
	events, err := refCat.client().ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: "http.server.request.duration", PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	moves := 0
	for _, e := range events.Events {
		if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			moves++
		}
	}
	if joined := strings.Join(want["http.server.request.duration"], "\n"); moves == 0 || !strings.Contains(joined, "error.type:STRING SOMETIMES") ||
		!strings.Contains(joined, "cart.coupon:BOOL SOMETIMES") {
		t.Errorf("the reference catalog shows %d moves, want some, and optional attributes:\n%s", moves, joined)
	}
}

// TestMoveLeavesASharedSchemaAlone: billing and cart send the same shape,
// then cart's union grows and cart moves. The shape stays billing's current
// schema and should tell of billing alone, as it would had cart's first
// export come with its failures (which is up to batching, and so to how
// exports spread over replicas).
func TestMoveLeavesASharedSchemaAlone(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	exp := newOTLPExporters(t, ing)
	at := time.Now()
	method, failed := attribute.String("http.request.method", "GET"), attribute.String("error.type", "500")
	send := func(name, version string, points ...metricdata.HistogramDataPoint[float64]) {
		t.Helper()
		exp.export(t, &metricdata.ResourceMetrics{
			Resource: resource.NewSchemaless(attribute.String("service.name", name), attribute.String("service.version", version),
				attribute.String("service.instance.id", name+"-1")),
			ScopeMetrics: []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: "example.com/http"}, Metrics: []metricdata.Metrics{
				{Name: "http.server.request.duration", Unit: "s", Data: metricdata.Histogram[float64]{DataPoints: points, Temporality: metricdata.CumulativeTemporality}},
			}}},
		}, false)
		testenv.Eventually(t, 5*time.Second, "the export is delivered", func() error { return ing.main.Forwarder().Drain(ctx) })
	}
	send("billing", "0.9.0", durationPoint(at, method))
	send("cart", "1.1.0", durationPoint(at, method))
	send("cart", "1.1.0", durationPoint(at, method), durationPoint(at, method, failed))

	res, err := cat.client().ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "http.server.request.duration"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, s := range res.Schemas {
		var fields []string
		for _, f := range s.Fields {
			if f.Source == DataPoint {
				fields = append(fields, fmt.Sprintf("%s %.2f", f.Name, f.SeenRatio))
			}
		}
		lines = append(lines, fmt.Sprintf("{%s}: %d releases, %d instances, %d points", strings.Join(fields, ", "), s.ReleaseCount, s.ProducerCount, s.DataPointCount))
	}
	slices.Sort(lines)
	// billing's {method}: 1 point; cart's {method, error.type}: 3, 1 failed.
	want := []string{"{error.type 0.33, http.request.method 1.00}: 1 releases, 1 instances, 3 points", "{http.request.method 1.00}: 1 releases, 1 instances, 1 points"}
	if !slices.Equal(lines, want) {
		t.Errorf("current schemas:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
}
