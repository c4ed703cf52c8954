package infer_test

import (
	"fmt"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest/infer"
)

// spanYardstick is 1,000 spans as an HTTP server instrumented with otelhttp
// sends them: 20 routes, ids, timestamps and six attributes each, one in
// ten failed with an exception event, each with a client child span.
func spanYardstick(t testing.TB) []byte {
	var spans []*tracepb.Span
	for n := range 500 {
		route := fmt.Sprintf("/api/v1/items/%d", n%20)
		server := &tracepb.Span{TraceId: traceID, SpanId: spanID, Name: "GET " + route, Kind: tracepb.Span_SPAN_KIND_SERVER,
			StartTimeUnixNano: 1e18 + uint64(n), EndTimeUnixNano: 1e18 + uint64(n) + 5e6, Flags: 0x100,
			Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("http.route", s(route)), kv("url.scheme", s("https")),
				kv("http.response.status_code", i(200)), kv("network.protocol.version", s("1.1")), kv("user_agent.original", s("Go-http-client/1.1"))},
			Status: &tracepb.Status{}}
		if n%10 == 0 {
			server.Attributes = append(server.Attributes, kv("error.type", s("500")))
			server.Events = []*tracepb.Span_Event{{Name: "exception", TimeUnixNano: 1e18,
				Attributes: []*commonpb.KeyValue{kv("exception.type", s("*errors.errorString")), kv("exception.message", s(fmt.Sprint("boom ", n)))}}}
			server.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"}
		}
		client := &tracepb.Span{TraceId: traceID, SpanId: spanID, ParentSpanId: spanID, Name: "SELECT items", Kind: tracepb.Span_SPAN_KIND_CLIENT,
			StartTimeUnixNano: 1e18 + uint64(n), EndTimeUnixNano: 1e18 + uint64(n) + 1e6,
			Attributes: []*commonpb.KeyValue{kv("db.system.name", s("postgresql")), kv("db.query.text", s(fmt.Sprint("SELECT * FROM items WHERE id = ", n)))}}
		spans = append(spans, server, client)
	}
	return marshal(t, &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{Resource: svc,
		ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", Version: "0.72.0"}, Spans: spans}}}}})
}

// logYardstick is 1,000 log records: messages of a logger at two
// severities, and events with a map body.
func logYardstick(t testing.TB) []byte {
	var records []*logspb.LogRecord
	for n := range 1000 {
		r := &logspb.LogRecord{TimeUnixNano: 1e18 + uint64(n), ObservedTimeUnixNano: 1e18 + uint64(n), TraceId: traceID, SpanId: spanID,
			SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO",
			Body:       s(fmt.Sprintf("order %d placed for customer %d", n, n*7)),
			Attributes: []*commonpb.KeyValue{kv("code.function.name", s("checkout.Place")), kv("order.id", i(int64(n)))}}
		if n%4 == 0 {
			r.EventName = "browser.page_view"
			r.Body = kvlist(kv("page", kvlist(kv("url", s(fmt.Sprint("https://shop/items/", n))), kv("title", s("Item")))), kv("referrer", s("https://search")))
		}
		records = append(records, r)
	}
	return marshal(t, &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{Resource: svc,
		ScopeLogs: []*logspb.ScopeLogs{{Scope: &commonpb.InstrumentationScope{Name: "com.example.checkout"}, LogRecords: records}}}}})
}

// BenchmarkScanSignals is the span and log scanners on their yardsticks,
// once the shapes are known, beside proto.Unmarshal of the same bytes:
// CPU and allocations per span or log record. Each result is recycled, as
// the pipeline recycles it (and benchScanWith a metric scan's): the values
// its cost figures are counted from are held in memory the next request
// reuses.
func BenchmarkScanSignals(b *testing.B) {
	for _, tc := range []struct {
		name  string
		body  []byte
		scan  func(*infer.Inferrer, []byte) error
		msg   func() proto.Message
		items int
	}{
		{"traces", spanYardstick(b), func(in *infer.Inferrer, body []byte) error {
			res, err := in.ScanTraces(body)
			in.Recycle(res)
			return err
		},
			func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} }, 1000},
		{"logs", logYardstick(b), func(in *infer.Inferrer, body []byte) error {
			res, err := in.ScanLogs(body)
			in.Recycle(res)
			return err
		},
			func() proto.Message { return &collogspb.ExportLogsServiceRequest{} }, 1000},
	} {
		b.Run(tc.name+"/Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := proto.Unmarshal(tc.body, tc.msg()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*tc.items)/b.Elapsed().Seconds(), "items/s")
		})
		b.Run(tc.name+"/Scan", func(b *testing.B) {
			in := infer.New()
			run := func() {
				if err := tc.scan(in, tc.body); err != nil {
					b.Fatal(err)
				}
			}
			run()
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
			b.ReportMetric(float64(b.N*tc.items)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(testing.AllocsPerRun(10, run)/float64(tc.items), "allocs/item")
		})
	}
}

// BenchmarkScanSpanNamesPastTheLimit is the span scanner on 1,000 spans
// whose names carry ids, from a release already past the limit of span
// names: each is counted under its scope's shape, and none makes a shape of
// its own, so names that are new in every request cost what known ones do.
func BenchmarkScanSpanNamesPastTheLimit(b *testing.B) {
	in := infer.NewWithLimits(infer.Limits{MaxSpanNames: 1000})
	first, _ := proto.Marshal(idSpans("1.0.0", 0, 1000))
	if _, err := in.ScanTraces(first); err != nil {
		b.Fatal(err)
	}
	body, _ := proto.Marshal(idSpans("1.0.0", 1_000_000, 1000))
	run := func() {
		res, err := in.ScanTraces(body)
		if err != nil || len(res.Observations) != 1 {
			b.Fatalf("%v: %d observations", err, len(res.Observations))
		}
		in.Recycle(res) // as the pipeline does
	}
	run()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(testing.AllocsPerRun(10, run)/1000, "allocs/item")
}
