package infer

import "google.golang.org/protobuf/encoding/protowire"

// reader iterates over the fields of a message and checks the wire layer as
// it goes, exactly as proto.Unmarshal does: a tag is a well-formed varint
// with a field number in 1..2^29-1, a varint ends within ten bytes, fixed
// fields and length-delimited payloads fit in what is left, groups are
// balanced. What a length-delimited payload holds (UTF-8, a message, packed
// scalars) is the caller's to check, because only the caller knows the field.
//
// It keeps offsets rather than slices so that moving to the next field
// writes no pointer: next is not inlined, and pointer writes through its
// receiver would each pay a write barrier while the garbage collector runs.
type reader struct {
	b      []byte
	pos    int
	num    protowire.Number
	typ    protowire.Type
	vs, ve int  // the payload of a length-delimited field, else the raw value
	bad    bool // the wire data is malformed; next returned false because of it
}

// val is the current field's payload (length-delimited) or raw value.
func (r *reader) val() []byte { return r.b[r.vs:r.ve] }

// next moves to the next field and reports whether there was one. When it
// returns false, bad tells the end of the message from malformed data. The
// two shapes that make up nearly every field of a request, a short
// length-delimited field and a fixed64, are decoded first.
func (r *reader) next() bool {
	b, i := r.b, r.pos
	if i+1 < len(b) {
		tag := b[i]
		if tag < 0x80 && tag >= 8 {
			switch tag & 7 {
			case 2:
				if l := int(b[i+1]); l < 0x80 && l <= len(b)-i-2 {
					r.num, r.typ, r.vs, r.ve, r.pos = protowire.Number(tag>>3), protowire.BytesType, i+2, i+2+l, i+2+l
					return true
				}
			case 1:
				if i+9 <= len(b) {
					r.num, r.typ, r.vs, r.ve, r.pos = protowire.Number(tag>>3), protowire.Fixed64Type, i+1, i+9, i+9
					return true
				}
			}
		}
	}
	return r.nextSlow()
}

// nextSlow is next for every field.
func (r *reader) nextSlow() bool {
	b := r.b[r.pos:]
	if len(b) == 0 {
		return false
	}
	var tag uint64
	n := 1
	if c := b[0]; c < 0x80 {
		tag = uint64(c)
	} else if tag, n = protowire.ConsumeVarint(b); n < 0 {
		return r.fail()
	}
	if num := tag >> 3; num == 0 || num > uint64(protowire.MaxValidNumber) {
		return r.fail()
	}
	r.num, r.typ = protowire.Number(tag>>3), protowire.Type(tag&7)
	start := r.pos + n
	b = b[n:]
	var m int // length of the value, and of its length prefix
	switch r.typ {
	case protowire.BytesType:
		var l uint64
		k := 1
		if len(b) > 0 && b[0] < 0x80 {
			l = uint64(b[0])
		} else if l, k = protowire.ConsumeVarint(b); k < 0 {
			return r.fail()
		}
		if l > uint64(len(b)-k) {
			return r.fail()
		}
		r.vs, r.ve = start+k, start+k+int(l)
		r.pos = r.ve
		return true
	case protowire.VarintType:
		m = 1
		if len(b) == 0 || b[0] >= 0x80 {
			if _, m = protowire.ConsumeVarint(b); m < 0 {
				return r.fail()
			}
		}
	case protowire.Fixed64Type:
		if m = 8; len(b) < 8 {
			return r.fail()
		}
	case protowire.Fixed32Type:
		if m = 4; len(b) < 4 {
			return r.fail()
		}
	default:
		if m = protowire.ConsumeFieldValue(r.num, r.typ, b); m < 0 {
			return r.fail()
		}
	}
	r.vs, r.ve = start, start+m
	r.pos = r.ve
	return true
}

func (r *reader) fail() bool {
	r.bad, r.pos = true, len(r.b)
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
