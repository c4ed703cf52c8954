package infer

import "google.golang.org/protobuf/encoding/protowire"

// reader iterates over the fields of a message that validate has already
// accepted, so it can skip every check. It decodes one-byte tags and lengths,
// by far the most common, without a call.
type reader struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	v   []byte // the payload of a length-delimited field, else the raw value
}

// next moves to the next field and reports whether there was one.
func (r *reader) next() bool {
	if len(r.b) == 0 {
		return false
	}
	var tag uint64
	if c := r.b[0]; c < 0x80 {
		tag, r.b = uint64(c), r.b[1:]
	} else {
		t, n := protowire.ConsumeVarint(r.b)
		tag, r.b = t, r.b[n:]
	}
	r.num, r.typ = protowire.Number(tag>>3), protowire.Type(tag&7)
	switch r.typ {
	case protowire.BytesType:
		var l uint64
		if c := r.b[0]; c < 0x80 {
			l, r.b = uint64(c), r.b[1:]
		} else {
			x, n := protowire.ConsumeVarint(r.b)
			l, r.b = x, r.b[n:]
		}
		r.v, r.b = r.b[:l], r.b[l:]
	case protowire.VarintType:
		n := 1
		for r.b[n-1] >= 0x80 {
			n++
		}
		r.v, r.b = r.b[:n], r.b[n:]
	case protowire.Fixed64Type:
		r.v, r.b = r.b[:8], r.b[8:]
	case protowire.Fixed32Type:
		r.v, r.b = r.b[:4], r.b[4:]
	default:
		n := protowire.ConsumeFieldValue(r.num, r.typ, r.b)
		r.v, r.b = r.b[:n], r.b[n:]
	}
	return true
}

// bytesField reports whether the current field is number num, length-delimited.
func (r *reader) bytesField(num protowire.Number) bool {
	return r.num == num && r.typ == protowire.BytesType
}
