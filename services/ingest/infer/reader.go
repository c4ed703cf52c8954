package infer

import "google.golang.org/protobuf/encoding/protowire"

// reader iterates over the fields of a message and checks the wire layer as
// it goes, exactly as proto.Unmarshal does: a tag is a well-formed varint
// with a field number in 1..2^29-1, a varint ends within ten bytes, fixed
// fields and length-delimited payloads fit in what is left, groups are
// balanced. What a length-delimited payload holds (UTF-8, a message, packed
// scalars) is the caller's to check, because only the caller knows the field.
// One-byte tags and lengths, by far the most common, are decoded without a
// call.
type reader struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	v   []byte // the payload of a length-delimited field, else the raw value
	bad bool   // the wire data is malformed; next returned false because of it
}

// next moves to the next field and reports whether there was one. When it
// returns false, bad tells the end of the message from malformed data.
//
// It is small enough to be inlined for the two shapes that make up nearly
// every field of a request: a short length-delimited field (attribute keys,
// values, nested messages under 128 bytes) and a fixed64 (timestamps,
// doubles, counts).
func (r *reader) next() bool {
	if b := r.b; len(b) >= 2 && b[0]&0x87 == 2 && b[1] < 0x80 && b[0] >= 8 && int(b[1]) <= len(b)-2 {
		l := int(b[1])
		r.num, r.typ, r.v, r.b = protowire.Number(b[0]>>3), protowire.BytesType, b[2:2+l], b[2+l:]
		return true
	}
	return r.nextSlow()
}

// nextSlow is next for every field.
func (r *reader) nextSlow() bool {
	b := r.b
	if len(b) == 0 {
		return false
	}
	var tag uint64
	if c := b[0]; c < 0x80 {
		tag, b = uint64(c), b[1:]
	} else {
		t, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return r.fail()
		}
		tag, b = t, b[n:]
	}
	if num := tag >> 3; num == 0 || num > uint64(protowire.MaxValidNumber) {
		return r.fail()
	}
	r.num, r.typ = protowire.Number(tag>>3), protowire.Type(tag&7)
	switch r.typ {
	case protowire.BytesType:
		var l uint64
		if len(b) > 0 && b[0] < 0x80 {
			l, b = uint64(b[0]), b[1:]
		} else {
			x, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return r.fail()
			}
			l, b = x, b[n:]
		}
		if l > uint64(len(b)) {
			return r.fail()
		}
		r.v, r.b = b[:l], b[l:]
	case protowire.VarintType:
		n := 1
		if len(b) == 0 || b[0] >= 0x80 {
			if _, n = protowire.ConsumeVarint(b); n < 0 {
				return r.fail()
			}
		}
		r.v, r.b = b[:n], b[n:]
	case protowire.Fixed64Type:
		if len(b) < 8 {
			return r.fail()
		}
		r.v, r.b = b[:8], b[8:]
	case protowire.Fixed32Type:
		if len(b) < 4 {
			return r.fail()
		}
		r.v, r.b = b[:4], b[4:]
	default:
		n := protowire.ConsumeFieldValue(r.num, r.typ, b)
		if n < 0 {
			return r.fail()
		}
		r.v, r.b = b[:n], b[n:]
	}
	return true
}

func (r *reader) fail() bool {
	r.bad, r.b = true, nil
	return false
}

// err is the error for how the iteration ended: nil at the end of a
// well-formed message.
func (r *reader) err() error {
	if r.bad {
		return errTruncated
	}
	return nil
}

// bytesField reports whether the current field is number num, length-delimited.
func (r *reader) bytesField(num protowire.Number) bool {
	return r.num == num && r.typ == protowire.BytesType
}
