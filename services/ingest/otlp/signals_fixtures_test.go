package otlp_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest/otlp"
)

// The trace and log requests the receiver tests send, with what inference
// makes of them: three span shapes from four spans, one of which failed,
// and three log shapes from four records.
const (
	traceShapes, traceSpans, traceErrors = 3, 4, 1
	logShapes, logRecords                = 3, 4
)

var (
	traceID = []byte{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c}
	spanID  = []byte{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}
)

func strKV(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func resource() *resourcepb.Resource {
	return &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strKV("service.name", "checkout"), strKV("service.version", "1.2.0")}}
}

// traceRequest is an HTTP server's spans, as otelhttp makes them, one of
// them failed with an exception event, and a client span with a link.
func traceRequest() *coltracepb.ExportTraceServiceRequest {
	server := func(status tracepb.Status_StatusCode, events ...*tracepb.Span_Event) *tracepb.Span {
		return &tracepb.Span{
			TraceId: traceID, SpanId: spanID, Name: "GET /users/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER,
			StartTimeUnixNano: 1544712660000000000, EndTimeUnixNano: 1544712661000000000,
			Attributes: []*commonpb.KeyValue{strKV("http.request.method", "GET"), strKV("http.route", "/users/{id}")},
			Events:     events, Status: &tracepb.Status{Code: status, Message: "a message never kept"},
		}
	}
	exception := &tracepb.Span_Event{Name: "exception", Attributes: []*commonpb.KeyValue{strKV("exception.type", "E")}}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: resource(),
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"},
			Spans: []*tracepb.Span{
				server(tracepb.Status_STATUS_CODE_UNSET), server(tracepb.Status_STATUS_CODE_UNSET),
				server(tracepb.Status_STATUS_CODE_ERROR, exception),
				{TraceId: traceID, SpanId: spanID, ParentSpanId: spanID, Name: "GET", Kind: tracepb.Span_SPAN_KIND_CLIENT,
					Attributes: []*commonpb.KeyValue{strKV("url.full", "http://x/users/7")},
					Links:      []*tracepb.Span_Link{{TraceId: traceID, SpanId: spanID, Attributes: []*commonpb.KeyValue{strKV("opentracing.ref_type", "follows_from")}}}},
			},
		}},
	}}}
}

// logRequest is an event with a map body, the same event named the old
// way (the event.name attribute), and a logger's records without an event
// name, with severity and a string body.
func logRequest() *collogspb.ExportLogsServiceRequest {
	mapBody := &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{
		strKV("url", "https://shop/cart"),
	}}}}
	message := &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "a message never kept"}}
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: resource(),
		ScopeLogs: []*logspb.ScopeLogs{{
			Scope: &commonpb.InstrumentationScope{Name: "com.example.checkout"},
			LogRecords: []*logspb.LogRecord{
				{EventName: "browser.page_view", Body: mapBody, TraceId: traceID, SpanId: spanID, TimeUnixNano: 1544712660000000000},
				{Attributes: []*commonpb.KeyValue{strKV("event.name", "browser.page_view")}, Body: mapBody},
				{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO", Body: message},
				{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, SeverityText: "ERROR", Body: message, TraceId: traceID},
			},
		}},
	}}}
}

// signalCase is one signal's request, as protobuf and as OTLP/JSON.
type signalCase struct {
	name            string
	sig             schemaid.Signal
	path, procedure string
	msg             proto.Message
	shapes, items   int
}

var signalCases = []signalCase{
	{"traces", schemaid.Span, otlp.TracesPath, otlp.TracesExportProcedure, traceRequest(), traceShapes, traceSpans},
	{"logs", schemaid.Log, otlp.LogsPath, otlp.LogsExportProcedure, logRequest(), logShapes, logRecords},
}

func (c signalCase) protobuf(t testing.TB) []byte {
	t.Helper()
	b, err := proto.Marshal(c.msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// json is the request as OTLP/JSON writes it: trace and span ids in hex,
// where protojson would write base64.
func (c signalCase) json(t testing.TB) []byte {
	t.Helper()
	b, err := protojson.MarshalOptions{UseEnumNumbers: true}.Marshal(c.msg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, id := range [][]byte{traceID, spanID} {
		s = strings.ReplaceAll(s, `"`+base64.StdEncoding.EncodeToString(id)+`"`, `"`+hex.EncodeToString(id)+`"`)
	}
	if !strings.Contains(s, hex.EncodeToString(traceID)) {
		t.Fatalf("no hex trace id in %s", s)
	}
	return []byte(s)
}
