package forward

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// The cost figures of spans and logs, from real requests through the
// scanners: the same tallies as a metric's data point fields, under each
// field's own source, without series, and nothing of a body.

var shopResource = &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", "shop"), kv("service.instance.id", "pod-1")}}

// addScanned scans a protobuf request and adds its observations.
func addScanned(t *testing.T, f *Forwarder, at time.Time, scan func([]byte) (ingest.Result, error), m proto.Message) {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan(b)
	if err != nil {
		t.Fatal(err)
	}
	if rejected, err := f.Add(res.Observations, at); err != nil || rejected.Rejected != 0 {
		t.Fatalf("%v %v", rejected.Reasons, err)
	}
}

// sentOne flushes everything and returns the one observation sent, checked
// against the API's rules.
func sentOne(t *testing.T, f *Forwarder, cat *fakeCatalog) *tallycatv1.Observation {
	t.Helper()
	cat.calls = nil
	if err := f.flush(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if len(cat.calls) != 1 || len(cat.calls[0].Observations) != 1 {
		t.Fatalf("%d calls, want one observation", len(cat.calls))
	}
	if err := f.validator.Validate(cat.calls[0]); err != nil {
		t.Errorf("the catalog would refuse the batch: %v", err)
	}
	return cat.calls[0].Observations[0]
}

// TestSpanFieldFigures: a span's own attributes are counted as a metric's
// data point fields are, under SPAN: a route's three values kept, a user id
// (on the default deny list) counted and never kept. Its event's and link's
// attributes have no figures, and a span has no series.
func TestSpanFieldFigures(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	var spans []*tracepb.Span
	for n := range 30 {
		spans = append(spans, &tracepb.Span{Name: "GET /items/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER,
			Attributes: []*commonpb.KeyValue{kv("user.id", fmt.Sprint("user-", n)), kv("http.route", fmt.Sprint("/items/", n%3))},
			Events:     []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{kv("exception.message", fmt.Sprint("boom ", n))}}},
			Links:      []*tracepb.Span_Link{{Attributes: []*commonpb.KeyValue{kv("link.note", fmt.Sprint("note ", n))}}}})
	}
	addScanned(t, f, clk.now(), infer.New().ScanTraces, &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: shopResource, ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "otelhttp"}, Spans: spans}}}}})
	o := sentOne(t, f, cat)
	if o.Series != nil || o.DataPointCount != 30 || o.LogRecordBytes != 0 {
		t.Errorf("span observation: series %v, %d spans, %d bytes; want no series, 30 spans, no bytes", o.Series, o.DataPointCount, o.LogRecordBytes)
	}
	route := fieldOf(t, o, "http.route")
	if route.Source != tallycatv1.FieldSource_FIELD_SOURCE_SPAN || route.ValuesState != Kept || len(route.Values) != 3 || estimate(t, route.Distinct) != 3 {
		t.Errorf("http.route: %v", route)
	}
	user := fieldOf(t, o, "user.id")
	if user.Source != tallycatv1.FieldSource_FIELD_SOURCE_SPAN || user.ValuesState != Withheld || len(user.Values) != 0 || estimate(t, user.Distinct) != 30 {
		t.Errorf("user.id: %v; want 30 values counted, none kept", user)
	}
	if inst := fieldOf(t, o, "service.instance.id"); inst.Source != Resource || estimate(t, inst.Distinct) != 1 {
		t.Errorf("service.instance.id: %v", inst)
	}
	if len(o.Fields) != 4 { // the two span attributes and the two resource ones
		t.Errorf("fields %v: an event's or a link's attributes have figures", o.Fields)
	}
	if text := prototext.Format(o); strings.Contains(text, "boom") || strings.Contains(text, "note ") || strings.Contains(text, "user-") {
		t.Errorf("an event's, a link's or a withheld value left the ingest: %s", text)
	}
}

// TestLogFieldFigures: a log record's attributes (LOG_RECORD) and severity
// fields (SEVERITY) are counted, severity's values kept; its body is
// neither kept nor counted, not even as a hash; its records' bytes are
// summed, and a batch that was not delivered gives them back.
func TestLogFieldFigures(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	var records []*logspb.LogRecord
	var size uint64
	for n := range 20 {
		r := &logspb.LogRecord{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO",
			Body:       &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprint("card 4111-", n)}},
			Attributes: []*commonpb.KeyValue{kv("code.function.name", "checkout.Place")}}
		if n%4 == 0 {
			r.SeverityNumber, r.SeverityText = logspb.SeverityNumber_SEVERITY_NUMBER_WARN, "WARN"
		}
		b, _ := proto.Marshal(r)
		size += uint64(len(b))
		records = append(records, r)
	}
	req := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: shopResource, ScopeLogs: []*logspb.ScopeLogs{{Scope: &commonpb.InstrumentationScope{Name: "com.example.checkout"}, LogRecords: records}}}}}
	in := infer.New()
	addScanned(t, f, clk.now(), in.ScanLogs, req)
	// Not delivered: what it carried is given back to the next report.
	f.settle(f.take(false), false)
	addScanned(t, f, clk.now(), in.ScanLogs, req)
	o := sentOne(t, f, cat)
	if o.DataPointCount != 40 || o.LogRecordBytes != 2*size || o.Series != nil {
		t.Errorf("%d records of %d bytes (series %v), want 40 of %d and no series", o.DataPointCount, o.LogRecordBytes, o.Series, 2*size)
	}
	text := fieldOf(t, o, "severity_text")
	if text.Source != tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY || text.ValuesState != Kept || fmt.Sprint(valueCounts(text)) != "map[INFO:30 WARN:10]" {
		t.Errorf("severity_text: %v, want INFO 30 and WARN 10", text)
	}
	if number := fieldOf(t, o, "severity_number"); fmt.Sprint(valueCounts(number)) != "map[13:10 9:30]" {
		t.Errorf("severity_number: %v", number)
	}
	if fn := fieldOf(t, o, "code.function.name"); fn.Source != tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD || estimate(t, fn.Distinct) != 1 {
		t.Errorf("code.function.name: %v", fn)
	}
	for _, ff := range o.Fields {
		if ff.Key == "body" {
			t.Errorf("the body has figures: %v", ff)
		}
		d, err := cardinality.DistinctFromWire(ff.GetDistinct().GetHashes(), ff.GetDistinct().GetSketch())
		if err != nil {
			t.Fatal(err)
		}
		for n := range 20 {
			probe := d
			probe.Add(cardinality.HashString(String, fmt.Sprint("card 4111-", n)))
			if probe.Estimate() == d.Estimate() {
				t.Errorf("%s counts a body's value", ff.Key)
			}
		}
	}
	if strings.Contains(prototext.Format(o), "4111") {
		t.Errorf("a body's value left the ingest: %v", o)
	}
}

func valueCounts(f *tallycatv1.FieldFigures) map[string]uint64 {
	out := map[string]uint64{}
	for _, v := range f.Values {
		out[v.Value] = v.DataPoints
	}
	return out
}
