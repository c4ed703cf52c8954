package forward

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/ingest"
)

// spanObs is a failed HTTP server span's observation: its own attribute,
// an exception event, a link attribute.
func spanObs(name string, spans, errors uint64) ingest.Observation {
	exception := schemaid.MakeEventName("exception")
	sh := schemaid.Shape{Signal: schemaid.Span, Name: name, SpanKind: schemaid.SpanKindServer, Attributes: []schemaid.Attribute{
		{Source: schemaid.Event, Event: exception, Type: tallycatv1.ValueType_VALUE_TYPE_EMPTY},
		{Key: "exception.type", Type: String, Source: schemaid.Event, Event: exception},
		{Key: "opentracing.ref_type", Type: String, Source: schemaid.Link},
		{Key: "http.request.method", Type: String},
	}}
	return ingest.Observation{VariantID: schemaid.ID(sh), Shape: sh, Producer: ingest.Producer{ServiceName: "checkout"},
		ScopeName: "otelhttp", DataPoints: spans, Errors: errors}
}

// logObs is a log event's observation with a body key and severity.
func logObs(name string) ingest.Observation {
	sh := schemaid.Shape{Signal: schemaid.Log, Name: name, Attributes: []schemaid.Attribute{
		{Key: "body", Type: tallycatv1.ValueType_VALUE_TYPE_MAP, Source: schemaid.Body},
		{Key: "body.page.url", Type: String, Source: schemaid.Body},
		{Key: "session.id", Type: String},
		{Key: "severity_number", Type: Int, Source: schemaid.Severity},
	}}
	return ingest.Observation{VariantID: schemaid.ID(sh), Shape: sh, Producer: ingest.Producer{ServiceName: "checkout"},
		ScopeName: "com.example", DataPoints: 3}
}

// TestSpanAndLogMessages: a span's and a log's observation reach the wire
// with their signal, name, kind, sources and counts and without a metric's
// fields, as the API's rules want them.
func TestSpanAndLogMessages(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	byScope := spanObs("otelhttp", 4, 1)
	byScope.Shape.ByScope, byScope.VariantID = true, schemaid.ID(schemaid.Shape{Signal: schemaid.Span, Name: "otelhttp", ByScope: true})
	byScope.NameExamples = []string{"GET /users/1", "GET /users/2"}
	// A producer whose metrics carry resource values: its spans and logs
	// carry the producer's resource figures too, as its metrics do, and no
	// series (these observations carry no values of their own fields).
	metric := obs("m", "checkout")
	metric.ResourceAttributes = []schemaid.Attribute{{Key: "host.name", Type: String}}
	metric.ResourceValues = []cardinality.Value{{Hash: 7, Type: String}}
	for _, o := range []ingest.Observation{metric, spanObs("GET /users/{id}", 10, 3), spanObs("GET /users/{id}", 5, 1), byScope, logObs("browser.page_view")} {
		o.ResourceAttributes = metric.ResourceAttributes
		if rejected, err := f.Add([]ingest.Observation{o}, clk.now()); err != nil || rejected.Rejected != 0 {
			t.Fatalf("%s: %v %v", o.Shape.Name, rejected.Reasons, err)
		}
	}
	if err := f.flush(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	v, _ := protovalidate.New()
	got := map[string]*tallycatv1.Observation{}
	for _, call := range cat.calls {
		if err := v.Validate(call); err != nil {
			t.Errorf("a batch breaks the API's rules: %v", err)
		}
		for _, o := range call.Observations {
			got[o.GetSignal().String()+" "+o.GetName()+o.GetMetricName()] = o
		}
	}
	span := got["SIGNAL_SPAN GET /users/{id}"]
	if span == nil || span.MetricName != "" || span.MetricType != 0 || span.SpanKind != tallycatv1.SpanKind_SPAN_KIND_SERVER ||
		span.DataPointCount != 15 || span.ErrorCount != 4 || len(span.Fields) != 1 || span.Fields[0].Source != Resource || span.Series != nil {
		t.Fatalf("span message = %v", span)
	}
	wantSources := map[string]tallycatv1.FieldSource{"": tallycatv1.FieldSource_FIELD_SOURCE_EVENT, "exception.type": tallycatv1.FieldSource_FIELD_SOURCE_EVENT,
		"opentracing.ref_type": tallycatv1.FieldSource_FIELD_SOURCE_LINK, "http.request.method": tallycatv1.FieldSource_FIELD_SOURCE_SPAN}
	for _, a := range span.DataPointAttributes {
		if a.Source != wantSources[a.Name] || (a.Source == tallycatv1.FieldSource_FIELD_SOURCE_EVENT) != (a.EventName == "exception") {
			t.Errorf("span key %q: source %v, event %q", a.Name, a.Source, a.EventName)
		}
	}
	if o := got["SIGNAL_SPAN otelhttp"]; o == nil || !o.ByScope || fmt.Sprint(o.NameExamples) != "[GET /users/1 GET /users/2]" || o.ErrorCount != 1 {
		t.Errorf("by-scope span message = %v", o)
	}
	lg := got["SIGNAL_LOG browser.page_view"]
	if lg == nil || lg.SpanKind != 0 || lg.ErrorCount != 0 || lg.DataPointCount != 3 || len(lg.Fields) != 1 || lg.Fields[0].Source != Resource || lg.Series != nil {
		t.Fatalf("log message = %v", lg)
	}
	for _, a := range lg.DataPointAttributes {
		want := map[schemaid.Source]tallycatv1.FieldSource{schemaid.Body: tallycatv1.FieldSource_FIELD_SOURCE_BODY, schemaid.Own: tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD,
			schemaid.Severity: tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY}[map[string]schemaid.Source{"body": schemaid.Body, "body.page.url": schemaid.Body, "severity_number": schemaid.Severity}[a.Name]]
		if a.Source != want {
			t.Errorf("log key %q: source %v, want %v", a.Name, a.Source, want)
		}
	}
	if m := got["SIGNAL_UNSPECIFIED m"]; m == nil || len(m.Fields) != 1 {
		t.Errorf("the metric lost its resource figures: %v", m)
	}
}

// TestBatchesHoldOneSignal: metrics, spans and logs due at one flush go in
// three batches.
func TestBatchesHoldOneSignal(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	f.Add([]ingest.Observation{obs("m1", "svc"), spanObs("s", 1, 0), logObs("l"), obs("m2", "svc"), spanObs("s2", 1, 1)}, clk.now())
	if err := f.flush(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if len(cat.calls) != 3 {
		t.Fatalf("%d batches, want 3", len(cat.calls))
	}
	for _, call := range cat.calls {
		for _, o := range call.Observations {
			if o.Signal != call.Observations[0].Signal {
				t.Errorf("a batch mixes %v and %v", o.Signal, call.Observations[0].Signal)
			}
		}
	}
}

// oldCatalog answers as a catalog that predates spans and logs: their
// batches are invalid.
type oldCatalog struct{ fakeCatalog }

func (c *oldCatalog) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	if req.Observations[0].GetMetricName() == "" {
		c.mu.Lock()
		c.calls = append(c.calls, req)
		c.mu.Unlock()
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("validation error: observations[0]: a metric's observation needs metric_name"))
	}
	return c.fakeCatalog.RecordObservations(ctx, req)
}

// TestOlderCatalogRefusingSpans: spans and logs a catalog does not take are
// dropped and counted, not retried, and for a while not sent at all, while
// metrics go on; after the while, they are tried again.
func TestOlderCatalogRefusingSpans(t *testing.T) {
	cat := &oldCatalog{}
	f, err := New(cat, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.now = clk.now
	ctx := context.Background()
	f.Add([]ingest.Observation{obs("m1", "svc"), spanObs("s", 1, 0), logObs("l")}, clk.now())
	if err := f.flush(ctx, false); err != nil {
		t.Fatal(err)
	}
	st := f.Stats()
	if st.SignalRefused != 2 || st.Dropped != 2 || st.Pending != 0 || len(cat.calls) != 3 {
		t.Fatalf("after the first flush: %+v, %d calls; want the span and the log dropped as refused", st, len(cat.calls))
	}
	clk.t = clk.t.Add(time.Minute)
	f.Add([]ingest.Observation{obs("m2", "svc"), spanObs("s2", 1, 0)}, clk.now())
	f.flush(ctx, false)
	if len(cat.calls) != 4 || cat.calls[3].Observations[0].MetricName != "m2" || f.Stats().SignalRefused != 3 {
		t.Fatalf("while refused: %d calls, %+v; want the metric sent and the span dropped unsent", len(cat.calls), f.Stats())
	}
	clk.t = clk.t.Add(signalHold)
	f.Add([]ingest.Observation{spanObs("s3", 1, 0)}, clk.now())
	f.flush(ctx, false)
	if len(cat.calls) != 5 || cat.calls[4].Observations[0].Name != "s3" {
		t.Errorf("after the hold: %d calls; want the span tried again", len(cat.calls))
	}
}

// TestFailedBatchKeepsSpanCounts: a batch that was not delivered gives its
// errors and name examples back, to go with the next one.
func TestFailedBatchKeepsSpanCounts(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	o := spanObs("s", 5, 2)
	o.NameExamples = []string{"a"}
	f.Add([]ingest.Observation{o}, clk.now())
	batch := f.take(false)
	f.settle(batch, false)
	o.NameExamples = []string{"b", "a"}
	f.Add([]ingest.Observation{o}, clk.now())
	if err := f.flush(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	sent := cat.calls[0].Observations[0]
	if sent.DataPointCount != 10 || sent.ErrorCount != 4 || fmt.Sprint(sent.NameExamples) != "[a b]" {
		t.Errorf("sent %d spans, %d errors, examples %v; want 10, 4, [a b]", sent.DataPointCount, sent.ErrorCount, sent.NameExamples)
	}
}
