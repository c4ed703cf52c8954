package infer

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
)

// The reading of attributes (KeyValue and AnyValue, most of every request)
// and of strings, for the scanner.

// str views bytes of the request as a string without copying; nothing that
// outlives the request may keep it (the builder clones what it keeps).
func str(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// utf8Str is str for a proto3 string field, which must hold UTF-8.
func utf8Str(b []byte) (string, error) {
	if !validUTF8(b) {
		return "", errUTF8
	}
	return str(b), nil
}

// validUTF8 is utf8.Valid with the all-ASCII case, nearly every key and
// value in telemetry, checked eight bytes at a time without a call.
func validUTF8(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return utf8.Valid(b)
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return utf8.Valid(b)
		}
	}
	return true
}

func varint(v []byte) uint64 {
	x, _ := protowire.ConsumeVarint(v)
	return x
}

// scanKeyValue reads a KeyValue at depth: its key and value type, and, when
// wantText is set, its value as identity text (see text). Repeated
// occurrences of the key or of the value merge as proto.Unmarshal merges
// them: the last key wins, and the value's type is the last oneof member set
// in any of them.
//
// known is a key checked before; a key equal to it is not checked again.
// When val is set, the value is read into it too (see wireValue).
func scanKeyValue(b []byte, wantText bool, known string, depth, limit int, val *cardinality.Value) (key string, vt tallycatv1.ValueType, text string, err error) {
	if depth > limit {
		return "", 0, "", errDepth
	}
	if !wantText && depth < limit {
		if key, vt, _, ok := scanPlainKeyValue(b, known, val); ok {
			return key, vt, "", nil
		}
	}
	vt = tallycatv1.ValueType_VALUE_TYPE_EMPTY
	if val != nil {
		*val = emptyValue
	}
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType {
			continue
		}
		switch r.num {
		case fKeyValueKey:
			if key = str(r.val()); key != known && !validUTF8(r.val()) {
				return "", 0, "", errUTF8
			}
		case fKeyValueValue:
			if depth+1 > limit {
				return "", 0, "", errDepth
			}
			f := reader{b: r.val()}
			for f.next() {
				if f.typ == protowire.BytesType {
					if err = checkBytes(anyValueTable, f.num, f.val(), depth+1, limit); err != nil {
						return "", 0, "", err
					}
				}
				t, ok := anyValueMember(f.num, f.typ)
				if !ok {
					continue
				}
				vt = t
				if wantText {
					text = identityText(f.num, f.val())
				}
				if val != nil {
					*val = wireValue(f.num, f.val(), vt)
				}
			}
			if f.bad {
				return "", 0, "", errTruncated
			}
		default:
			if err = checkBytes(keyValueTable, r.num, r.val(), depth, limit); err != nil {
				return "", 0, "", err
			}
		}
	}
	return key, vt, text, r.err()
}

// scanPlainKeyValue reads the KeyValue nearly every exporter writes: the key
// then a value holding one scalar (string, bool, int or double), each field
// once, with one-byte tags and lengths. It reports false, having read nothing,
// for anything else, which scanKeyValue then reads field by field. Any
// UTF-8 check it makes is one scanKeyValue would make too.
//
// When val is set the value is read into it; same reports whether the key
// was known, so that what was worked out for it need not be again.
func scanPlainKeyValue(b []byte, known string, val *cardinality.Value) (key string, vt tallycatv1.ValueType, same, ok bool) {
	if len(b) < 4 || b[0] != fKeyValueKey<<3|2 {
		return "", 0, false, false
	}
	kl := int(b[1])
	if kl >= 0x80 || kl+4 > len(b) || b[2+kl] != fKeyValueValue<<3|2 || int(b[3+kl]) != len(b)-4-kl {
		return "", 0, false, false
	}
	k, v := b[2:2+kl], b[4+kl:]
	if len(v) < 2 {
		return "", 0, false, false
	}
	// The value is read as it is checked: its number (an int, a bool, a
	// double's bits), or for a string its bytes.
	var num uint64
	switch v[0] {
	case 1<<3 | 2: // string_value
		if int(v[1]) != len(v)-2 || !validUTF8(v[2:]) {
			return "", 0, false, false
		}
		vt = tallycatv1.ValueType_VALUE_TYPE_STRING
	case 2 << 3: // bool_value
		if len(v) != 2 || v[1] >= 0x80 {
			return "", 0, false, false
		}
		vt = tallycatv1.ValueType_VALUE_TYPE_BOOL
		if v[1] != 0 {
			num = 1
		}
	case 3 << 3: // int_value
		x, n := protowire.ConsumeVarint(v[1:])
		if n != len(v)-1 {
			return "", 0, false, false
		}
		vt, num = tallycatv1.ValueType_VALUE_TYPE_INT, x
	case 4<<3 | 1: // double_value
		if len(v) != 9 {
			return "", 0, false, false
		}
		vt, num = tallycatv1.ValueType_VALUE_TYPE_DOUBLE, binary.LittleEndian.Uint64(v[1:])
	default:
		return "", 0, false, false
	}
	if key, same = str(k), str(k) == known; same || validUTF8(k) {
		if val != nil {
			// Field by field: no 40-byte value is built and copied.
			val.Type = vt
			if vt == tallycatv1.ValueType_VALUE_TYPE_STRING {
				val.Hash, val.Str, val.Num = cardinality.HashBytes(vt, v[2:]), str(v[2:]), 0
			} else {
				val.Hash, val.Str, val.Num = cardinality.HashNumber(vt, num), "", num
			}
		}
		return key, vt, same, true
	}
	return "", 0, false, false
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
