package infer_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/sdkcapture"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// sdkPayload captures one export of the OpenTelemetry Go SDK's OTLP/HTTP
// exporter, as the SDK encodes it, with edge-case values.
func sdkPayload(t testing.TB) []byte {
	return sdkcapture.Export(t, func(ctx context.Context, m metric.Meter) {
		c, _ := m.Int64Counter("seed.requests")
		c.Add(ctx, 1, metric.WithAttributes(attribute.String("k", "v"), attribute.Bool("b", true), attribute.Int("i", 1), attribute.Float64("f", math.Inf(1))))
		h, _ := m.Float64Histogram("seed.latency", metric.WithUnit("s"))
		h.Record(ctx, math.NaN(), metric.WithAttributes(attribute.StringSlice("tags", []string{"a", "b"})))
		g, _ := m.Float64Gauge("seed.temp")
		g.Record(ctx, math.Copysign(0, -1)) // negative zero: the constant -0.0 is +0 in Go
	})
}

// nested returns an attribute value nested depth maps deep.
func nested(depth int) *commonpb.AnyValue {
	v := &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "leaf"}}
	for i := 0; i < depth; i++ {
		v = &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{{Key: "k", Value: v}}}}}
	}
	return v
}

func gaugeRequest(attrs []*commonpb.KeyValue, value float64) *colmetricpb.ExportMetricsServiceRequest {
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{ScopeMetrics: []*metricspb.ScopeMetrics{{
		Metrics: []*metricspb.Metric{{Name: "edge", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
			{Attributes: attrs, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: value}}}}}}},
	}}}}}
}

// extraSeeds are the edge cases a receiver must survive: huge, deep and
// degenerate requests.
func extraSeeds(t testing.TB) [][]byte {
	many := make([]*commonpb.KeyValue, 10_000)
	for i := range many {
		many[i] = &commonpb.KeyValue{Key: strings.Repeat("k", 1+i%7) + string(rune('a'+i%26)), Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(i)}}}
	}
	unknownEnum := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{ScopeMetrics: []*metricspb.ScopeMetrics{{
		Metrics: []*metricspb.Metric{{Name: "weird", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{AggregationTemporality: 7,
			DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}}
	return [][]byte{
		sdkPayload(t),
		marshal(t, gaugeRequest(many, 1)),
		marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: strings.Repeat("x", 1<<20)}}, 1)),
		marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: "deep", Value: nested(200)}}, 1)),
		marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: "a"}}, math.NaN())),
		marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: "a"}}, math.Inf(-1))),
		marshal(t, unknownEnum),
	}
}

func TestScanAgreesOnEdgeCases(t *testing.T) {
	for _, b := range extraSeeds(t) {
		agree(t, b)
	}
}

// TestDepthLimitAgrees: with a nesting limit, the scanner refuses exactly
// what proto.Unmarshal refuses with the same RecursionLimit.
func TestDepthLimitAgrees(t *testing.T) {
	const limit = 20
	in := infer.NewWithLimits(infer.Limits{MaxDepth: limit})
	for depth := 5; depth < 20; depth++ {
		b := marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: "deep", Value: nested(depth)}}, 1))
		uerr := proto.UnmarshalOptions{RecursionLimit: limit}.Unmarshal(b, &colmetricpb.ExportMetricsServiceRequest{})
		_, serr := in.Scan(b)
		if (uerr == nil) != (serr == nil) {
			t.Errorf("value nested %d deep: Unmarshal %v, Scan %v", depth, uerr, serr)
		}
	}
	if _, err := in.Scan(marshal(t, gaugeRequest([]*commonpb.KeyValue{{Key: "deep", Value: nested(30)}}, 1))); err == nil || !bytes.Contains([]byte(err.Error()), []byte("nesting")) {
		t.Errorf("30 levels past a limit of 20 = %v, want a nesting error", err)
	}
}
