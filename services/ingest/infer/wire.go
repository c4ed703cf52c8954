package infer

import (
	"errors"
	"fmt"
	"unicode/utf8"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The scanner reads OTLP protobuf without decoding it into messages, but it
// must refuse exactly what proto.Unmarshal refuses, or a request would be
// accepted by one path and not the other. validate walks a whole request and
// checks what proto.Unmarshal checks: well-formed tags and lengths, packed
// fields, nested messages, and UTF-8 in every proto3 string field. The
// tables it walks are built from the OTLP descriptors themselves, so a field
// added to OTLP is validated without code here changing.

// DefaultMaxDepth is proto.Unmarshal's default nesting limit.
const DefaultMaxDepth = protowire.DefaultRecursionLimit

type wireKind uint8

const (
	kindVarint wireKind = iota + 1
	kindFixed32
	kindFixed64
	kindBytes
	kindString
	kindMessage
)

type fieldInfo struct {
	kind     wireKind
	repeated bool
	msg      *msgTable
}

type msgTable struct {
	name   protoreflect.FullName
	fields []fieldInfo // indexed by field number; zero kind: unknown
}

func (t *msgTable) field(num protowire.Number) *fieldInfo {
	if int(num) < len(t.fields) && t.fields[num].kind != 0 {
		return &t.fields[num]
	}
	return nil
}

// requestTable describes ExportMetricsServiceRequest and everything in it.
var requestTable = buildTable((&colmetricpb.ExportMetricsServiceRequest{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*msgTable{})

func buildTable(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]*msgTable) *msgTable {
	if t, ok := seen[md.FullName()]; ok {
		return t
	}
	t := &msgTable{name: md.FullName()}
	seen[md.FullName()] = t
	fields := md.Fields()
	max := 0
	for i := 0; i < fields.Len(); i++ {
		max = maxInt(max, int(fields.Get(i).Number()))
	}
	t.fields = make([]fieldInfo, max+1)
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		fi := fieldInfo{repeated: fd.Cardinality() == protoreflect.Repeated}
		switch fd.Kind() {
		case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Int64Kind,
			protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind:
			fi.kind = kindVarint
		case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
			fi.kind = kindFixed32
		case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
			fi.kind = kindFixed64
		case protoreflect.BytesKind:
			fi.kind = kindBytes
		case protoreflect.StringKind:
			fi.kind = kindString
		case protoreflect.MessageKind:
			fi.kind = kindMessage
			fi.msg = buildTable(fd.Message(), seen)
		default:
			panic(fmt.Sprintf("infer: %s has a field of kind %v the scanner does not know", md.FullName(), fd.Kind()))
		}
		t.fields[fd.Number()] = fi
	}
	return t
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

var (
	errTruncated = errors.New("truncated or malformed field")
	errUTF8      = errors.New("string field contains invalid UTF-8")
	errDepth     = errors.New("exceeded maximum nesting depth")
)

// consumeTag is protowire.ConsumeTag with the one-byte case inline, and with
// the field number check proto.Unmarshal makes (ConsumeTag lets numbers up to
// 2^31 through).
func consumeTag(b []byte) (protowire.Number, protowire.Type, int) {
	if c := b[0]; c < 0x80 {
		if c>>3 == 0 {
			return 0, 0, -1
		}
		return protowire.Number(c >> 3), protowire.Type(c & 7), 1
	}
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num > protowire.MaxValidNumber {
		return 0, 0, -1
	}
	return num, typ, n
}

// consumeBytes is protowire.ConsumeBytes with the one-byte length inline.
func consumeBytes(b []byte) ([]byte, int) {
	if len(b) > 0 && b[0] < 0x80 {
		l := int(b[0])
		if l+1 > len(b) {
			return nil, -1
		}
		return b[1 : 1+l], 1 + l
	}
	return protowire.ConsumeBytes(b)
}

// validate checks b as a message of table t, as proto.Unmarshal would.
func validate(b []byte, t *msgTable, depth, limit int) error {
	if depth > limit {
		return errDepth
	}
	if t == keyValueTable {
		return validateKeyValue(b, depth, limit)
	}
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		fi := t.field(num)
		if fi != nil {
			if n, err := validateKnown(b, fi, typ, depth, limit); err != nil {
				return err
			} else if n >= 0 {
				b = b[n:]
				continue
			}
		}
		// An unknown field, or a known one with another wire type, which
		// proto.Unmarshal keeps as unknown: it need only be well formed.
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
	}
	return nil
}

// validateKnown checks one known field's value and returns its length, or
// -1 when its wire type does not match the field (so it is unknown).
func validateKnown(b []byte, fi *fieldInfo, typ protowire.Type, depth, limit int) (int, error) {
	switch {
	case fi.kind == kindVarint && typ == protowire.VarintType:
		_, n := protowire.ConsumeVarint(b)
		return n, nilIf(n >= 0)
	case fi.kind == kindFixed32 && typ == protowire.Fixed32Type:
		_, n := protowire.ConsumeFixed32(b)
		return n, nilIf(n >= 0)
	case fi.kind == kindFixed64 && typ == protowire.Fixed64Type:
		_, n := protowire.ConsumeFixed64(b)
		return n, nilIf(n >= 0)
	case typ != protowire.BytesType:
		return -1, nil
	}
	v, n := consumeBytes(b)
	if n < 0 {
		return 0, errTruncated
	}
	switch fi.kind {
	case kindBytes:
	case kindString:
		if !utf8.Valid(v) {
			return 0, errUTF8
		}
	case kindMessage:
		if err := validate(v, fi.msg, depth+1, limit); err != nil {
			return 0, err
		}
	default: // a packed repeated scalar
		if !fi.repeated {
			return -1, nil
		}
		if !validPacked(v, fi.kind) {
			return 0, errTruncated
		}
	}
	return n, nil
}

func validPacked(v []byte, k wireKind) bool {
	for len(v) > 0 {
		var n int
		switch k {
		case kindVarint:
			_, n = protowire.ConsumeVarint(v)
		case kindFixed32:
			_, n = protowire.ConsumeFixed32(v)
		case kindFixed64:
			_, n = protowire.ConsumeFixed64(v)
		}
		if n < 0 {
			return false
		}
		v = v[n:]
	}
	return true
}

func nilIf(ok bool) error {
	if ok {
		return nil
	}
	return errTruncated
}

// The KeyValue and AnyValue messages make up most of every request, so they
// have validators of their own; the generic walk handles everything else.
var (
	keyValueTable = requestTable.field(1).msg. // ResourceMetrics
			field(1).msg.                // Resource
			field(1).msg                 // KeyValue
	anyValueTable = keyValueTable.field(2).msg
)

func validateKeyValue(b []byte, depth, limit int) error {
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if typ == protowire.BytesType && (num == 1 || num == 2) {
			v, m := consumeBytes(b)
			if m < 0 {
				return errTruncated
			}
			if num == 1 {
				if !utf8.Valid(v) {
					return errUTF8
				}
			} else if err := validateAnyValue(v, depth+1, limit); err != nil {
				return err
			}
			b = b[m:]
			continue
		}
		if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
			return errTruncated
		}
		b = b[n:]
	}
	return nil
}

func validateAnyValue(b []byte, depth, limit int) error {
	if depth > limit {
		return errDepth
	}
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if typ == protowire.BytesType && num >= 1 && num <= 7 && num != 2 && num != 3 && num != 4 {
			v, m := consumeBytes(b)
			if m < 0 {
				return errTruncated
			}
			switch num {
			case 1:
				if !utf8.Valid(v) {
					return errUTF8
				}
			case 5, 6:
				if err := validate(v, anyValueTable.field(num).msg, depth+1, limit); err != nil {
					return err
				}
			}
			b = b[m:]
			continue
		}
		if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
			return errTruncated
		}
		b = b[n:]
	}
	return nil
}
