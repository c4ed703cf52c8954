package infer_test

import (
	"fmt"
	"strings"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
)

// Seeds of the span and log differential tests: what SDKs send, and the
// wire-level cases proto.Marshal never writes but proto.Unmarshal reads.

func kvlist(kvs ...*commonpb.KeyValue) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: kvs}}}
}

var (
	traceID = []byte("0123456789abcdef")
	spanID  = []byte("01234567")
	svc     = &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", s("checkout")), kv("service.version", s("1.2.0"))}}
)

// wireField appends field num of wire type bytes holding v.
func wireField(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func wireVarint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// inScope wraps the encoding of items (field 2 of a scope container) in a
// request of any signal: the request, resource and scope containers number
// their fields alike.
func inScope(items ...[]byte) []byte {
	var sc []byte
	sc = wireField(sc, 1, []byte{0x0a, 0x01, 'x'}) // scope name "x"
	for _, it := range items {
		sc = wireField(sc, 2, it)
	}
	return wireField(nil, 1, wireField(nil, 2, sc))
}

func traceSeeds(t testing.TB) [][]byte {
	exception := &tracepb.Span_Event{Name: "exception", Attributes: []*commonpb.KeyValue{kv("exception.type", s("E")), kv("exception.message", s("boom"))}}
	spans := []*tracepb.Span{
		{TraceId: traceID, SpanId: spanID, Name: "GET /users/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER, StartTimeUnixNano: 1, EndTimeUnixNano: 2,
			Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("http.route", s("/users/{id}")), kv("http.response.status_code", i(500))},
			Events:     []*tracepb.Span_Event{exception, {Name: "retry"}, {Name: "retry"}, {}},
			Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "failed"}},
		{Name: "GET /users/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER, Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET"))}},
		{Name: "GET", Kind: tracepb.Span_SPAN_KIND_CLIENT, Attributes: []*commonpb.KeyValue{kv("url.full", s("http://x")), kv("tags", kvlist(kv("a", s("b"))))},
			Links: []*tracepb.Span_Link{{TraceId: traceID, SpanId: spanID, TraceState: "a=b", Attributes: []*commonpb.KeyValue{kv("opentracing.ref_type", s("follows_from"))}}, {}}},
		{Name: "odd kind", Kind: tracepb.Span_SpanKind(9)},
		{Name: "negative kind", Kind: tracepb.Span_SpanKind(-3), Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK}},
		{Kind: tracepb.Span_SPAN_KIND_INTERNAL}, // no name: refused
		{Name: "dup", Attributes: []*commonpb.KeyValue{kv("a", s("1")), kv("a", i(2)), kv("a", s("3")), kv("e", &commonpb.AnyValue{}), kv("n", nil)}},
	}
	req := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{
		{Resource: svc, ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "otelhttp", Version: "0.72.0"}, Spans: spans}, {Spans: spans[:2]}}},
		{}, {ScopeSpans: []*tracepb.ScopeSpans{{}}},
	}}
	many := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{Resource: svc, ScopeSpans: []*tracepb.ScopeSpans{{}}}}}
	for n := range 200 {
		many.ResourceSpans[0].ScopeSpans[0].Spans = append(many.ResourceSpans[0].ScopeSpans[0].Spans,
			&tracepb.Span{Name: fmt.Sprintf("GET /users/%d", n%40), Kind: tracepb.Span_SPAN_KIND_SERVER, Attributes: spans[1].Attributes})
	}
	full := marshal(t, req)
	out := [][]byte{full, marshal(t, many), nil, {}}

	// A span whose name comes after its events, with two kinds, a status in
	// two parts (the code in the first stays), an event whose name comes
	// twice and a link with a wrongly typed attributes field.
	var ev []byte
	ev = wireField(ev, 3, marshal(t, kv("k", s("v"))))
	ev = wireField(ev, 2, []byte("first"))
	ev = wireField(ev, 2, []byte("second"))
	var sp []byte
	sp = wireField(sp, 11, ev)
	sp = wireVarint(sp, 6, 2)
	sp = wireField(sp, 5, []byte("late name"))
	sp = wireVarint(sp, 6, 3)
	sp = wireField(sp, 15, wireVarint(nil, 3, 2))
	sp = wireField(sp, 15, wireField(nil, 2, []byte("message only")))
	sp = wireField(sp, 13, wireVarint(nil, 4, 1))
	sp = wireVarint(sp, 5, 7)                           // a name of the wrong wire type is unknown
	sp = wireField(sp, 15, wireVarint(nil, 3, 1<<32+2)) // an enum is the low 32 bits
	out = append(out, inScope(sp))

	// Invalid: truncated, bad UTF-8 in an event name, in a link's trace
	// state, in a status message.
	out = append(out, full[:len(full)/3], []byte{0x0a, 0x05, 0x01})
	for _, bad := range []string{"exception", "a=b", "failed"} {
		out = append(out, []byte(strings.Replace(string(full), bad, "\xff"+bad[1:], 1)))
	}
	return out
}

func logSeeds(t testing.TB) [][]byte {
	str := func(v string) *commonpb.AnyValue { return s(v) }
	deep := kvlist(kv("a", kvlist(kv("b", kvlist(kv("c", kvlist(kv("d", kvlist(kv("e", str("deep"))))))))))) // past the depth bound
	var wide []*commonpb.KeyValue
	for n := range 80 {
		wide = append(wide, kv(fmt.Sprintf("k%02d", n), i(int64(n))))
	}
	records := []*logspb.LogRecord{
		{EventName: "browser.page_view", Body: kvlist(kv("page", kvlist(kv("url", str("u")), kv("title", str("t")))), kv("empty", kvlist())),
			Attributes: []*commonpb.KeyValue{kv("session.id", str("s"))}, TraceId: traceID, SpanId: spanID, TimeUnixNano: 1, ObservedTimeUnixNano: 2},
		{Attributes: []*commonpb.KeyValue{kv("event.name", str("old.style"))}, Body: deep},
		{Attributes: []*commonpb.KeyValue{kv("event.name", i(7))}, Body: kvlist(wide...)},
		{Attributes: []*commonpb.KeyValue{kv("event.name", str("first")), kv("event.name", &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValueStrindex{StringValueStrindex: 1}})}},
		{EventName: "field.wins", Attributes: []*commonpb.KeyValue{kv("event.name", str("attr"))}},
		{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN, SeverityText: "WARN", Body: str("a message")},
		{SeverityNumber: logspb.SeverityNumber(99), Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: []*commonpb.AnyValue{str("x")}}}}},
		{SeverityText: "only text", Body: &commonpb.AnyValue{}},
		{Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{1}}}},
		{Body: kvlist(kv("dup", str("a")), kv("dup", i(1)), kv("dup", str("b")), kv("", nil))},
		{},
	}
	req := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{
		{Resource: svc, ScopeLogs: []*logspb.ScopeLogs{{Scope: &commonpb.InstrumentationScope{Name: "com.example.checkout"}, LogRecords: records}, {LogRecords: records[4:]}}},
		{}, {ScopeLogs: []*logspb.ScopeLogs{{Scope: &commonpb.InstrumentationScope{Version: "1"}, LogRecords: records[5:7]}}},
	}}
	full := marshal(t, req)
	out := [][]byte{full, nil, {}}

	// A body in occurrences: two map parts that merge, then a map after a
	// string (the string's map is dropped), a key whose value comes in two
	// parts switching member, severity given twice.
	part := func(kvs ...*commonpb.KeyValue) []byte { return marshal(t, kvlist(kvs...)) }
	var lr []byte
	lr = wireField(lr, 5, part(kv("a", str("1"))))
	lr = wireField(lr, 5, part(kv("b", kvlist(kv("c", str("2"))))))
	lr = wireVarint(lr, 2, 9)
	lr = wireVarint(lr, 2, 1<<32) // the low 32 bits are 0: no severity
	lr = wireField(lr, 12, []byte("merged"))
	var other []byte
	other = wireField(other, 5, part(kv("gone", str("x"))))
	other = wireField(other, 5, marshal(t, str("message")))
	other = wireField(other, 5, part(kv("kept", str("y"))))
	var twoParts []byte // a key whose value is a map, then a string
	twoParts = wireField(twoParts, 1, []byte("k"))
	twoParts = wireField(twoParts, 2, marshal(t, kvlist(kv("x", str("1")))))
	twoParts = wireField(twoParts, 2, marshal(t, str("now a string")))
	var third []byte
	third = wireField(third, 5, wireField(nil, 6, wireField(nil, 1, twoParts)))
	third = wireField(third, 5, nil) // an empty occurrence sets nothing
	out = append(out, inScope(lr, other, third))

	// Invalid: truncated, bad UTF-8 deep in a body, in the event name, in
	// the severity text.
	out = append(out, full[:len(full)/2], []byte{0x0a, 0x02, 0x12, 0x05})
	for _, bad := range []string{"title", "browser.page_view", "WARN"} {
		out = append(out, []byte(strings.Replace(string(full), bad, "\xfe"+bad[1:], 1)))
	}
	return out
}
