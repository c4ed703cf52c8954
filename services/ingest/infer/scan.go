package infer

import (
	"fmt"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Field numbers of the OTLP messages the scanner reads. The rest of each
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

// dataKinds maps a Metric's data field to its type and the field number of
// attributes in its data points.
var dataKinds = map[protowire.Number]struct {
	typ   tallycatv1.MetricType
	attrs protowire.Number
}{
	fMetricGauge:        {tallycatv1.MetricType_METRIC_TYPE_GAUGE, 7},
	fMetricSum:          {tallycatv1.MetricType_METRIC_TYPE_SUM, 7},
	fMetricHistogram:    {tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, 9},
	fMetricExpHistogram: {tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM, 1},
	fMetricSummary:      {tallycatv1.MetricType_METRIC_TYPE_SUMMARY, 7},
}

// Scan returns the observations of a protobuf-encoded
// ExportMetricsServiceRequest, reading only names, types, units,
// temporality, monotonicity, descriptions and attribute keys with their
// value types; values are skipped, never materialised. It returns an error
// for exactly the inputs proto.Unmarshal refuses.
func (in *Inferrer) Scan(b []byte) (ingest.Result, error) {
	if err := validate(b, requestTable, 0, in.limits.Depth()); err != nil {
		return ingest.Result{}, fmt.Errorf("proto: cannot parse invalid wire-format data: %w", err)
	}
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()
	// The request is valid from here on: the walk below skips what it does
	// not read without checking it again.
	for r := (reader{b: b}); r.next(); {
		if r.bytesField(fRequestResourceMetrics) {
			in.scanResourceMetrics(s, r.v)
		}
	}
	return s.finish(), nil
}

// str views bytes of the request as a string without copying; nothing that
// outlives the request may keep it (the builder clones what it keeps).
func str(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func varint(v []byte) uint64 {
	x, _ := protowire.ConsumeVarint(v)
	return x
}

// scanResourceMetrics reads the resource first, wherever it is in the
// message, since every observation below needs its producer.
func (in *Inferrer) scanResourceMetrics(s *scratch, b []byte) {
	var p ingest.Producer
	var executable string
	s.attrs = s.attrs[:0]
	for r := (reader{b: b}); r.next(); {
		if !r.bytesField(fResourceMetricsRes) {
			continue
		}
		for a := (reader{b: r.v}); a.next(); {
			if !a.bytesField(fResourceAttributes) {
				continue
			}
			key, vt, text := scanKeyValue(a.v, true)
			s.attrs = append(s.attrs, schemaid.Attribute{Key: key, Type: vt})
			switch key {
			case "service.name":
				p.ServiceName = text
			case "service.namespace":
				p.ServiceNamespace = text
			case "service.version":
				p.ServiceVersion = text
			case "service.instance.id":
				p.ServiceInstanceID = text
			case "process.executable.name":
				executable = text
			}
		}
	}
	if p.ServiceName == "" {
		p.ServiceName = UnknownService
		if executable != "" {
			p.ServiceName += ":" + executable
		}
	}
	s.resources = append(s.resources, resourceInfo{producer: in.internProducer(p), attrs: in.internAttributes(s, s.attrs)})
	ri := len(s.resources) - 1
	for r := (reader{b: b}); r.next(); {
		if r.bytesField(fResourceMetricsScopes) {
			in.scanScopeMetrics(s, r.v, ri)
		}
	}
}

// scanScopeMetrics reads the scope first, then the metrics.
func (in *Inferrer) scanScopeMetrics(s *scratch, b []byte, ri int) {
	var name, version string
	s.attrs = s.attrs[:0]
	for r := (reader{b: b}); r.next(); {
		if !r.bytesField(fScopeMetricsScope) {
			continue
		}
		for f := (reader{b: r.v}); f.next(); {
			if f.typ != protowire.BytesType {
				continue
			}
			switch f.num {
			case fScopeName:
				name = str(f.v)
			case fScopeVersion:
				version = str(f.v)
			case fScopeAttributes:
				key, vt, _ := scanKeyValue(f.v, false)
				s.attrs = append(s.attrs, schemaid.Attribute{Key: key, Type: vt})
			}
		}
	}
	s.scopes = append(s.scopes, scopeInfo{name: in.intern(name), version: in.intern(version), attrs: in.internAttributes(s, s.attrs)})
	si := len(s.scopes) - 1
	for r := (reader{b: b}); r.next(); {
		if r.bytesField(fScopeMetricsMetrics) {
			in.scanMetric(s, r.v, ri, si)
		}
	}
}

// scanMetric reads a metric's name, unit and description, then its data.
// Occurrences of the data oneof merge as proto.Unmarshal merges them: each
// occurrence of another member starts over, occurrences of the same member
// add up.
func (in *Inferrer) scanMetric(s *scratch, b []byte, ri, si int) {
	m := metricState{resource: ri, scope: si}
	var dataField protowire.Number
	s.ranges = s.ranges[:0]
	for r := (reader{b: b}); r.next(); {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case fMetricName:
			m.shape.Name = str(r.v)
		case fMetricUnit:
			m.shape.Unit = str(r.v)
		case fMetricDescription:
			m.description = str(r.v)
		case fMetricGauge, fMetricSum, fMetricHistogram, fMetricExpHistogram, fMetricSummary:
			if r.num != dataField {
				dataField, s.ranges = r.num, s.ranges[:0]
			}
			s.ranges = append(s.ranges, r.v)
		}
	}
	kind := dataKinds[dataField]
	m.shape.Type = kind.typ
	points := 0
	for _, data := range s.ranges {
		for r := (reader{b: data}); r.next(); {
			switch {
			case r.bytesField(fDataPoints):
				points++
			case r.num == fTemporality && r.typ == protowire.VarintType:
				m.shape.Temporality = temporality(int32(varint(r.v)))
			case r.num == fMonotonic && r.typ == protowire.VarintType && dataField == fMetricSum:
				m.shape.Monotonic = varint(r.v) != 0
			}
		}
	}
	if dataField == fMetricGauge || dataField == fMetricSummary {
		m.shape.Temporality = tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
	}
	if !in.beginMetric(s, &m, points) {
		return
	}
	for _, data := range s.ranges {
		for r := (reader{b: data}); r.next(); {
			if !r.bytesField(fDataPoints) {
				continue
			}
			s.attrs = s.attrs[:0]
			for p := (reader{b: r.v}); p.next(); {
				if p.bytesField(kind.attrs) {
					key, vt, _ := scanKeyValue(p.v, false)
					s.attrs = append(s.attrs, schemaid.Attribute{Key: key, Type: vt})
				}
			}
			in.point(s, &m, s.attrs)
		}
	}
}

// scanKeyValue reads a KeyValue's key and value type, and, when wantText is
// set, its value as identity text (see text). Repeated occurrences of the
// key or of the value merge as proto.Unmarshal merges them: the last key
// wins, and the value's type is the last oneof member set in any of them.
func scanKeyValue(b []byte, wantText bool) (key string, vt tallycatv1.ValueType, text string) {
	vt = tallycatv1.ValueType_VALUE_TYPE_EMPTY
	for r := (reader{b: b}); r.next(); {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case fKeyValueKey:
			key = str(r.v)
		case fKeyValueValue:
			for f := (reader{b: r.v}); f.next(); {
				t, ok := anyValueMember(f.num, f.typ)
				if !ok {
					continue
				}
				vt = t
				if wantText {
					text = identityText(f.num, f.v)
				}
			}
		}
	}
	return key, vt, text
}

// anyValueMember maps an AnyValue field to the value type it sets, if its
// wire type is the member's.
func anyValueMember(num protowire.Number, typ protowire.Type) (tallycatv1.ValueType, bool) {
	switch {
	case num == 1 && typ == protowire.BytesType:
		return tallycatv1.ValueType_VALUE_TYPE_STRING, true
	case num == 2 && typ == protowire.VarintType:
		return tallycatv1.ValueType_VALUE_TYPE_BOOL, true
	case num == 3 && typ == protowire.VarintType:
		return tallycatv1.ValueType_VALUE_TYPE_INT, true
	case num == 4 && typ == protowire.Fixed64Type:
		return tallycatv1.ValueType_VALUE_TYPE_DOUBLE, true
	case num == 5 && typ == protowire.BytesType:
		return tallycatv1.ValueType_VALUE_TYPE_ARRAY, true
	case num == 6 && typ == protowire.BytesType:
		return tallycatv1.ValueType_VALUE_TYPE_MAP, true
	case num == 7 && typ == protowire.BytesType:
		return tallycatv1.ValueType_VALUE_TYPE_BYTES, true
	case num == 8 && typ == protowire.VarintType:
		return tallycatv1.ValueType_VALUE_TYPE_STRING, true
	}
	return 0, false
}
