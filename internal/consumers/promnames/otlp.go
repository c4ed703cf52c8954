package promnames

import (
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
)

// FromOTLP lists the metrics of OTLP resource metrics as the index takes
// them, one per metric of each scope, with the attribute keys of its
// resource, its scope and its data points. It lets a capture of what a
// producer sends stand in for the catalog's schemas.
func FromOTLP(rms []*metricspb.ResourceMetrics) []Metric {
	var out []Metric
	for _, rm := range rms {
		var resource []Attribute
		for _, kv := range rm.GetResource().GetAttributes() {
			resource = append(resource, Attribute{Key: kv.GetKey(), Source: Resource})
		}
		for _, sm := range rm.GetScopeMetrics() {
			var scope []Attribute
			for _, kv := range sm.GetScope().GetAttributes() {
				scope = append(scope, Attribute{Key: kv.GetKey(), Source: Scope})
			}
			for _, m := range sm.GetMetrics() {
				out = append(out, fromOTLPMetric(m, resource, scope))
			}
		}
	}
	return out
}

type commonKV = commonpb.KeyValue

func fromOTLPMetric(m *metricspb.Metric, resource, scope []Attribute) Metric {
	out := Metric{Key: m.GetName(), Unit: m.GetUnit()}
	out.Attributes = append(append(out.Attributes, resource...), scope...)
	seen := map[string]bool{}
	point := func(kvs []*commonKV) {
		for _, kv := range kvs {
			if !seen[kv.GetKey()] {
				seen[kv.GetKey()] = true
				out.Attributes = append(out.Attributes, Attribute{Key: kv.GetKey(), Source: DataPoint})
			}
		}
	}
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		out.Instrument = Gauge
		for _, p := range d.Gauge.GetDataPoints() {
			point(p.GetAttributes())
		}
	case *metricspb.Metric_Sum:
		out.Instrument = Sum
		out.Monotonic = d.Sum.GetIsMonotonic()
		out.Temporality = temporality(d.Sum.GetAggregationTemporality())
		for _, p := range d.Sum.GetDataPoints() {
			point(p.GetAttributes())
		}
	case *metricspb.Metric_Histogram:
		out.Instrument = Histogram
		out.Temporality = temporality(d.Histogram.GetAggregationTemporality())
		for _, p := range d.Histogram.GetDataPoints() {
			point(p.GetAttributes())
		}
	case *metricspb.Metric_ExponentialHistogram:
		out.Instrument = ExponentialHistogram
		out.Temporality = temporality(d.ExponentialHistogram.GetAggregationTemporality())
		for _, p := range d.ExponentialHistogram.GetDataPoints() {
			point(p.GetAttributes())
		}
	case *metricspb.Metric_Summary:
		out.Instrument = Summary
		for _, p := range d.Summary.GetDataPoints() {
			point(p.GetAttributes())
		}
	}
	return out
}

func temporality(t metricspb.AggregationTemporality) Temporality {
	switch t {
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA:
		return Delta
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE:
		return Cumulative
	}
	return TemporalityUnspecified
}
