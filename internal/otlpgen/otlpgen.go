// Package otlpgen generates OTLP export requests shaped like real SDK
// exports, for benchmarks and load tests.
package otlpgen

import (
	"fmt"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
)

// Config sizes a request. The defaults (see Default) are the yardstick of
// docs/BENCHMARKS.md: 1 resource with 10 attributes, 2 scopes, 50 metrics of
// all five types, 20 data points each with 5 attributes of mixed types, so
// 1,000 data points a request.
type Config struct {
	Service            string
	ResourceAttributes int
	Scopes             int
	Metrics            int // in all, spread over the scopes
	PointsPerMetric    int
	PointAttributes    int
	// ShapeSalt changes the attribute key names, to make new shapes, and
	// the release (service.version 1.<salt>.0) that sends them: the catalog
	// pools a release's attribute sets into one schema, so new keys from
	// one release would grow one schema rather than make new ones.
	ShapeSalt int
}

// Default is the yardstick request.
func Default() Config {
	return Config{Service: "bench", ResourceAttributes: 10, Scopes: 2, Metrics: 50, PointsPerMetric: 20, PointAttributes: 5}
}

func str(v string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}
}

// pointAttributes returns n attributes of mixed types whose values vary with
// the point but whose keys and types do not, as with real instruments.
func pointAttributes(n, point, salt int) []*commonpb.KeyValue {
	out := make([]*commonpb.KeyValue, n)
	for i := range out {
		key := fmt.Sprintf("attr.%d.%d", salt, i)
		var v *commonpb.AnyValue
		switch i % 4 {
		case 0:
			v = str(fmt.Sprintf("value-%d", point))
		case 1:
			v = &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(point)}}
		case 2:
			v = &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: point%2 == 0}}
		case 3:
			v = &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: float64(point) / 3}}
		}
		out[i] = &commonpb.KeyValue{Key: key, Value: v}
	}
	return out
}

// Request builds one export request.
func Request(c Config) *colmetricpb.ExportMetricsServiceRequest {
	res := &resourcepb.Resource{Attributes: []*commonpb.KeyValue{{Key: "service.name", Value: str(c.Service)}}}
	if c.ShapeSalt > 0 {
		res.Attributes = append(res.Attributes, &commonpb.KeyValue{Key: "service.version", Value: str(fmt.Sprintf("1.%d.0", c.ShapeSalt))})
	}
	for i := 1; i < c.ResourceAttributes; i++ {
		res.Attributes = append(res.Attributes, &commonpb.KeyValue{Key: fmt.Sprintf("resource.attr.%d", i), Value: str("v")})
	}
	rm := &metricspb.ResourceMetrics{Resource: res}
	const t0, t1 = 1_700_000_000_000_000_000, 1_700_000_010_000_000_000
	for s := 0; s < c.Scopes; s++ {
		sm := &metricspb.ScopeMetrics{Scope: &commonpb.InstrumentationScope{Name: fmt.Sprintf("example.com/lib%d", s), Version: "1.0.0"}}
		for m := s; m < c.Metrics; m += c.Scopes {
			metric := &metricspb.Metric{Name: fmt.Sprintf("bench.metric.%d", m), Unit: "ms", Description: "A benchmark metric."}
			switch m % 5 {
			case 0:
				g := &metricspb.Gauge{}
				for p := 0; p < c.PointsPerMetric; p++ {
					g.DataPoints = append(g.DataPoints, &metricspb.NumberDataPoint{Attributes: pointAttributes(c.PointAttributes, p, c.ShapeSalt),
						TimeUnixNano: t1, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: 1.5}})
				}
				metric.Data = &metricspb.Metric_Gauge{Gauge: g}
			case 1:
				sum := &metricspb.Sum{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE, IsMonotonic: true}
				for p := 0; p < c.PointsPerMetric; p++ {
					sum.DataPoints = append(sum.DataPoints, &metricspb.NumberDataPoint{Attributes: pointAttributes(c.PointAttributes, p, c.ShapeSalt),
						StartTimeUnixNano: t0, TimeUnixNano: t1, Value: &metricspb.NumberDataPoint_AsInt{AsInt: 42}})
				}
				metric.Data = &metricspb.Metric_Sum{Sum: sum}
			case 2:
				h := &metricspb.Histogram{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE}
				for p := 0; p < c.PointsPerMetric; p++ {
					sum := 12.5
					h.DataPoints = append(h.DataPoints, &metricspb.HistogramDataPoint{Attributes: pointAttributes(c.PointAttributes, p, c.ShapeSalt),
						StartTimeUnixNano: t0, TimeUnixNano: t1, Count: 10, Sum: &sum,
						BucketCounts: []uint64{1, 2, 3, 4, 0, 0}, ExplicitBounds: []float64{5, 10, 25, 50, 100}})
				}
				metric.Data = &metricspb.Metric_Histogram{Histogram: h}
			case 3:
				e := &metricspb.ExponentialHistogram{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA}
				for p := 0; p < c.PointsPerMetric; p++ {
					e.DataPoints = append(e.DataPoints, &metricspb.ExponentialHistogramDataPoint{Attributes: pointAttributes(c.PointAttributes, p, c.ShapeSalt),
						StartTimeUnixNano: t0, TimeUnixNano: t1, Count: 10, Scale: 3,
						Positive: &metricspb.ExponentialHistogramDataPoint_Buckets{Offset: 2, BucketCounts: []uint64{1, 2, 3, 4}}})
				}
				metric.Data = &metricspb.Metric_ExponentialHistogram{ExponentialHistogram: e}
			case 4:
				su := &metricspb.Summary{}
				for p := 0; p < c.PointsPerMetric; p++ {
					su.DataPoints = append(su.DataPoints, &metricspb.SummaryDataPoint{Attributes: pointAttributes(c.PointAttributes, p, c.ShapeSalt),
						StartTimeUnixNano: t0, TimeUnixNano: t1, Count: 10, Sum: 100,
						QuantileValues: []*metricspb.SummaryDataPoint_ValueAtQuantile{{Quantile: 0.5, Value: 9}, {Quantile: 0.99, Value: 20}}})
				}
				metric.Data = &metricspb.Metric_Summary{Summary: su}
			}
			sm.Metrics = append(sm.Metrics, metric)
		}
		rm.ScopeMetrics = append(rm.ScopeMetrics, sm)
	}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{rm}}
}

// DataPoints counts the data points of a request made from c.
func (c Config) DataPoints() int { return c.Metrics * c.PointsPerMetric }
