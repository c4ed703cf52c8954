package infer

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Field numbers of the OTLP metrics messages the scanner reads, and of the
// resource and scope parts every signal shares (a ResourceSpans or a
// ResourceLogs numbers its fields as ResourceMetrics does). The rest of each
// message is validated but not read.
const (
	fRequestResourceMetrics = 1
	fResourceMetricsRes     = 1
	fResourceMetricsScopes  = 2
	fResourceAttributes     = 1
	fScopeMetricsScope      = 1
	fScopeMetricsMetrics    = 2
	fScopeName              = 1
	fScopeVersion           = 2
	fScopeAttributes        = 3
	fMetricName             = 1
	fMetricDescription      = 2
	fMetricUnit             = 3
	fMetricGauge            = 5
	fMetricSum              = 7
	fMetricHistogram        = 9
	fMetricExpHistogram     = 10
	fMetricSummary          = 11
	fDataPoints             = 1
	fTemporality            = 2
	fMonotonic              = 3
	fKeyValueKey            = 1
	fKeyValueValue          = 2
)

// dataKind is what the scanner needs of one member of Metric's data oneof.
type dataKind struct {
	typ   tallycatv1.MetricType
	attrs protowire.Number // the attributes field of its data points
	data  *msgTable        // Gauge, Sum, ...
	point *msgTable        // its data point message
}

// dataKinds maps a Metric's data field to its kind.
var dataKinds = func() map[protowire.Number]dataKind {
	kinds := map[protowire.Number]dataKind{
		fMetricGauge:        {typ: tallycatv1.MetricType_METRIC_TYPE_GAUGE, attrs: 7},
		fMetricSum:          {typ: tallycatv1.MetricType_METRIC_TYPE_SUM, attrs: 7},
		fMetricHistogram:    {typ: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, attrs: 9},
		fMetricExpHistogram: {typ: tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM, attrs: 1},
		fMetricSummary:      {typ: tallycatv1.MetricType_METRIC_TYPE_SUMMARY, attrs: 7},
	}
	for num, k := range kinds {
		k.data = metricTable.field(num).msg
		k.point = k.data.field(fDataPoints).msg
		if k.point.field(k.attrs).msg != keyValueTable {
			panic("infer: the attributes field of " + string(k.point.name) + " is not repeated KeyValue")
		}
		kinds[num] = k
	}
	return kinds
}()

// Scan returns the observations of a protobuf-encoded
// ExportMetricsServiceRequest, reading only names, types, units,
// temporality, monotonicity, descriptions and attribute keys with their
// value types; values are skipped, never materialised. It returns an error
// for exactly the inputs proto.Unmarshal refuses.
//
// Each byte is read once: the walk that infers also checks what
// proto.Unmarshal checks (see reader and checkBytes), and hands the parts it
// does not read (exemplars, metadata, nested attribute values) to validate.
func (in *Inferrer) Scan(b []byte) (ingest.Result, error) {
	return in.scan(b, &metricsLayout)
}

// layout is what the scanner needs of one signal's export request: the
// tables of its request, its resource container (ResourceMetrics,
// ResourceSpans, ResourceLogs) and its scope container, whose items the
// signal's own scanner reads. The resource and scope parts are the same in
// every signal (the same field numbers), so they are read by one code.
type layout struct {
	sig                       schemaid.Signal
	request, resource, scopes *msgTable
}

var metricsLayout = layout{sig: schemaid.Metric, request: requestTable, resource: resourceMetricsTable, scopes: scopeMetricsTable}

// scan reads a request of layout l.
func (in *Inferrer) scan(b []byte, l *layout) (ingest.Result, error) {
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()
	s.track = in.track
	// proto.Unmarshal counts the request itself as one level of its
	// RecursionLimit, and the scanner numbers the request's depth 0.
	s.limit = in.limits.Depth() - 1
	if err := in.scanRequest(s, l, b); err != nil {
		return ingest.Result{}, fmt.Errorf("proto: cannot parse invalid wire-format data: %w", err)
	}
	return in.finish(s), nil
}

func (in *Inferrer) scanRequest(s *scratch, l *layout, b []byte) error {
	if s.limit < 0 {
		return errDepth
	}
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		if r.num == fRequestResourceMetrics {
			err = in.scanResource(s, l, r.val(), 1)
		} else {
			err = checkBytes(l.request, r.num, r.val(), 0, s.limit)
		}
		if err != nil {
			return err
		}
	}
	return r.err()
}

// scanResource reads a resource container (ResourceMetrics, ResourceSpans,
// ResourceLogs): the resource first, wherever it is in the message, since
// every observation below needs its producer.
func (in *Inferrer) scanResource(s *scratch, l *layout, b []byte, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	var p producerBuilder
	s.attrs, s.vals, s.kvx = s.attrs[:0], s.vals[:0], 0
	var val *cardinality.Value
	if s.track {
		val = &s.val
	}
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType || r.num == fResourceMetricsScopes {
			continue // scopes are read below, once the producer is known
		}
		if r.num != fResourceMetricsRes {
			if err := checkBytes(l.resource, r.num, r.val(), depth, s.limit); err != nil {
				return err
			}
			continue
		}
		if depth+1 > s.limit {
			return errDepth
		}
		a := reader{b: r.val()}
		for a.next() {
			if a.typ != protowire.BytesType {
				continue
			}
			if a.num != fResourceAttributes {
				if err := checkBytes(resourceTable, a.num, a.val(), depth+1, s.limit); err != nil {
					return err
				}
				continue
			}
			key, vt, text, err := scanKeyValue(a.val(), true, "", depth+2, s.limit, val)
			if err != nil {
				return err
			}
			s.attrs = append(s.attrs, schemaid.Attribute{Key: key, Type: vt})
			p.add(key, text)
			if val != nil {
				s.vals = append(s.vals, *val)
				s.kvx ^= attributeHash(key, *val)
			}
		}
		if a.bad {
			return errTruncated
		}
	}
	if r.bad {
		return errTruncated
	}
	s.resources = append(s.resources, in.resource(s, p.producer()))
	ri := len(s.resources) - 1
	for r := (reader{b: b}); r.next(); {
		if r.bytesField(fResourceMetricsScopes) {
			if err := in.scanScope(s, l, r.val(), ri, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanScope reads a scope container (ScopeMetrics, ScopeSpans, ScopeLogs):
// the scope first, then the items, each by its signal's scanner.
func (in *Inferrer) scanScope(s *scratch, l *layout, b []byte, ri, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	var name, version string
	s.attrs, s.kvx = s.attrs[:0], 0
	var val *cardinality.Value
	if s.track {
		val = &s.val
	}
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType || r.num == fScopeMetricsMetrics {
			continue // metrics are read below, once the scope is known
		}
		if r.num != fScopeMetricsScope {
			if err := checkBytes(l.scopes, r.num, r.val(), depth, s.limit); err != nil {
				return err
			}
			continue
		}
		if depth+1 > s.limit {
			return errDepth
		}
		f := reader{b: r.val()}
		for f.next() {
			if f.typ != protowire.BytesType {
				continue
			}
			var err error
			switch f.num {
			case fScopeName:
				name, err = utf8Str(f.val())
			case fScopeVersion:
				version, err = utf8Str(f.val())
			case fScopeAttributes:
				var key string
				var vt tallycatv1.ValueType
				key, vt, _, err = scanKeyValue(f.val(), false, "", depth+2, s.limit, val)
				s.attrs = append(s.attrs, schemaid.Attribute{Key: key, Type: vt})
				if val != nil && err == nil {
					s.kvx ^= attributeHash(key, *val)
				}
			default:
				err = checkBytes(scopeTable, f.num, f.val(), depth+1, s.limit)
			}
			if err != nil {
				return err
			}
		}
		if f.bad {
			return errTruncated
		}
	}
	if r.bad {
		return errTruncated
	}
	s.scopes = append(s.scopes, scopeInfo{name: in.intern(name), version: in.intern(version), attrs: in.internAttributes(s, s.attrs), hash: scopeHash(name, version, s.kvx)})
	si := len(s.scopes) - 1
	for r := (reader{b: b}); r.next(); {
		if !r.bytesField(fScopeMetricsMetrics) {
			continue
		}
		var err error
		switch l.sig {
		case schemaid.Span:
			err = in.scanSpan(s, r.val(), ri, si, depth+1)
		case schemaid.Log:
			err = in.scanLogRecord(s, r.val(), ri, si, depth+1)
		default:
			err = in.scanMetric(s, r.val(), ri, si, depth+1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// scanMetric reads a metric's name, unit and description, then its data.
// Occurrences of the data oneof merge as proto.Unmarshal merges them: each
// occurrence of another member starts over, occurrences of the same member
// add up.
func (in *Inferrer) scanMetric(s *scratch, b []byte, ri, si, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	m := metricState{resource: ri, scope: si}
	s.khValid = 0
	var dataField protowire.Number
	var kind dataKind
	s.ranges = s.ranges[:0]
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		switch r.num {
		case fMetricName:
			m.shape.Name, err = utf8Str(r.val())
		case fMetricUnit:
			m.shape.Unit, err = utf8Str(r.val())
		case fMetricDescription:
			m.description, err = utf8Str(r.val())
		case fMetricGauge, fMetricSum, fMetricHistogram, fMetricExpHistogram, fMetricSummary:
			if r.num != dataField {
				// The member set before is replaced; it must still be well formed.
				if err = s.validateRanges(kind, depth+1); err != nil {
					return err
				}
				dataField, kind, s.ranges = r.num, dataKinds[r.num], s.ranges[:0]
			}
			if depth+1 > s.limit {
				return errDepth
			}
			s.ranges = append(s.ranges, r.val())
		default:
			err = checkBytes(metricTable, r.num, r.val(), depth, s.limit)
		}
		if err != nil {
			return err
		}
	}
	if r.bad {
		return errTruncated
	}
	m.shape.Type = kind.typ
	// The data message's own fields; its data points are checked as they are
	// read below.
	points := 0
	for _, data := range s.ranges {
		d := reader{b: data}
		for d.next() {
			switch {
			case d.bytesField(fDataPoints):
				points++
			case d.typ == protowire.BytesType:
				if err := checkBytes(kind.data, d.num, d.val(), depth+1, s.limit); err != nil {
					return err
				}
			case d.num == fTemporality && d.typ == protowire.VarintType:
				m.shape.Temporality = temporality(int32(varint(d.val())))
			case d.num == fMonotonic && d.typ == protowire.VarintType && dataField == fMetricSum:
				m.shape.Monotonic = varint(d.val()) != 0
			}
		}
		if d.bad {
			return errTruncated
		}
	}
	if dataField == fMetricGauge || dataField == fMetricSummary {
		m.shape.Temporality = tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
	}
	if !in.beginMetric(s, &m, points) {
		return s.validateRanges(kind, depth+1)
	}
	for _, data := range s.ranges {
		for d := (reader{b: data}); d.next(); {
			if d.bytesField(fDataPoints) {
				if err := in.scanPoint(s, &m, d.val(), kind, depth+2); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// validateRanges checks the data messages, at depth, of a metric whose
// points are not read.
func (s *scratch) validateRanges(kind dataKind, depth int) error {
	for _, data := range s.ranges {
		if err := validate(data, kind.data, depth, s.limit); err != nil {
			return err
		}
	}
	return nil
}

// scanPoint reads one data point's attribute keys and value types, checking
// the rest of it on the way, and counts it.
func (in *Inferrer) scanPoint(s *scratch, m *metricState, b []byte, kind dataKind, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	// The previous point's attributes, checked already: a key equal to the
	// one in the same place there needs no UTF-8 check.
	prev, cur := s.attrs, s.spare[:0]
	if s.track {
		s.kvx, s.ptBase = 0, len(s.ptVals)
	}
	r := reader{b: b}
	for {
		// reader.next, inline for the two shapes of nearly every field of
		// a data point: a fixed64 (times, values, counts), skipped once it
		// is known to fit, and a short length-delimited field.
		var num protowire.Number
		var v []byte
		if i := r.pos; i+1 < len(b) && b[i] < 0x80 && b[i] >= 8 && b[i]&7 == 1 && i+9 <= len(b) {
			r.pos = i + 9
			continue
		} else if i+1 < len(b) && b[i] < 0x80 && b[i] >= 8 && b[i]&7 == 2 && b[i+1] < 0x80 && int(b[i+1]) <= len(b)-i-2 {
			num, v = protowire.Number(b[i]>>3), b[i+2:i+2+int(b[i+1])]
			r.pos = i + 2 + int(b[i+1])
		} else if !r.nextSlow() {
			break
		} else if r.typ != protowire.BytesType {
			continue
		} else {
			num, v = r.num, r.val()
		}
		if num != kind.attrs {
			if err := checkBytes(kind.point, num, v, depth, s.limit); err != nil {
				return err
			}
			continue
		}
		known := ""
		if len(cur) < len(prev) {
			known = prev[len(cur)].Key
		}
		key, vt, same, ok := "", tallycatv1.ValueType(0), false, false
		var val *cardinality.Value
		if s.track {
			val = s.nextValue()
		}
		if depth+1 < s.limit {
			key, vt, same, ok = scanPlainKeyValue(v, known, val)
		}
		if !ok {
			var err error
			if key, vt, _, err = scanKeyValue(v, false, known, depth+1, s.limit, val); err != nil {
				return err
			}
		}
		if val != nil {
			s.kvx ^= cardinality.Attribute(s.keyHash(len(cur), key, same || key == known), val.Hash)
		}
		cur = append(cur, schemaid.Attribute{Key: key, Type: vt})
	}
	if r.bad {
		return errTruncated
	}
	s.attrs, s.spare = cur, prev
	in.point(s, m, cur)
	s.khValid = len(cur)
	return nil
}
