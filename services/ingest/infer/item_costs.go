package infer

import (
	"slices"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Cost figures of spans and log records. A span or a log record is a data
// point of its shape, so its values go into the request's log of points as
// a metric data point's do (see cost.go), one per field of its shape, in the
// order of the shape's fields, for the forwarder to count. Spans and logs
// have no series: no series hash is recorded for them.
//
// Only some fields are counted: a span's own attributes, a log record's
// own attributes and its severity fields. The scanner reads their values
// where it reads their keys anyway. Every other field gets the zero Value
// in its place: a log record's body, whose values may be personal data and
// are never read, not even hashed; and a span event's or link's
// attributes, since a span may carry any number of events and links, so
// that their values are not one per span, and an event's fields are known
// by the event's name too, which a field's cost figures do not carry.
//
// A log record's size (the protobuf encoding of its LogRecord message) is
// summed by observation too: logs are priced by the byte.

// itemCosts is what the scratch holds of the span or log record being read,
// and of the request's log records' sizes.
type itemCosts struct {
	// attrs are the counted fields of the item being read, as read, and
	// vals their values.
	attrs []schemaid.Attribute
	vals  []cardinality.Value
	// size is the item's protobuf size, for a log record.
	size uint64
	// sizes are the bytes of the log records counted, by slot; may be short.
	sizes []uint64
}

// reset forgets the last request, whose keys and values the item's
// slices view: cleared, they keep no request buffer alive in the pool.
func (c *itemCosts) reset() {
	clear(c.attrs[:cap(c.attrs)])
	clear(c.vals[:cap(c.vals)])
	c.attrs, c.vals, c.size = c.attrs[:0], c.vals[:0], 0
	clear(c.sizes)
	c.sizes = c.sizes[:0]
}

// beginItem starts reading a span or a log record of size bytes (0 for a
// span, which is not priced by size).
func (s *scratch) beginItem(size int) {
	s.item.attrs, s.item.vals, s.item.size = s.item.attrs[:0], s.item.vals[:0], uint64(size)
}

// countValue records the value of a counted field of the item being read.
func (s *scratch) countValue(a schemaid.Attribute, v cardinality.Value) {
	if s.track {
		s.item.attrs = append(s.item.attrs, a)
		s.item.vals = append(s.item.vals, v)
	}
}

// ownKeyValue reads a KeyValue of an item's own attributes at depth, as
// appendKeyValue does, and, tracking, records its value, read into its
// place in the item's values rather than copied there.
func (s *scratch) ownKeyValue(dst []schemaid.Attribute, b []byte, depth int) ([]schemaid.Attribute, error) {
	if !s.track {
		return appendKeyValue(dst, b, schemaid.Own, depth, s.limit)
	}
	n := len(s.item.vals)
	if n == cap(s.item.vals) {
		s.item.vals = append(s.item.vals, cardinality.Value{})
	}
	s.item.vals = s.item.vals[:n+1]
	key, vt, _, err := scanKeyValue(b, false, "", depth, s.limit, &s.item.vals[n])
	a := schemaid.Attribute{Key: key, Type: vt, Source: schemaid.Own}
	if err != nil {
		s.item.vals = s.item.vals[:n]
		return append(dst, a), err
	}
	s.item.attrs = append(s.item.attrs, a)
	return append(dst, a), nil
}

// decodedOwn appends a decoded item's own attributes, as ownKeyValue reads
// them from the wire.
func (s *scratch) decodedOwn(dst []schemaid.Attribute, kvs []*commonpb.KeyValue) []schemaid.Attribute {
	for _, kv := range kvs {
		a := schemaid.Attribute{Key: kv.GetKey(), Type: ValueType(kv.GetValue()), Source: schemaid.Own}
		dst = append(dst, a)
		if s.track {
			s.countValue(a, decodedValue(kv.GetValue()))
		}
	}
	return dst
}

// severityNumberValue and severityTextValue are a log record's severity
// fields' values, hashed as an int and a string attribute's are.
func severityNumberValue(n int32) cardinality.Value {
	vt := tallycatv1.ValueType_VALUE_TYPE_INT
	u := uint64(int64(n))
	return cardinality.Value{Hash: cardinality.HashNumber(vt, u), Num: u, Type: vt}
}

func severityTextValue(text string) cardinality.Value {
	vt := tallycatv1.ValueType_VALUE_TYPE_STRING
	return cardinality.Value{Hash: cardinality.HashString(vt, text), Str: text, Type: vt}
}

// severityFields appends a log record's severity fields, those that are
// set, recording their values.
func (s *scratch) severityFields(dst []schemaid.Attribute, number int32, text string) []schemaid.Attribute {
	if number != 0 {
		dst = append(dst, severityNumberField)
		s.countValue(severityNumberField, severityNumberValue(number))
	}
	if text != "" {
		dst = append(dst, severityTextField)
		s.countValue(severityTextField, severityTextValue(text))
	}
	return dst
}

// itemCounted records the item just read, counted in slot under a shape
// of n fields: its size, and, tracking, its values in the request's log,
// in the order of the shape's fields (the i'th counted field's value goes
// to perm[i], see positions), the zero Value where a field is not counted.
func (s *scratch) itemCounted(slot, n int, perm []int32) {
	if s.item.size > 0 {
		for len(s.item.sizes) <= slot {
			s.item.sizes = append(s.item.sizes, 0)
		}
		s.item.sizes[slot] += s.item.size
	}
	if !s.track {
		return
	}
	s.ptSlot = append(s.ptSlot, int32(slot))
	base := len(s.ptVals)
	s.ptVals = slices.Grow(s.ptVals, n)[:base+n]
	vals := s.ptVals[base:]
	clear(vals)
	for i, k := range perm {
		if k >= 0 {
			vals[k] = s.item.vals[i]
		}
	}
}

// positions appends to dst where each counted field of the item just read
// lies among the shape's fields, -1 for none (which cannot be: the shape
// holds every field of the item). Items of one layout have their counted
// fields in the same places, so the repeat-item fast path keeps this with
// the layout and finds nothing again.
func (c *itemCosts) positions(dst []int32, shape []schemaid.Attribute) []int32 {
	at := 0
	for i := range c.attrs {
		k := fieldAt(shape, &c.attrs[i], at)
		dst = append(dst, int32(k))
		if k >= 0 {
			at = k + 1
		}
	}
	return dst
}

// fieldAt is where a is among the shape's fields, looking from at on, then
// from the start: an item's counted fields, read in the order the producer
// wrote them, are most often in the shape's order (SDKs sort attributes),
// and then each is found at once. A field read twice takes its last value.
func fieldAt(shape []schemaid.Attribute, a *schemaid.Attribute, at int) int {
	for k := at; k < len(shape); k++ {
		if shape[k] == *a {
			return k
		}
	}
	for k := 0; k < min(at, len(shape)); k++ {
		if shape[k] == *a {
			return k
		}
	}
	return -1
}

// recordBytes is the bytes of each observation's log records.
func (s *scratch) recordBytes(slot int) uint64 {
	if slot < len(s.item.sizes) {
		return s.item.sizes[slot]
	}
	return 0
}
