package infer

import (
	"errors"
	"fmt"

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

// validate checks b as a message of table t, as proto.Unmarshal would. The
// scanner calls it for the parts of a request inference does not read; what
// it reads it checks as it reads.
func validate(b []byte, t *msgTable, depth, limit int) error {
	if depth > limit {
		return errDepth
	}
	r := reader{b: b}
	for r.next() {
		if r.typ == protowire.BytesType {
			if err := checkBytes(t, r.num, r.val(), depth, limit); err != nil {
				return err
			}
		}
	}
	return r.err()
}

// checkBytes checks the payload v of length-delimited field num of a message
// of table t at depth: UTF-8 for a string, the message for a message, packed
// values for a repeated scalar. A length-delimited occurrence of a singular
// scalar, or of an unknown field, is kept as unknown by proto.Unmarshal and
// needs no check beyond the reader's.
func checkBytes(t *msgTable, num protowire.Number, v []byte, depth, limit int) error {
	fi := t.field(num)
	if fi == nil {
		return nil
	}
	switch fi.kind {
	case kindBytes:
	case kindString:
		if !validUTF8(v) {
			return errUTF8
		}
	case kindMessage:
		return validate(v, fi.msg, depth+1, limit)
	default:
		if fi.repeated && !validPacked(v, fi.kind) {
			return errTruncated
		}
	}
	return nil
}

func validPacked(v []byte, k wireKind) bool {
	switch k {
	case kindFixed64:
		return len(v)%8 == 0
	case kindFixed32:
		return len(v)%4 == 0
	}
	for len(v) > 0 {
		_, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return false
		}
		v = v[n:]
	}
	return true
}

// Tables of the messages the scanner reads, found by walking from the
// request so that they are the very tables validate uses.
var (
	resourceMetricsTable = requestTable.field(fRequestResourceMetrics).msg
	resourceTable        = resourceMetricsTable.field(fResourceMetricsRes).msg
	keyValueTable        = resourceTable.field(fResourceAttributes).msg
	anyValueTable        = keyValueTable.field(fKeyValueValue).msg
	scopeMetricsTable    = resourceMetricsTable.field(fResourceMetricsScopes).msg
	scopeTable           = scopeMetricsTable.field(fScopeMetricsScope).msg
	metricTable          = scopeMetricsTable.field(fScopeMetricsMetrics).msg
)
