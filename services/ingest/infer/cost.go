package infer

import (
	"math"
	"math/bits"
	"slices"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protowire"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Cost tracking: each data point's series hash and attribute values, read
// where the scanner reads the attribute anyway, recorded in the request's
// scratch and handed out with the result, for the forwarder to count. It
// costs a hash per attribute and no allocation per point.

// SetCostTracking turns the recording of values on (the default) or off. It
// must be called before the Inferrer is used; off, observations carry no
// Series or Values (the benchmarks compare the two).
func (in *Inferrer) SetCostTracking(on bool) { in.track = on }

// wireValue is the value of an AnyValue member read from the wire, hashed
// as cardinality documents: arrays and maps count by their type alone, since
// proto.Unmarshal merges repeated occurrences of them and a decoded
// message's encoding is not the received one.
func wireValue(num protowire.Number, raw []byte, vt tallycatv1.ValueType) cardinality.Value {
	switch num {
	case 1: // string_value
		return cardinality.Value{Hash: cardinality.HashBytes(vt, raw), Str: str(raw), Type: vt}
	case 2: // bool_value
		b := uint64(0)
		if varint(raw) != 0 {
			b = 1
		}
		return cardinality.Value{Hash: cardinality.HashNumber(vt, b), Num: b, Type: vt}
	case 3: // int_value
		n := varint(raw)
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Num: n, Type: vt}
	case 4: // double_value
		n, _ := protowire.ConsumeFixed64(raw)
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Num: n, Type: vt}
	case 7: // bytes_value
		return cardinality.Value{Hash: cardinality.HashBytes(vt, raw), Type: vt}
	case 8: // string_value_strindex: an index into a dictionary
		n := uint64(int64(int32(varint(raw))))
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Type: vt}
	}
	return cardinality.Value{Hash: cardinality.HashNumber(vt, 0), Type: vt}
}

// emptyValue is the value of an AnyValue with no member set.
var emptyValue = cardinality.Value{Hash: cardinality.HashNumber(tallycatv1.ValueType_VALUE_TYPE_EMPTY, 0), Type: tallycatv1.ValueType_VALUE_TYPE_EMPTY}

// decodedValue is wireValue for a decoded AnyValue.
func decodedValue(v *commonpb.AnyValue) cardinality.Value {
	vt := ValueType(v)
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return cardinality.Value{Hash: cardinality.HashString(vt, x.StringValue), Str: x.StringValue, Type: vt}
	case *commonpb.AnyValue_BoolValue:
		b := uint64(0)
		if x.BoolValue {
			b = 1
		}
		return cardinality.Value{Hash: cardinality.HashNumber(vt, b), Num: b, Type: vt}
	case *commonpb.AnyValue_IntValue:
		n := uint64(x.IntValue)
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Num: n, Type: vt}
	case *commonpb.AnyValue_DoubleValue:
		n := math.Float64bits(x.DoubleValue)
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Num: n, Type: vt}
	case *commonpb.AnyValue_BytesValue:
		return cardinality.Value{Hash: cardinality.HashBytes(vt, x.BytesValue), Type: vt}
	case *commonpb.AnyValue_StringValueStrindex:
		n := uint64(int64(x.StringValueStrindex))
		return cardinality.Value{Hash: cardinality.HashNumber(vt, n), Type: vt}
	case nil:
		return emptyValue
	}
	return cardinality.Value{Hash: cardinality.HashNumber(vt, 0), Type: vt}
}

// attributeHash is the hash of one attribute, key and value.
func attributeHash(key string, v cardinality.Value) uint64 {
	return cardinality.Attribute(cardinality.HashKey(key), v.Hash)
}

// scopeHash is the hash of a scope: its name, version and attributes (the
// XOR of their hashes).
func scopeHash(name, version string, attrs uint64) uint64 {
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	return cardinality.HashString(str, name) ^ bits.RotateLeft64(cardinality.HashString(str, version), 17) ^ attrs
}

// positions sets perm[i] to the index in normalized (sorted, without
// duplicates) of wire[i], wire being the same attributes in the order read.
func positions(perm []int32, normalized, wire []schemaid.Attribute) []int32 {
	perm = perm[:0]
	for _, a := range wire {
		j := 0
		for j < len(normalized)-1 && normalized[j] != a {
			j++
		}
		perm = append(perm, int32(j))
	}
	return perm
}

// record adds the current point of m, whose shape is info and whose
// values, in the order read, are s.ptVals[s.ptBase:], to the request's log,
// putting its values in the order of the shape's attributes.
func (s *scratch) record(m *metricState, info *shapeInfo) {
	s.ptSlot = append(s.ptSlot, int32(m.slot-1))
	s.ptSeries = append(s.ptSeries, cardinality.Series(s.resources[m.resource].hash, s.scopes[m.scope].hash, s.kvx))
	if m.identity {
		return
	}
	s.tmp = append(s.tmp[:0], s.ptVals[s.ptBase:]...)
	s.ptVals = s.ptVals[:s.ptBase+len(info.shape.Attributes)]
	for i, v := range s.tmp {
		s.ptVals[s.ptBase+int(m.perm[i])] = v
	}
}

// identity reports whether perm leaves k attributes where they are: the
// usual case, since SDKs write attributes sorted.
func identity(perm []int32, k int) bool {
	if len(perm) != k {
		return false
	}
	for i, p := range perm {
		if int(p) != i {
			return false
		}
	}
	return true
}

// nextValue is room for the next value of the point being read, at the end
// of the log; its previous content is garbage the reader overwrites.
func (s *scratch) nextValue() *cardinality.Value {
	n := len(s.ptVals)
	if n == cap(s.ptVals) {
		s.ptVals = append(s.ptVals, cardinality.Value{})
	}
	s.ptVals = s.ptVals[:n+1]
	return &s.ptVals[n]
}

// unread drops the values of a point that is refused.
func (s *scratch) unread() {
	if s.track {
		s.ptVals = s.ptVals[:s.ptBase]
	}
}

// keyHash is the hash of key, the pos'th attribute of the point being
// read. Points of a metric nearly always repeat their keys in the same
// places, so the hash of the key in the same place of the metric's last
// point is used when the key is the same (same: compared already).
func (s *scratch) keyHash(pos int, key string, same bool) uint64 {
	if pos < s.khValid && same {
		return s.khash[pos]
	}
	h := cardinality.HashKey(key)
	if pos < len(s.khash) {
		s.khash[pos] = h
	} else {
		s.khash = append(s.khash, h)
	}
	return h
}

// points hands the request's log to pts, by observation, for the
// observations to view. Points nearly always come grouped by observation
// (a metric's points share a shape), and then the log's memory is handed
// over as it is, pts' going to the scratch for the next request; otherwise
// a counting sort copies it, two passes. Spans and log records have no
// series hashes (see item_costs.go): their observations get no Series.
func (s *scratch) points(pts *ingest.Points, obs []ingest.Observation) {
	series := len(s.ptSeries) > 0
	if grouped(s.ptSlot) {
		if series {
			pts.Series, s.ptSeries = s.ptSeries, pts.Series[:0]
		} else {
			pts.Series = pts.Series[:0]
		}
		pts.Values, s.ptVals = s.ptVals, pts.Values[:0]
		var at, vat int
		for p := 0; p < len(s.ptSlot); {
			slot, q := s.ptSlot[p], p
			for q < len(s.ptSlot) && s.ptSlot[q] == slot {
				q++
			}
			o := &obs[slot]
			nv := (q - p) * len(o.Shape.Attributes)
			if series {
				o.Series = pts.Series[at : at+q-p : at+q-p]
			}
			o.Values = pts.Values[vat : vat+nv : vat+nv]
			at, vat, p = at+q-p, vat+nv, q
		}
		return
	}
	pts.Series = grow(pts.Series, len(s.ptSeries))
	pts.Values = grow(pts.Values, len(s.ptVals))
	start := s.slotStart[:0]
	for range s.order {
		start = append(start, 0)
	}
	for _, slot := range s.ptSlot {
		start[slot]++
	}
	var at, vat int
	for i, n := range start {
		k := len(s.order[i].shape.shape.Attributes)
		if series {
			obs[i].Series = pts.Series[at : at : at+int(n)]
		}
		obs[i].Values = pts.Values[vat : vat : vat+int(n)*k]
		at += int(n)
		vat += int(n) * k
	}
	s.slotStart = start
	vi := 0
	for p, slot := range s.ptSlot {
		o := &obs[slot]
		k := len(o.Shape.Attributes)
		if series {
			o.Series = append(o.Series, s.ptSeries[p])
		}
		o.Values = append(o.Values, s.ptVals[vi:vi+k]...)
		vi += k
	}
}

// grouped reports whether each slot's points are together in the log.
// Slots are numbered in the order they first appear, so that is when the
// log never goes back to a lower one.
func grouped(slots []int32) bool {
	for i := 1; i < len(slots); i++ {
		if slots[i] < slots[i-1] {
			return false
		}
	}
	return true
}

// resource interns a resource read into s.attrs (and, tracking, its values
// into s.vals and their hash into s.kvx), aligning its values with its
// normalized attributes.
func (in *Inferrer) resource(s *scratch, p ingest.Producer) resourceInfo {
	r := resourceInfo{producer: in.internProducer(p)}
	if s.track {
		s.wire = append(s.wire[:0], s.attrs...)
	}
	r.attrs = in.internAttributes(s, s.attrs)
	if s.track {
		r.hash, r.valOff = s.kvx, len(s.resVals)
		r.valEnd = r.valOff + len(r.attrs)
		s.resVals = slices.Grow(s.resVals, len(r.attrs))[:r.valEnd]
		s.perm = positions(s.perm, r.attrs, s.wire)
		for i, v := range s.vals {
			s.resVals[r.valOff+int(s.perm[i])] = v
		}
	}
	return r
}

// pointValues reads the values of a decoded data point into the log, as
// the scanner does from the wire.
func (s *scratch) pointValues(kvs []*commonpb.KeyValue) {
	if !s.track {
		return
	}
	s.kvx, s.ptBase = 0, len(s.ptVals)
	for _, kv := range kvs {
		v := decodedValue(kv.GetValue())
		*s.nextValue() = v
		s.kvx ^= attributeHash(kv.GetKey(), v)
	}
}

// decodedValues reads the values of decoded attributes into s.vals and
// their hash into s.kvx, as the scanner does from the wire.
func (s *scratch) decodedValues(kvs []*commonpb.KeyValue) {
	s.vals, s.kvx = s.vals[:0], 0
	if !s.track {
		return
	}
	for _, kv := range kvs {
		v := decodedValue(kv.GetValue())
		s.vals = append(s.vals, v)
		s.kvx ^= attributeHash(kv.GetKey(), v)
	}
}
