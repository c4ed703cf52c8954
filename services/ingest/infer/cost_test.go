package infer_test

import (
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func integer(k string, v int64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
}

// costRequest is one counter from two instances: the points of each carry
// region and code in either order, and the same attribute values from two
// instances are two series.
func costRequest() *colmetricpb.ExportMetricsServiceRequest {
	rm := func(instance string) *metricspb.ResourceMetrics {
		pts := []*metricspb.NumberDataPoint{
			{Attributes: []*commonpb.KeyValue{str("region", "eu"), integer("code", 200)}},
			{Attributes: []*commonpb.KeyValue{integer("code", 500), str("region", "eu")}},
			{Attributes: []*commonpb.KeyValue{str("region", "us"), integer("code", 200)}},
		}
		return &metricspb.ResourceMetrics{
			Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "checkout"), str("service.instance.id", instance)}},
			ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
				Name: "requests", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{DataPoints: pts}},
			}}}},
		}
	}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{rm("a"), rm("b")}}
}

// TestValuesFollowTheSchemaOrder: each point's values come in the order of
// the shape's (sorted) attributes whatever order the producer wrote them
// in, each point has its series, and scanning agrees with decoding.
func TestValuesFollowTheSchemaOrder(t *testing.T) {
	req := costRequest()
	for name, res := range map[string]ingest.Result{
		"scanned": must(infer.New().Scan(marshal(t, req))),
		"decoded": infer.New().Infer(req),
	} {
		series := cardinality.Distinct{}
		regions := map[string]int{}
		for _, o := range res.Observations {
			if len(o.Series) != int(o.DataPoints) || len(o.Values) != int(o.DataPoints)*2 {
				t.Fatalf("%s: %d points, %d series, %d values", name, o.DataPoints, len(o.Series), len(o.Values))
			}
			if o.Shape.Attributes[0].Key != "code" || len(o.ResourceValues) != 2 || o.ResourceValues[0].Str == "" {
				t.Fatalf("%s: attributes %v, resource values %+v", name, o.Shape.Attributes, o.ResourceValues)
			}
			for i, h := range o.Series {
				series.Add(h)
				code, region := o.Values[2*i], o.Values[2*i+1]
				if code.Text() != "200" && code.Text() != "500" {
					t.Errorf("%s: code %q", name, code.Text())
				}
				regions[region.Text()]++
			}
		}
		if series.Estimate() != 6 || regions["eu"] != 4 || regions["us"] != 2 {
			t.Errorf("%s: %d series (want 6: 3 per instance), regions %v", name, series.Estimate(), regions)
		}
	}
	off := infer.New()
	off.SetCostTracking(false)
	if res := off.Infer(req); res.Points != nil || res.Observations[0].Series != nil {
		t.Error("tracking off still records points")
	}
}

func must(r ingest.Result, err error) ingest.Result {
	if err != nil {
		panic(err)
	}
	return r
}

// TestInterleavedVariantsKeepTheirValues: points of two attribute sets
// alternating within a metric are handed out by observation, each with its
// own values.
func TestInterleavedVariantsKeepTheirValues(t *testing.T) {
	var pts []*metricspb.NumberDataPoint
	for i := 0; i < 6; i++ {
		if i%2 == 0 {
			pts = append(pts, &metricspb.NumberDataPoint{Attributes: []*commonpb.KeyValue{str("a", "even")}})
		} else {
			pts = append(pts, &metricspb.NumberDataPoint{Attributes: []*commonpb.KeyValue{str("a", "odd"), str("b", "x")}})
		}
	}
	req := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "m", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: pts}}}}}},
	}}}
	res := must(infer.New().Scan(marshal(t, req)))
	if len(res.Observations) != 2 {
		t.Fatalf("%d observations, want 2", len(res.Observations))
	}
	for _, o := range res.Observations {
		want := map[int]string{1: "even", 2: "odd"}[len(o.Shape.Attributes)]
		if len(o.Series) != 3 {
			t.Errorf("%v: %d series, want 3", o.Shape.Attributes, len(o.Series))
		}
		for p := 0; p < len(o.Values); p += len(o.Shape.Attributes) {
			if got := o.Values[p].Text(); got != want {
				t.Errorf("%v: a point's a is %q, want %q", o.Shape.Attributes, got, want)
			}
		}
	}
}
