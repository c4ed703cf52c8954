package infer_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

func load(t *testing.T, name string) *colmetricpb.ExportMetricsServiceRequest {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	req := &colmetricpb.ExportMetricsServiceRequest{}
	if strings.HasSuffix(name, ".json") {
		err = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, req)
	} else {
		err = proto.Unmarshal(b, req)
	}
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func byName(res ingest.Result) map[string][]ingest.Observation {
	m := map[string][]ingest.Observation{}
	for _, o := range res.Observations {
		m[o.Shape.Name] = append(m[o.Shape.Name], o)
	}
	return m
}

func TestCollectorHostmetrics(t *testing.T) {
	for _, file := range []string{"collector-hostmetrics.pb", "collector-hostmetrics.json"} {
		t.Run(file, func(t *testing.T) {
			res := infer.New().Infer(load(t, file))
			if res.Rejected != 0 || res.DataPoints != 72 || len(res.Observations) != 15 {
				t.Fatalf("got %d observations, %d points, %d rejected (%v); want 15, 72, 0", len(res.Observations), res.DataPoints, res.Rejected, res.Reasons)
			}
			conns := byName(res)["system.network.connections"]
			if len(conns) != 1 {
				t.Fatalf("system.network.connections has %d shapes, want 1", len(conns))
			}
			c := conns[0]
			want := schemaid.Shape{Name: "system.network.connections", Type: Sum, Unit: "{connections}",
				Temporality: Cumulative,
				Attributes:  []schemaid.Attribute{{Key: "protocol", Type: String}, {Key: "state", Type: String}}}
			if c.VariantID != schemaid.ID(want) || c.DataPoints != 11 || c.Producer.ServiceName != "unknown_service" ||
				!strings.HasSuffix(c.ScopeName, "networkscraper") || c.Description == "" {
				t.Errorf("observation = %+v, want %+v with 11 points from unknown_service", c, want)
			}
			cpu := byName(res)["system.cpu.time"][0]
			if !cpu.Shape.Monotonic || cpu.Shape.Unit != "s" {
				t.Errorf("system.cpu.time = %+v, want a monotonic sum in s", cpu.Shape)
			}
			if load := byName(res)["system.cpu.load_average.1m"][0]; load.Shape.Type != Gauge || len(load.Shape.Attributes) != 0 {
				t.Errorf("load average = %+v, want a gauge without attributes", load.Shape)
			}
		})
	}
}

func kv(key string, v *commonpb.AnyValue) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: key, Value: v}
}
func s(v string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}
}
func i(v int64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}
}

func request(resource []*commonpb.KeyValue, metrics ...*metricspb.Metric) *colmetricpb.ExportMetricsServiceRequest {
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: resource},
		ScopeMetrics: []*metricspb.ScopeMetrics{{
			Scope:   &commonpb.InstrumentationScope{Name: "lib", Version: "1.2.3", Attributes: []*commonpb.KeyValue{kv("scope.kind", i(1))}},
			Metrics: metrics,
		}},
	}}}
}

func gauge(name string, points ...[]*commonpb.KeyValue) *metricspb.Metric {
	g := &metricspb.Gauge{}
	for _, p := range points {
		g.DataPoints = append(g.DataPoints, &metricspb.NumberDataPoint{Attributes: p, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: 1}})
	}
	return &metricspb.Metric{Name: name, Unit: "1", Data: &metricspb.Metric_Gauge{Gauge: g}}
}

func TestEveryValueTypeAndSource(t *testing.T) {
	all := []*commonpb.KeyValue{
		kv("s", s("x")),
		kv("b", &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}),
		kv("i", i(1)),
		kv("d", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 1.5}}),
		kv("y", &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{1}}}),
		kv("a", &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{}}}),
		kv("m", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{}}}),
		kv("e", &commonpb.AnyValue{}),
		kv("n", nil),
	}
	res := infer.New().Infer(request([]*commonpb.KeyValue{kv("service.name", s("api")), kv("host.cores", i(8))}, gauge("g", all)))
	if len(res.Observations) != 1 {
		t.Fatalf("observations = %v", res.Observations)
	}
	o := res.Observations[0]
	var got []string
	for _, a := range o.Shape.Attributes {
		got = append(got, a.Key+":"+schemaid.ValueTypeToken(a.Type))
	}
	want := []string{"a:array", "b:bool", "d:double", "e:empty", "i:int", "m:map", "n:empty", "s:string", "y:bytes"}
	if !slices.Equal(got, want) {
		t.Errorf("attributes = %v, want %v", got, want)
	}
	if o.Producer.ServiceName != "api" || len(o.ResourceAttributes) != 2 || o.ResourceAttributes[0].Key != "host.cores" ||
		o.ResourceAttributes[0].Type != Int || len(o.ScopeAttributes) != 1 || o.ScopeVersion != "1.2.3" {
		t.Errorf("observation = %+v", o)
	}
}

func TestEveryDataPointCounts(t *testing.T) {
	m := gauge("g",
		[]*commonpb.KeyValue{kv("a", s("1")), kv("b", s("1"))},
		[]*commonpb.KeyValue{kv("b", s("2")), kv("a", s("2"))}, // same set, other order
		[]*commonpb.KeyValue{kv("a", s("3"))},                  // a smaller set
		[]*commonpb.KeyValue{kv("a", i(4))},                    // another type
		[]*commonpb.KeyValue{kv("a", s("5")), kv("a", s("6"))}, // a duplicate key
	)
	res := infer.New().Infer(request(nil, m))
	counts := map[string]uint64{}
	for _, o := range res.Observations {
		var keys []string
		for _, a := range o.Shape.Attributes {
			keys = append(keys, a.Key+":"+schemaid.ValueTypeToken(a.Type))
		}
		counts[strings.Join(keys, ",")] += o.DataPoints
	}
	want := map[string]uint64{"a:string,b:string": 2, "a:string": 2, "a:int": 1}
	if len(counts) != len(want) {
		t.Fatalf("shapes = %v, want %v", counts, want)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("shape %s counted %d points, want %d", k, counts[k], n)
		}
	}
	if res.DataPoints != 5 {
		t.Errorf("data points = %d, want 5", res.DataPoints)
	}
	if res.Observations[0].Producer.ServiceName != "unknown_service" {
		t.Errorf("producer without service.name = %q", res.Observations[0].Producer.ServiceName)
	}
}

func TestAllMetricTypesAndBadMetrics(t *testing.T) {
	pt := []*commonpb.KeyValue{kv("k", s("v"))}
	metrics := []*metricspb.Metric{
		{Name: "sum", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA, IsMonotonic: true,
			DataPoints: []*metricspb.NumberDataPoint{{Attributes: pt}}}}},
		{Name: "hist", Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE,
			DataPoints: []*metricspb.HistogramDataPoint{{Attributes: pt}}}}},
		{Name: "exp", Data: &metricspb.Metric_ExponentialHistogram{ExponentialHistogram: &metricspb.ExponentialHistogram{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
			DataPoints: []*metricspb.ExponentialHistogramDataPoint{{Attributes: pt}}}}},
		{Name: "summary", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: []*metricspb.SummaryDataPoint{{Attributes: pt}}}}},
		{Name: "empty", Unit: "By", Description: "No points yet.", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{}}},
		{Name: "", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}, {}}}}},
		{Name: "nodata"},
	}
	res := infer.New().Infer(request(nil, metrics...))
	got := byName(res)
	types := map[string]tallycatv1.MetricType{
		"sum": Sum, "hist": Histogram,
		"exp": ExpHistogram, "summary": SummaryMetric,
		"empty": Sum,
	}
	for name, typ := range types {
		if len(got[name]) != 1 || got[name][0].Shape.Type != typ {
			t.Errorf("%s = %+v, want one %v shape", name, got[name], typ)
		}
	}
	if e := got["empty"]; len(e) == 1 && (e[0].DataPoints != 0 || e[0].Description != "No points yet.") {
		t.Errorf("metric without points = %+v", e[0])
	}
	if s := got["sum"][0].Shape; s.Temporality != Delta || !s.Monotonic {
		t.Errorf("sum = %+v, want delta monotonic", s)
	}
	if res.Rejected != 2 || len(res.Reasons) != 2 || !strings.Contains(res.Reasons[0], "no name") || !strings.Contains(res.Reasons[1], `"nodata" has no data`) {
		t.Errorf("rejected %d: %q; want the 2 points of the nameless metric, and a word on the metric without data", res.Rejected, res.Reasons)
	}
	if res.DataPoints != 4 {
		t.Errorf("accepted %d points, want 4", res.DataPoints)
	}
}

func TestIDsAgreeWithTheCatalog(t *testing.T) {
	res := infer.New().Infer(request(nil, gauge("g", []*commonpb.KeyValue{kv("z", s("")), kv("a", i(1))})))
	o := res.Observations[0]
	if o.VariantID != schemaid.ID(o.Shape) {
		t.Errorf("inferred id %s, schemaid.ID %s", o.VariantID, schemaid.ID(o.Shape))
	}
}
