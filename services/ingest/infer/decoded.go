package infer

import (
	"fmt"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Infer returns the observations of a decoded request and what it had to
// refuse. It is the reference that Scan must agree with.
func (in *Inferrer) Infer(req *colmetricpb.ExportMetricsServiceRequest) ingest.Result {
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()
	s.track = in.track
	for _, rm := range req.GetResourceMetrics() {
		ri := in.decodedResource(s, rm.GetResource())
		for _, sm := range rm.GetScopeMetrics() {
			si := in.decodedScope(s, sm.GetScope())
			for _, m := range sm.GetMetrics() {
				in.metric(s, m, ri, si)
			}
		}
	}
	return in.finish(s)
}

// decodedResource reads a decoded resource, as the scanner reads one from
// the wire, and returns its index.
func (in *Inferrer) decodedResource(s *scratch, r *resourcepb.Resource) int {
	attrs := r.GetAttributes()
	s.attrs = appendKeys(s.attrs[:0], attrs)
	s.decodedValues(attrs)
	s.resources = append(s.resources, in.resource(s, producerOf(attrs)))
	return len(s.resources) - 1
}

// decodedScope reads a decoded scope and returns its index.
func (in *Inferrer) decodedScope(s *scratch, sc *commonpb.InstrumentationScope) int {
	s.attrs = appendKeys(s.attrs[:0], sc.GetAttributes())
	s.decodedValues(sc.GetAttributes())
	s.scopes = append(s.scopes, scopeInfo{
		name: in.intern(sc.GetName()), version: in.intern(sc.GetVersion()),
		attrs: in.internAttributes(s, s.attrs), hash: scopeHash(sc.GetName(), sc.GetVersion(), s.kvx),
	})
	return len(s.scopes) - 1
}

func appendKeys(dst []schemaid.Attribute, kvs []*commonpb.KeyValue) []schemaid.Attribute {
	for _, kv := range kvs {
		dst = append(dst, schemaid.Attribute{Key: kv.GetKey(), Type: ValueType(kv.GetValue())})
	}
	return dst
}

// metric infers the shapes of one decoded metric's data points.
func (in *Inferrer) metric(s *scratch, m *metricspb.Metric, ri, si int) {
	st := metricState{shape: schemaid.Shape{Name: m.GetName(), Unit: m.GetUnit()}, description: m.GetDescription(), resource: ri, scope: si}
	var points [][]*commonpb.KeyValue
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		st.shape.Type = tallycatv1.MetricType_METRIC_TYPE_GAUGE
		for _, p := range d.Gauge.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	case *metricspb.Metric_Sum:
		st.shape.Type = tallycatv1.MetricType_METRIC_TYPE_SUM
		st.shape.Temporality = temporality(int32(d.Sum.GetAggregationTemporality()))
		st.shape.Monotonic = d.Sum.GetIsMonotonic()
		for _, p := range d.Sum.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	case *metricspb.Metric_Histogram:
		st.shape.Type = tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM
		st.shape.Temporality = temporality(int32(d.Histogram.GetAggregationTemporality()))
		for _, p := range d.Histogram.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	case *metricspb.Metric_ExponentialHistogram:
		st.shape.Type = tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM
		st.shape.Temporality = temporality(int32(d.ExponentialHistogram.GetAggregationTemporality()))
		for _, p := range d.ExponentialHistogram.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	case *metricspb.Metric_Summary:
		st.shape.Type = tallycatv1.MetricType_METRIC_TYPE_SUMMARY
		for _, p := range d.Summary.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	}
	if !in.beginMetric(s, &st, len(points)) {
		return
	}
	for _, kvs := range points {
		s.attrs = appendKeys(s.attrs[:0], kvs)
		s.pointValues(kvs)
		in.point(s, &st, s.attrs)
	}
}

func temporality(t int32) tallycatv1.Temporality {
	switch metricspb.AggregationTemporality(t) {
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA:
		return tallycatv1.Temporality_TEMPORALITY_DELTA
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE:
		return tallycatv1.Temporality_TEMPORALITY_CUMULATIVE
	}
	return tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
}

// ValueType is the type of an attribute value; an unset value is EMPTY. A
// string given by dictionary index (string_value_strindex) is a string.
func ValueType(v *commonpb.AnyValue) tallycatv1.ValueType {
	switch v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue, *commonpb.AnyValue_StringValueStrindex:
		return tallycatv1.ValueType_VALUE_TYPE_STRING
	case *commonpb.AnyValue_BoolValue:
		return tallycatv1.ValueType_VALUE_TYPE_BOOL
	case *commonpb.AnyValue_IntValue:
		return tallycatv1.ValueType_VALUE_TYPE_INT
	case *commonpb.AnyValue_DoubleValue:
		return tallycatv1.ValueType_VALUE_TYPE_DOUBLE
	case *commonpb.AnyValue_BytesValue:
		return tallycatv1.ValueType_VALUE_TYPE_BYTES
	case *commonpb.AnyValue_ArrayValue:
		return tallycatv1.ValueType_VALUE_TYPE_ARRAY
	case *commonpb.AnyValue_KvlistValue:
		return tallycatv1.ValueType_VALUE_TYPE_MAP
	}
	return tallycatv1.ValueType_VALUE_TYPE_EMPTY
}

// Request infers what one export request holds, whichever way it arrived:
// scanned from its protobuf bytes, or read from its decoded message
// (OTLP/JSON), by its signal. A body that is not a valid message is
// ingest.ErrMalformed.
func (in *Inferrer) Request(req ingest.Request) (ingest.Result, error) {
	if req.Decoded != nil {
		switch m := req.Decoded.(type) {
		case *colmetricpb.ExportMetricsServiceRequest:
			return in.Infer(m), nil
		case *coltracepb.ExportTraceServiceRequest:
			return in.InferTraces(m), nil
		case *collogspb.ExportLogsServiceRequest:
			return in.InferLogs(m), nil
		}
		return ingest.Result{}, fmt.Errorf("%w request: a decoded %T is no OTLP export request", ingest.ErrMalformed, req.Decoded)
	}
	scan := in.Scan
	switch req.Signal {
	case schemaid.Span:
		scan = in.ScanTraces
	case schemaid.Log:
		scan = in.ScanLogs
	}
	res, err := scan(req.Proto)
	if err != nil {
		return ingest.Result{}, fmt.Errorf("%w application/x-protobuf body: %v", ingest.ErrMalformed, err)
	}
	return res, nil
}
