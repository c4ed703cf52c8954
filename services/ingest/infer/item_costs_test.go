package infer_test

import (
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// valuesOf is each field's values (their text; "-" for the zero Value, a
// field not counted) over an observation's items, by field key.
func valuesOf(o *ingest.Observation) map[string][]string {
	out := map[string][]string{}
	n := len(o.Shape.Attributes)
	for p := 0; p+n <= len(o.Values); p += n {
		for j, a := range o.Shape.Attributes {
			text := "-"
			if v := o.Values[p+j]; v.Type != 0 {
				text = v.Text()
			}
			out[a.Source.String()+":"+a.Key] = append(out[a.Source.String()+":"+a.Key], text)
		}
	}
	return out
}

// TestSpanValuesFollowTheShape: each span's own attribute values come in
// the order of its shape's fields, whatever order the producer wrote them
// in, one per span, with no series; an event's and a link's fields carry
// none.
func TestSpanValuesFollowTheShape(t *testing.T) {
	span := func(route string, code int64) *tracepb.Span {
		return &tracepb.Span{Name: "GET", Kind: tracepb.Span_SPAN_KIND_SERVER,
			Attributes: []*commonpb.KeyValue{kv("http.route", s(route)), kv("http.response.status_code", i(code)), kv("http.request.method", s("GET"))},
			Events:     []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{kv("exception.type", s("E"))}}},
			Links:      []*tracepb.Span_Link{{Attributes: []*commonpb.KeyValue{kv("link.kind", s("follows"))}}}}
	}
	b := traces(t, "otelhttp", span("/a", 200), span("/b", 500), span("/a", 404))
	res := scan(t, tracesScan, b)
	if len(res.Observations) != 1 {
		t.Fatalf("%s", describe(res))
	}
	o := &res.Observations[0]
	if o.Series != nil || o.RecordBytes != 0 {
		t.Errorf("a span observation has series %v and record bytes %d, want none", o.Series, o.RecordBytes)
	}
	got := valuesOf(o)
	want := map[string][]string{
		"own:http.route": {"/a", "/b", "/a"}, "own:http.response.status_code": {"200", "500", "404"}, "own:http.request.method": {"GET", "GET", "GET"},
		"event:": {"-", "-", "-"}, "event:exception.type": {"-", "-", "-"}, "link:link.kind": {"-", "-", "-"},
	}
	for k, w := range want {
		if g := got[k]; len(g) != len(w) || g[0] != w[0] || g[1] != w[1] || g[2] != w[2] {
			t.Errorf("%s: %q, want %q", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %d of them", got, len(want))
	}
}

// TestLogValuesAndBytes: a log record's attributes and severity fields
// carry their values, its body none; its observation sums its records'
// protobuf sizes, read from the wire as received, and, decoded from
// OTLP/JSON, as proto.Size has them, which agree. With cost tracking off
// the sizes are still summed (logs are priced by them), and no value is
// kept.
func TestLogValuesAndBytes(t *testing.T) {
	records := []*logspb.LogRecord{
		{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO", Body: s("order 1 placed"),
			Attributes: []*commonpb.KeyValue{kv("order.id", i(1))}},
		{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN, SeverityText: "WARN", Body: s("order 2 is late"),
			Attributes: []*commonpb.KeyValue{kv("order.id", i(2))}},
	}
	var size uint64
	for _, r := range records {
		size += uint64(len(marshal(t, r)))
	}
	b := logs(t, "com.example.orders", records...)
	res := scan(t, logsScan, b)
	if len(res.Observations) != 1 {
		t.Fatalf("%s", describe(res))
	}
	o := &res.Observations[0]
	if o.RecordBytes != size || o.DataPoints != 2 {
		t.Errorf("%d records of %d bytes, want 2 of %d", o.DataPoints, o.RecordBytes, size)
	}
	got := valuesOf(o)
	for k, w := range map[string][2]string{"severity:severity_number": {"9", "13"}, "severity:severity_text": {"INFO", "WARN"},
		"own:order.id": {"1", "2"}, "body:body": {"-", "-"}} {
		if g := got[k]; len(g) != 2 || g[0] != w[0] || g[1] != w[1] {
			t.Errorf("%s: %q, want %q", k, g, w)
		}
	}

	req := &collogspb.ExportLogsServiceRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	js, err := protojson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	decoded := &collogspb.ExportLogsServiceRequest{}
	if err := protojson.Unmarshal(js, decoded); err != nil {
		t.Fatal(err)
	}
	if j := infer.New().InferLogs(decoded); len(j.Observations) != 1 || j.Observations[0].RecordBytes != size {
		t.Errorf("from OTLP/JSON: %s, want %d bytes", describe(j), size)
	}

	off := infer.New()
	off.SetCostTracking(false)
	res, err = off.ScanLogs(b)
	if err != nil || len(res.Observations) != 1 || res.Observations[0].RecordBytes != size || res.Observations[0].Values != nil || res.Points != nil {
		t.Errorf("tracking off: %s (%v), want %d bytes and no values", describe(res), err, size)
	}
}

// TestDuplicateOwnAttributeTakesTheLastValue: a key a span repeats is one
// field of its shape, whose value is the last one written, the scanner's
// and the decoded reference's alike (scan checks they agree).
func TestDuplicateOwnAttributeTakesTheLastValue(t *testing.T) {
	b := traces(t, "s", &tracepb.Span{Name: "op", Attributes: []*commonpb.KeyValue{kv("b", s("1")), kv("a", s("x")), kv("b", s("2"))}})
	res := scan(t, tracesScan, b)
	got := valuesOf(&res.Observations[0])
	if g := got["own:b"]; len(g) != 1 || g[0] != "2" || got["own:a"][0] != "x" {
		t.Errorf("values %v, want b=2 and a=x", got)
	}
	if res.Observations[0].Shape.Attributes[0].Source != schemaid.Own {
		t.Errorf("shape %v", res.Observations[0].Shape)
	}
}
