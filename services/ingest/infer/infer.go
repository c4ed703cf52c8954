// Package infer turns OTLP metrics into observed shapes.
//
// It runs once per data point, so the per-point path allocates nothing and
// takes no lock: a data point's attribute keys and types are encoded into a
// reused buffer after its metric's header, and that encoding is looked up in a
// per-request map first and in a shared cache, under a lock, only when the
// request has not seen the shape yet.
package infer

import (
	"sync"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// maxCachedShapes bounds the shared cache of computed schema ids; when it is
// full it is cleared, which costs only recomputing ids.
const maxCachedShapes = 1 << 17

// shapeInfo is a computed shape: its id and its normalized form.
type shapeInfo struct {
	id    string
	shape schemaid.Shape
}

// Inferrer infers shapes from export requests. It is safe for concurrent use.
type Inferrer struct {
	mu     sync.Mutex
	shapes map[string]*shapeInfo
	pool   sync.Pool
}

// New returns an Inferrer with an empty cache.
func New() *Inferrer {
	return &Inferrer{
		shapes: make(map[string]*shapeInfo),
		pool:   sync.Pool{New: func() any { return newScratch() }},
	}
}

// aggKey is one observation of a request: a shape under one resource and one
// scope.
type aggKey struct {
	shape       *shapeInfo
	resource    int
	scope       int
	description string
}

// scratch is the reusable working memory of one request.
type scratch struct {
	attrs []schemaid.Attribute
	buf   []byte
	local map[string]*shapeInfo
	agg   map[aggKey]uint64
	order []aggKey
}

func newScratch() *scratch {
	return &scratch{local: map[string]*shapeInfo{}, agg: map[aggKey]uint64{}}
}

func (s *scratch) reset() {
	clear(s.local)
	clear(s.agg)
	s.order = s.order[:0]
}

type resourceInfo struct {
	producer ingest.Producer
	attrs    []schemaid.Attribute
}

type scopeInfo struct {
	name, version string
	attrs         []schemaid.Attribute
}

// Infer returns the observations of req and what it had to refuse.
func (in *Inferrer) Infer(req *colmetricpb.ExportMetricsServiceRequest) ingest.Result {
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()

	var res ingest.Result
	resources := make([]resourceInfo, len(req.GetResourceMetrics()))
	scopes := make([][]scopeInfo, len(resources))
	for ri, rm := range req.GetResourceMetrics() {
		attrs := rm.GetResource().GetAttributes()
		resources[ri] = resourceInfo{producer: producerOf(attrs), attrs: attributeKeys(attrs)}
		scopes[ri] = make([]scopeInfo, len(rm.GetScopeMetrics()))
		for si, sm := range rm.GetScopeMetrics() {
			sc := sm.GetScope()
			scopes[ri][si] = scopeInfo{name: sc.GetName(), version: sc.GetVersion(), attrs: attributeKeys(sc.GetAttributes())}
			for _, m := range sm.GetMetrics() {
				in.metric(s, &res, m, ri, si)
			}
		}
	}

	res.Observations = make([]ingest.Observation, 0, len(s.order))
	for _, k := range s.order {
		r, sc := &resources[k.resource], &scopes[k.resource][k.scope]
		res.Observations = append(res.Observations, ingest.Observation{
			SchemaID: k.shape.id, Shape: k.shape.shape, Description: k.description,
			Producer: r.producer, ScopeName: sc.name, ScopeVersion: sc.version,
			ResourceAttributes: r.attrs, ScopeAttributes: sc.attrs,
			DataPoints: s.agg[k],
		})
	}
	return res
}

// metric infers the shapes of one metric's data points.
func (in *Inferrer) metric(s *scratch, res *ingest.Result, m *metricspb.Metric, ri, si int) {
	shape := schemaid.Shape{Name: m.GetName(), Unit: m.GetUnit()}
	var points int
	var each func(func([]*commonpb.KeyValue))
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		shape.Type = tallycatv1.MetricType_METRIC_TYPE_GAUGE
		points = len(d.Gauge.GetDataPoints())
		each = func(f func([]*commonpb.KeyValue)) {
			for _, p := range d.Gauge.GetDataPoints() {
				f(p.GetAttributes())
			}
		}
	case *metricspb.Metric_Sum:
		shape.Type = tallycatv1.MetricType_METRIC_TYPE_SUM
		shape.Temporality = temporality(d.Sum.GetAggregationTemporality())
		shape.Monotonic = d.Sum.GetIsMonotonic()
		points = len(d.Sum.GetDataPoints())
		each = func(f func([]*commonpb.KeyValue)) {
			for _, p := range d.Sum.GetDataPoints() {
				f(p.GetAttributes())
			}
		}
	case *metricspb.Metric_Histogram:
		shape.Type = tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM
		shape.Temporality = temporality(d.Histogram.GetAggregationTemporality())
		points = len(d.Histogram.GetDataPoints())
		each = func(f func([]*commonpb.KeyValue)) {
			for _, p := range d.Histogram.GetDataPoints() {
				f(p.GetAttributes())
			}
		}
	case *metricspb.Metric_ExponentialHistogram:
		shape.Type = tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM
		shape.Temporality = temporality(d.ExponentialHistogram.GetAggregationTemporality())
		points = len(d.ExponentialHistogram.GetDataPoints())
		each = func(f func([]*commonpb.KeyValue)) {
			for _, p := range d.ExponentialHistogram.GetDataPoints() {
				f(p.GetAttributes())
			}
		}
	case *metricspb.Metric_Summary:
		shape.Type = tallycatv1.MetricType_METRIC_TYPE_SUMMARY
		points = len(d.Summary.GetDataPoints())
		each = func(f func([]*commonpb.KeyValue)) {
			for _, p := range d.Summary.GetDataPoints() {
				f(p.GetAttributes())
			}
		}
	default:
		res.Reject(0, "metric %q has no data (none of gauge, sum, histogram, exponential histogram, summary is set)", m.GetName())
		return
	}
	if shape.Name == "" {
		res.Reject(int64(points), "a %s metric has no name", schemaid.MetricTypeToken(shape.Type))
		return
	}
	if !schemaid.HasTemporality(shape.Type) {
		shape.Temporality = tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
	}
	if !schemaid.HasMonotonic(shape.Type) {
		shape.Monotonic = false
	}
	s.buf = schemaid.AppendCanonicalHeader(s.buf[:0], &shape)
	header := len(s.buf)
	if points == 0 {
		// A metric without data points still declares its name, type and
		// unit: it is kept as the shape with no attributes.
		in.observe(s, &shape, header, nil, m.GetDescription(), ri, si, 0)
		return
	}
	each(func(kvs []*commonpb.KeyValue) {
		s.attrs = s.attrs[:0]
		for _, kv := range kvs {
			s.attrs = append(s.attrs, schemaid.Attribute{Key: kv.GetKey(), Type: ValueType(kv.GetValue())})
		}
		in.observe(s, &shape, header, s.attrs, m.GetDescription(), ri, si, 1)
	})
	res.DataPoints += int64(points)
}

// observe counts n data points of the shape made of the metric header already
// in s.buf[:header] and attrs.
func (in *Inferrer) observe(s *scratch, shape *schemaid.Shape, header int, attrs []schemaid.Attribute, description string, ri, si int, n uint64) {
	attrs = schemaid.NormalizeAttributes(attrs)
	s.buf = schemaid.AppendCanonicalAttributes(s.buf[:header], attrs)
	info := s.local[string(s.buf)]
	if info == nil {
		info = in.lookup(s.buf, shape, attrs)
		s.local[string(s.buf)] = info
	}
	k := aggKey{shape: info, resource: ri, scope: si, description: description}
	if _, ok := s.agg[k]; !ok {
		s.order = append(s.order, k)
	}
	s.agg[k] += n
}

// lookup returns the shared shapeInfo of a canonical encoding, computing it
// on first sight.
func (in *Inferrer) lookup(canonical []byte, shape *schemaid.Shape, attrs []schemaid.Attribute) *shapeInfo {
	in.mu.Lock()
	defer in.mu.Unlock()
	if info := in.shapes[string(canonical)]; info != nil {
		return info
	}
	if len(in.shapes) >= maxCachedShapes {
		clear(in.shapes)
	}
	sh := *shape
	sh.Attributes = append([]schemaid.Attribute(nil), attrs...)
	info := &shapeInfo{id: schemaid.String(schemaid.Sum(canonical)), shape: sh}
	in.shapes[string(canonical)] = info
	return info
}

func temporality(t metricspb.AggregationTemporality) tallycatv1.Temporality {
	switch t {
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA:
		return tallycatv1.Temporality_TEMPORALITY_DELTA
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE:
		return tallycatv1.Temporality_TEMPORALITY_CUMULATIVE
	}
	return tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
}

// ValueType is the type of an attribute value; an unset value is EMPTY.
func ValueType(v *commonpb.AnyValue) tallycatv1.ValueType {
	switch v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
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

// attributeKeys returns the normalized keys and types of resource or scope
// attributes.
func attributeKeys(kvs []*commonpb.KeyValue) []schemaid.Attribute {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]schemaid.Attribute, len(kvs))
	for i, kv := range kvs {
		out[i] = schemaid.Attribute{Key: kv.GetKey(), Type: ValueType(kv.GetValue())}
	}
	return schemaid.NormalizeAttributes(out)
}
