package infer

import (
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Field numbers of the OTLP trace messages the span scanner reads. The ids,
// the trace state, the timestamps, the status message and the dropped counts
// are validated but never read: they are not part of a shape.
const (
	fSpanName        = 5
	fSpanKind        = 6
	fSpanAttributes  = 9
	fSpanEvents      = 11
	fSpanLinks       = 13
	fSpanStatus      = 15
	fEventName       = 2
	fEventAttributes = 3
	fLinkAttributes  = 4
	fStatusCode      = 3
)

// Tables of the trace messages, walked from the request as the metrics'
// are.
var (
	traceRequestTable  = buildTable((&coltracepb.ExportTraceServiceRequest{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*msgTable{})
	resourceSpansTable = traceRequestTable.field(fRequestResourceMetrics).msg
	scopeSpansTable    = resourceSpansTable.field(fResourceMetricsScopes).msg
	spanTable          = mustBe(scopeSpansTable.field(fScopeMetricsMetrics).msg, "opentelemetry.proto.trace.v1.Span")
	eventTable         = mustBe(spanTable.field(fSpanEvents).msg, "opentelemetry.proto.trace.v1.Span.Event")
	linkTable          = mustBe(spanTable.field(fSpanLinks).msg, "opentelemetry.proto.trace.v1.Span.Link")
	statusTable        = mustBe(spanTable.field(fSpanStatus).msg, "opentelemetry.proto.trace.v1.Status")

	tracesLayout = layout{sig: schemaid.Span, request: traceRequestTable, resource: resourceSpansTable, scopes: scopeSpansTable}
)

// mustBe checks, once at start, that a table found by field numbers is the
// message the scanner takes it for.
func mustBe(t *msgTable, name protoreflect.FullName) *msgTable {
	if t == nil || t.name != name {
		panic("infer: the scanner's field numbers do not lead to " + string(name))
	}
	return t
}

// ScanTraces returns the observations of a protobuf-encoded
// ExportTraceServiceRequest, reading only span names, kinds, the status code,
// event names and attribute keys with their value types, and, tracking
// costs, the values of spans' own attributes. It returns an error for
// exactly the inputs proto.Unmarshal refuses.
func (in *Inferrer) ScanTraces(b []byte) (ingest.Result, error) {
	return in.scan(b, &tracesLayout)
}

// scanSpan reads one span at depth and counts it, with the values of its
// own attributes when tracking costs (see item_costs.go). Occurrences of a
// field merge as proto.Unmarshal merges them: the last name and kind win,
// and the status code is the last one in any occurrence of the status.
func (in *Inferrer) scanSpan(s *scratch, b []byte, ri, si, depth int) error {
	if depth > s.limit {
		return errDepth
	}
	s.beginItem(0)
	sh := schemaid.Shape{Signal: schemaid.Span}
	var kind, code int32
	attrs := s.attrs[:0]
	r := reader{b: b}
	for r.next() {
		if r.typ == protowire.VarintType && r.num == fSpanKind {
			kind = int32(varint(r.val()))
			continue
		}
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		switch r.num {
		case fSpanName:
			sh.Name, err = utf8Str(r.val())
		case fSpanAttributes:
			attrs, err = s.ownKeyValue(attrs, r.val(), depth+1)
		case fSpanEvents:
			attrs, err = s.scanEvent(attrs, r.val(), depth+1)
		case fSpanLinks:
			attrs, err = scanAttributesOf(attrs, r.val(), linkTable, fLinkAttributes, schemaid.Link, depth+1, s.limit)
		case fSpanStatus:
			code, err = scanStatusCode(r.val(), code, depth+1, s.limit)
		default:
			err = checkBytes(spanTable, r.num, r.val(), depth, s.limit)
		}
		if err != nil {
			return err
		}
	}
	if r.bad {
		return errTruncated
	}
	sh.SpanKind = spanKind(kind)
	s.attrs = attrs
	in.item(s, &sh, attrs, ri, si, code == statusError)
	return nil
}

// appendKeyValue reads a KeyValue at depth as an attribute of source src.
func appendKeyValue(dst []schemaid.Attribute, b []byte, src schemaid.Source, depth, limit int) ([]schemaid.Attribute, error) {
	key, vt, _, err := scanKeyValue(b, false, "", depth, limit, nil)
	return append(dst, schemaid.Attribute{Key: key, Type: vt, Source: src}), err
}

// scanAttributesOf reads the attributes (field num) of a message of table t
// at depth, a span link say, as attributes of source src, checking the
// rest of it.
func scanAttributesOf(dst []schemaid.Attribute, b []byte, t *msgTable, num protowire.Number, src schemaid.Source, depth, limit int) ([]schemaid.Attribute, error) {
	if depth > limit {
		return dst, errDepth
	}
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		if r.num == num {
			dst, err = appendKeyValue(dst, r.val(), src, depth+1, limit)
		} else {
			err = checkBytes(t, r.num, r.val(), depth, limit)
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, r.err()
}

// scanEvent reads a span event at depth: the field that stands for it and
// its attributes, all under its name (the last one the event carries).
func (s *scratch) scanEvent(dst []schemaid.Attribute, b []byte, depth int) ([]schemaid.Attribute, error) {
	if depth > s.limit {
		return dst, errDepth
	}
	start := len(dst)
	dst = append(dst, schemaid.Attribute{Source: schemaid.Event, Type: tallycatv1.ValueType_VALUE_TYPE_EMPTY})
	name := ""
	r := reader{b: b}
	for r.next() {
		if r.typ != protowire.BytesType {
			continue
		}
		var err error
		switch r.num {
		case fEventName:
			name, err = utf8Str(r.val())
		case fEventAttributes:
			dst, err = appendKeyValue(dst, r.val(), schemaid.Event, depth+1, s.limit)
		default:
			err = checkBytes(eventTable, r.num, r.val(), depth, s.limit)
		}
		if err != nil {
			return dst, err
		}
	}
	if r.bad {
		return dst, errTruncated
	}
	e := s.eventName(name)
	for i := start; i < len(dst); i++ {
		dst[i].Event = e
	}
	return dst, nil
}

// eventName interns an event name, remembering the last one: a span's
// events and the spans of a request repeat a few names.
func (s *scratch) eventName(name string) schemaid.EventName {
	if name != s.lastEvent.String() {
		s.lastEvent = schemaid.MakeEventName(name)
	}
	return s.lastEvent
}

// scanStatusCode reads a Status at depth and returns its code, or code when
// it carries none, as a later occurrence of the status merges into an
// earlier one.
func scanStatusCode(b []byte, code int32, depth, limit int) (int32, error) {
	if depth > limit {
		return code, errDepth
	}
	r := reader{b: b}
	for r.next() {
		switch {
		case r.typ == protowire.VarintType && r.num == fStatusCode:
			code = int32(varint(r.val()))
		case r.typ == protowire.BytesType:
			if err := checkBytes(statusTable, r.num, r.val(), depth, limit); err != nil {
				return code, err
			}
		}
	}
	return code, r.err()
}
