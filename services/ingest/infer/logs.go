package infer

import (
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Field numbers of the OTLP LogRecord fields the log scanner reads. The
// timestamps, ids, flags and dropped counts are validated but never read,
// and of the body only its type and map keys are: its values, the message
// of a string body among them, never leave the request.
const (
	fLogSeverityNumber = 2
	fLogSeverityText   = 3
	fLogBody           = 5
	fLogAttributes     = 6
	fLogEventName      = 12
)

var (
	logsRequestTable  = buildTable((&collogspb.ExportLogsServiceRequest{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*msgTable{})
	resourceLogsTable = logsRequestTable.field(fRequestResourceMetrics).msg
	scopeLogsTable    = resourceLogsTable.field(fResourceMetricsScopes).msg
	logRecordTable    = mustBe(scopeLogsTable.field(fScopeMetricsMetrics).msg, "opentelemetry.proto.logs.v1.LogRecord")

	logsLayout = layout{sig: schemaid.Log, request: logsRequestTable, resource: resourceLogsTable, scopes: scopeLogsTable}
)

// ScanLogs returns the observations of a protobuf-encoded
// ExportLogsServiceRequest, reading only event names, attribute keys with
// their value types, the body's type and map keys and whether severity is
// set, and, tracking costs, the values of the records' attributes and
// severity fields, never the body's; each record's size is summed. It
// returns an error for exactly the inputs proto.Unmarshal refuses.
func (in *Inferrer) ScanLogs(b []byte) (ingest.Result, error) {
	return in.scan(b, &logsLayout)
}

// scanLogRecord reads one log record at depth and counts it, its size
// being its message's as received (see item_costs.go). Occurrences of a
// field merge as proto.Unmarshal merges them: the last event name,
// severity number and text win, and the occurrences of the body make one
// value (see bodyFields).
func (in *Inferrer) scanLogRecord(s *scratch, b []byte, ri, si, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	s.beginItem(len(b))
	var eventName, attrName, severityText string
	var severityNumber int32
	attrs := s.attrs[:0]
	s.bodies = s.bodies[:0]
	r := reader{b: b}
	for r.next() {
		if r.typ == protowire.VarintType && r.num == fLogSeverityNumber {
			severityNumber = int32(varint(r.val()))
			continue
		}
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		switch r.num {
		case fLogEventName:
			eventName, err = utf8Str(r.val())
		case fLogSeverityText:
			severityText, err = utf8Str(r.val())
		case fLogAttributes:
			attrs, err = s.ownKeyValue(attrs, r.val(), depth+1)
			if err == nil && attrs[len(attrs)-1].Key == eventNameKey {
				attrName = eventNameText(r.val(), depth+1, s.limit)
			}
		case fLogBody:
			s.bodies = append(s.bodies, r.val()) // checked as it is read, below
		default:
			err = checkBytes(logRecordTable, r.num, r.val(), depth, s.limit)
		}
		if err != nil {
			return err
		}
	}
	if r.bad {
		return errTruncated
	}
	if len(s.bodies) > 0 {
		var err error
		if attrs, err = in.bodyFields(s, attrs, depth+1); err != nil {
			return err
		}
	}
	attrs = s.severityFields(attrs, severityNumber, severityText)
	s.attrs = attrs
	sh := s.logHeader(eventName, attrName, si)
	in.item(s, &sh, attrs, ri, si, false)
	return nil
}

// eventNameText is the value of an event.name attribute, checked already,
// when it is a string: the event name of SDKs older than the event_name
// field.
func eventNameText(b []byte, depth, limit int) string {
	_, vt, text, err := scanKeyValue(b, true, "", depth, limit, nil)
	if err != nil || vt != tallycatv1.ValueType_VALUE_TYPE_STRING {
		return ""
	}
	return text
}

// bodyFields appends the fields of the body whose occurrences are in
// s.bodies, AnyValues at depth: the field "body" with the body's type and,
// for a map body, its keys (see bodyKeys). It checks the body as it reads
// it, in one pass, as proto.Unmarshal would: what it does not read (the
// values, a map replaced by a later member, what is past the limits of
// keys) it hands to validate.
func (in *Inferrer) bodyFields(s *scratch, dst []schemaid.Attribute, depth int) ([]schemaid.Attribute, error) {
	f := bodyField
	f.Type = tallycatv1.ValueType_VALUE_TYPE_EMPTY
	start := len(s.lists)
	var member protowire.Number
	var err error
	for _, occ := range s.bodies {
		if f.Type, member, err = s.anyValue(occ, start, f.Type, member, depth); err != nil {
			return dst, err
		}
	}
	dst = append(dst, f)
	if f.Type == tallycatv1.ValueType_VALUE_TYPE_MAP {
		n := 0
		dst, err = in.bodyKeys(s, dst, f.Key, start, 1, depth+1, &n)
	}
	s.lists = s.lists[:start]
	return dst, err
}

// keyValueListTable is AnyValue's kvlist_value, the map member.
var keyValueListTable = mustBe(anyValueTable.field(6).msg, "opentelemetry.proto.common.v1.KeyValueList")

// anyValue reads one occurrence of an AnyValue at depth on top of the
// earlier ones, checking it: it returns the type of the member set last
// (vt, from earlier occurrences, when it sets none) and its field number.
// While the member is a map, the occurrences of its KeyValueList are kept
// in s.lists[start:], in order, to be read as one list, as proto.Unmarshal
// merges them, and checked as they are read; another member set after a
// map drops them, checked as they are dropped.
func (s *scratch) anyValue(b []byte, start int, vt tallycatv1.ValueType, member protowire.Number, depth int) (tallycatv1.ValueType, protowire.Number, error) {
	if depth > s.limit {
		return vt, member, errDepth
	}
	for r := (reader{b: b}); ; {
		if !r.next() {
			return vt, member, r.err()
		}
		t, ok := anyValueMember(r.num, r.typ)
		if t != tallycatv1.ValueType_VALUE_TYPE_MAP && r.typ == protowire.BytesType {
			if err := checkBytes(anyValueTable, r.num, r.val(), depth, s.limit); err != nil {
				return vt, member, err
			}
		}
		if !ok {
			continue
		}
		if r.num != member {
			if err := s.dropLists(start, depth+1); err != nil {
				return vt, member, err
			}
		}
		vt, member = t, r.num
		if t == tallycatv1.ValueType_VALUE_TYPE_MAP {
			s.lists = append(s.lists, r.val())
		}
	}
}

// dropLists checks the KeyValueLists s.lists[start:], at depth, that are
// not read, and drops them.
func (s *scratch) dropLists(start, depth int) error {
	for _, l := range s.lists[start:] {
		if err := validate(l, keyValueListTable, depth, s.limit); err != nil {
			return err
		}
	}
	s.lists = s.lists[:start]
	return nil
}

// bodyKeys appends the keys of the map whose list occurrences are
// s.lists[start:] (KeyValueLists at wire depth wd; the body's own keys are
// at depth 1 of the body), dotted after prefix, counting them in n: a map
// value with keys is followed while depth is under the limit, anything else
// is one field of its type, and keys past the limit of keys are left out.
// Duplicate keys are kept as the decoded list keeps them; the shape's
// normalization drops exact repeats. Everything is checked as it is read,
// and what is not read (values, lists not followed, keys past the limit)
// is validated.
func (in *Inferrer) bodyKeys(s *scratch, dst []schemaid.Attribute, prefix string, start, depth, wd int, n *int) ([]schemaid.Attribute, error) {
	end := len(s.lists)
	for i := start; i < end; i++ {
		if wd > s.limit {
			return dst, errDepth
		}
		r := reader{b: s.lists[i]}
		for r.next() {
			if !r.bytesField(1) { // KeyValueList.values
				if r.typ == protowire.BytesType {
					if err := checkBytes(keyValueListTable, r.num, r.val(), wd, s.limit); err != nil {
						return dst, err
					}
				}
				continue
			}
			if *n >= in.limits.bodyKeys() {
				if err := validate(r.val(), keyValueTable, wd+1, s.limit); err != nil {
					return dst, err
				}
				continue
			}
			if wd+1 > s.limit {
				return dst, errDepth
			}
			key, vt := "", tallycatv1.ValueType_VALUE_TYPE_EMPTY
			var member protowire.Number
			kv := reader{b: r.val()}
			for kv.next() {
				var err error
				switch {
				case kv.bytesField(fKeyValueKey):
					key, err = utf8Str(kv.val())
				case kv.bytesField(fKeyValueValue):
					vt, member, err = s.anyValue(kv.val(), end, vt, member, wd+2)
				case kv.typ == protowire.BytesType:
					err = checkBytes(keyValueTable, kv.num, kv.val(), wd+1, s.limit)
				}
				if err != nil {
					return dst, err
				}
			}
			if kv.bad {
				return dst, errTruncated
			}
			key = s.dotted(prefix, key)
			var err error
			if vt == tallycatv1.ValueType_VALUE_TYPE_MAP && depth < in.limits.bodyDepth() && hasValues(s.lists[end:]) {
				dst, err = in.bodyKeys(s, dst, key, end, depth+1, wd+3, n)
			} else {
				*n++
				dst = append(dst, schemaid.Attribute{Key: key, Type: vt, Source: schemaid.Body})
				err = s.dropLists(end, wd+3)
			}
			s.lists = s.lists[:end]
			if err != nil {
				return dst, err
			}
		}
		if r.bad {
			return dst, errTruncated
		}
	}
	return dst, nil
}

// hasValues reports whether the occurrences of a KeyValueList hold a value.
func hasValues(lists [][]byte) bool {
	for _, l := range lists {
		for r := (reader{b: l}); r.next(); {
			if r.bytesField(1) {
				return true
			}
		}
	}
	return false
}

// dotted is prefix.key, kept in the request's arena of keys: a chunk is
// never moved once a key views it, so that the keys of a request stay valid
// for as long as the request. A full chunk is replaced by one twice its
// size, and the last one is reused by the next request, so that a warm
// arena holds a request's keys in one chunk and costs no allocation.
func (s *scratch) dotted(prefix, key string) string {
	need := len(prefix) + 1 + len(key)
	if cap(s.arena)-len(s.arena) < need {
		s.arena = make([]byte, 0, max(4096, 2*cap(s.arena), need))
	}
	at := len(s.arena)
	s.arena = append(s.arena, prefix...)
	s.arena = append(s.arena, '.')
	s.arena = append(s.arena, key...)
	return str(s.arena[at:])
}
