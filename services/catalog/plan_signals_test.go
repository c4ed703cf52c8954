package catalog_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// Spans and logs are planned as metrics are, under keys of their own.

func spanOb(name string, kind schemaid.SpanKind, version string, at int, attrs ...schemaid.Attribute) catalog.Observation {
	o := ob(version, "checkout-1", at, attrs...)
	o.Shape = schemaid.Shape{Signal: schemaid.Span, Name: name, SpanKind: kind, Attributes: slices.Clone(attrs)}
	return o
}

var exceptionType = schemaid.Attribute{Key: "exception.type", Type: String, Source: schemaid.Event, Event: schemaid.MakeEventName("exception")}

func TestStoredKeys(t *testing.T) {
	for _, tt := range []struct {
		sig        schemaid.Signal
		name, key  string
		describeAs string
	}{
		{schemaid.Metric, "http.server.request.duration", "http.server.request.duration", `metric "http.server.request.duration"`},
		{schemaid.Span, "GET /users", "\x1fS\x1fGET /users", `span "GET /users"`},
		{schemaid.Log, "app.login", "\x1fL\x1fapp.login", `log event "app.login"`},
		{schemaid.Metric, "", "", `metric ""`},
	} {
		key := catalog.StoredKey(tt.sig, tt.name)
		if key != tt.key {
			t.Errorf("StoredKey(%v, %q) = %q, want %q", tt.sig, tt.name, key, tt.key)
		}
		if sig, name := catalog.ParseStoredKey(key); sig != tt.sig || name != tt.name {
			t.Errorf("ParseStoredKey(%q) = %v %q", key, sig, name)
		}
		if got := catalog.DescribeKey(key); got != tt.describeAs {
			t.Errorf("DescribeKey(%q) = %s, want %s", key, got, tt.describeAs)
		}
	}
}

// TestStoredAttributesKeepTheirBytes: a metric's attribute set is stored as
// it always was; a span's event attribute gains its source and event, and
// both read back.
func TestStoredAttributesKeepTheirBytes(t *testing.T) {
	if got := catalog.EncodeAttributes([]schemaid.Attribute{method, statusInt}); got != `[["http.request.method","string"],["status","int"]]` {
		t.Errorf("a metric's stored set = %s", got)
	}
	if got := catalog.EncodeAttributes(nil); got != `[]` {
		t.Errorf("an empty stored set = %s", got)
	}
	link := schemaid.Attribute{Key: "peer", Type: String, Source: schemaid.Link}
	set := []schemaid.Attribute{exceptionType, link, route}
	enc := catalog.EncodeAttributes(set)
	if enc != `[["exception.type","string","event","exception"],["peer","string","link",""],["http.route","string"]]` {
		t.Errorf("a span's stored set = %s", enc)
	}
	back, err := catalog.DecodeAttributes(enc)
	if err != nil || !slices.Equal(back, set) {
		t.Errorf("decoded %v (%v), want %v", back, err, set)
	}
	if _, err := catalog.DecodeAttributes(`[["k","string","nowhere",""]]`); err == nil {
		t.Error("an unknown source decoded")
	}
}

// TestASpanAndAMetricOfOneNameAreTwoKeys: the metric's stream, schema and
// key are what they were; the span's are its own.
func TestASpanAndAMetricOfOneNameAreTwoKeys(t *testing.T) {
	f := newFake()
	metric := ob("1.0.0", "checkout-1", 0, method)
	span := spanOb(metricKey, schemaid.SpanKindServer, "1.0.0", 0, method, exceptionType)
	span.Errors = 3
	p := planAll(t, f, []catalog.Observation{metric, span})[0]
	if p.SchemaIDs[0] != schemaOf(method) || p.SchemaIDs[0] == p.SchemaIDs[1] {
		t.Fatalf("schema ids %v: the metric's must be %s, the span's another", p.SchemaIDs, schemaOf(method))
	}
	if len(p.Keys) != 2 {
		t.Fatalf("keys = %+v, want two", p.Keys)
	}
	byKey := map[string]catalog.KeyWrite{}
	for _, k := range p.Keys {
		byKey[k.Key] = k
	}
	m, s := byKey[metricKey], byKey["\x1fS\x1f"+metricKey]
	if m.Signal != schemaid.Metric || m.Name != metricKey || len(m.SpanKinds) != 0 || m.SchemaDelta != 1 {
		t.Errorf("the metric's key = %+v", m)
	}
	if s.Signal != schemaid.Span || s.Name != metricKey || !slices.Equal(s.SpanKinds, []schemaid.SpanKind{schemaid.SpanKindServer}) ||
		s.SchemaDelta != 1 || s.ProducerDelta != 1 {
		t.Errorf("the span's key = %+v", s)
	}
	if len(p.Streams) != 2 || p.Streams[1].Errors != 3 || p.Streams[0].Errors != 0 || p.Streams[1].Key != s.Key {
		t.Errorf("streams = %+v, want the span's with 3 errors under its key", p.Streams)
	}
	for _, e := range p.Events {
		if sig, name := catalog.ParseStoredKey(e.Key); e.Signal != sig || e.Name != name || name != metricKey {
			t.Errorf("event %+v: signal and name do not say its key", e)
		}
	}
	// The span's new event attribute moves its release's stream.
	more := spanOb(metricKey, schemaid.SpanKindServer, "1.0.0", 5, method, exceptionType,
		schemaid.Attribute{Key: "exception.message", Type: String, Source: schemaid.Event, Event: schemaid.MakeEventName("exception")})
	p = planAll(t, f, []catalog.Observation{more})[0]
	if len(p.Moves) != 1 || len(p.Moves[0].Added) != 1 || p.Moves[0].Added[0].Key != "exception.message" || p.Moves[0].Added[0].Source != schemaid.Event {
		t.Errorf("moves = %+v, want the span's stream moving with exception.message", p.Moves)
	}
}

func TestObservationsNoSchemaCanHold(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*catalog.Observation)
	}{
		{"a metric named like a span key", func(o *catalog.Observation) { o.Shape.Name = "\x1fS\x1fGET /" }},
		{"a body field on a span", func(o *catalog.Observation) {
			o.Shape = schemaid.Shape{Signal: schemaid.Span, Name: "GET /", Attributes: []schemaid.Attribute{{Key: "k", Type: String, Source: schemaid.Body}}}
		}},
		{"a resource attribute with a source", func(o *catalog.Observation) {
			o.ResourceAttributes = []schemaid.Attribute{{Key: "k", Type: String, Source: schemaid.Link}}
		}},
		{"more errors than spans", func(o *catalog.Observation) {
			o.Shape = schemaid.Shape{Signal: schemaid.Span, Name: "GET /"}
			o.Errors = o.DataPoints + 1
		}},
	} {
		o := ob("1.0.0", "checkout-1", 0, method)
		tt.edit(&o)
		_, err := catalog.PlanBatch(context.Background(), []catalog.Observation{o}, newFake(), catalog.DefaultCostConfig())
		if catalog.ErrorCode(err) != catalog.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tt.name, err)
		}
	}
}

// TestNormalizeKeepsWhatTheSignalCarries: a span has no metric fields, a
// metric no span fields, and a log neither errors nor name examples.
func TestNormalizeKeepsWhatTheSignalCarries(t *testing.T) {
	span := catalog.Observation{Shape: schemaid.Shape{Signal: schemaid.Span, Name: "GET /", Unit: "s", SpanKind: schemaid.SpanKindClient},
		NameExamples: []string{"b", "a", "b"}, Errors: 1, DataPoints: 2}
	span.Normalize()
	if span.Shape.Unit != "" || span.Shape.SpanKind != schemaid.SpanKindClient || !slices.Equal(span.NameExamples, []string{"a", "b"}) || span.Errors != 1 {
		t.Errorf("span normalized to %+v", span)
	}
	log := catalog.Observation{Shape: schemaid.Shape{Signal: schemaid.Log, Name: "app.login", SpanKind: schemaid.SpanKindClient, ByScope: true},
		NameExamples: []string{"x"}, Errors: 1}
	log.Normalize()
	if log.Shape.SpanKind != 0 || !log.Shape.ByScope || log.NameExamples != nil || log.Errors != 0 {
		t.Errorf("log normalized to %+v", log)
	}
	metric := ob("1.0.0", "checkout-1", 0, method)
	metric.Shape.ByScope, metric.Shape.SpanKind = true, schemaid.SpanKindServer
	metric.Normalize()
	if metric.Shape.ByScope || metric.Shape.SpanKind != 0 || metric.VariantID != schemaOf(method) {
		t.Errorf("metric normalized to %+v", metric)
	}
}

// TestSpansAndLogsCostTheirCountAndFields: a span's or a log's
// observation files its count, when it was seen and, for a log, its
// records' bytes in its stream's bucket, which is what its rate and price
// are worked out from, with the figures of its resource fields and counted
// fields, its own attributes kept as DATA_POINT fields as its shape's are;
// never a series, even from a sender that includes one (spans and logs
// have none), and no row for a report that counted nothing, which would
// stretch the time the rate runs over.
func TestSpansAndLogsCostTheirCountAndFields(t *testing.T) {
	span := spanOb("GET /users/{id}", schemaid.SpanKindServer, "1.0.0", 2, route)
	span.DataPoints = 40
	span.Series = distinct("s", 0, 5)
	span.Fields = []catalog.FieldFigures{{Source: Resource, Key: "host.name", Type: String, Distinct: distinct("host", 0, 1), State: Withheld},
		{Source: tallycatv1.FieldSource_FIELD_SOURCE_SPAN, Key: route.Key, Type: String, Distinct: distinct("r", 0, 1), State: Kept,
			Values: []catalog.ValueCount{{Value: "/users/{id}", DataPoints: 40}}}}
	logs := ob("1.0.0", "checkout-1", 3)
	logs.Shape = schemaid.Shape{Signal: schemaid.Log, Name: "app.login", Attributes: []schemaid.Attribute{{Key: "body", Type: String, Source: schemaid.Body},
		{Key: "severity_text", Type: String, Source: schemaid.Severity}}}
	logs.RecordBytes = 5000
	logs.Fields = []catalog.FieldFigures{{Source: tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY, Key: "severity_text", Type: String,
		Distinct: distinct("sev", 0, 1), State: Kept, Values: []catalog.ValueCount{{Value: "INFO", DataPoints: 10}}}}
	heartbeat := spanOb("GET /users/{id}", schemaid.SpanKindServer, "1.0.0", 5, route)
	heartbeat.DataPoints = 0
	plans := planAll(t, newFake(), []catalog.Observation{span, logs}, []catalog.Observation{heartbeat})
	rows := plans[0].Costs
	if len(rows) != 5 {
		t.Fatalf("cost rows = %+v, want the span's count, resource and route rows, the log's count and severity rows", rows)
	}
	for i, want := range []struct {
		row         int
		points      uint64
		bytes       uint64
		first, last time.Time
	}{{0, 40, 0, minute(2), minute(3)}, {3, 10, 5000, minute(3), minute(4)}} {
		r := rows[want.row]
		if !r.New || !r.Field.IsSeries() || !r.Distinct.Empty() || r.DataPoints != want.points || r.LogBytes != want.bytes || !r.Bucket.Equal(t0) ||
			!r.FirstSeen.Equal(want.first) || !r.LastSeen.Equal(want.last) {
			t.Errorf("count row %d = %+v, want a new row of %d items and %d bytes seen %v to %v, without series", i, r, want.points, want.bytes, want.first, want.last)
		}
	}
	if r := rows[2]; r.Field != (catalog.CostField{Source: DataPoint, Name: route.Key, Type: String}) || r.State != Kept || len(r.Values) != 1 || r.StreamID != rows[0].StreamID {
		t.Errorf("the span's route row = %+v, want a data point field with its value", r)
	}
	if r := rows[4]; r.Field.Source != tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY || r.Values[0].Value != "INFO" || r.StreamID != rows[3].StreamID {
		t.Errorf("the log's severity row = %+v", r)
	}
	if rows[0].StreamID == rows[3].StreamID {
		t.Errorf("the span and the log share stream %s", rows[0].StreamID)
	}
	if len(plans[1].Costs) != 0 {
		t.Errorf("a heartbeat's cost rows = %+v, want none", plans[1].Costs)
	}
}

// TestUncountedFieldsAreRefused: figures of a field whose values are not
// counted (a log body's, a span event's) or of another signal's source are
// refused, naming the field: a body's values must never be kept.
func TestUncountedFieldsAreRefused(t *testing.T) {
	body := ob("1.0.0", "checkout-1", 3)
	body.Shape = schemaid.Shape{Signal: schemaid.Log, Name: "app.login", Attributes: []schemaid.Attribute{{Key: "body", Type: String, Source: schemaid.Body}}}
	body.Fields = []catalog.FieldFigures{{Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY, Key: "body", Type: String, State: Kept,
		Values: []catalog.ValueCount{{Value: "card 4111", DataPoints: 1}}}}
	event := spanOb("GET", schemaid.SpanKindServer, "1.0.0", 2, exceptionType)
	event.Fields = []catalog.FieldFigures{{Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Key: exceptionType.Key, Type: String}}
	metric := ob("1.0.0", "checkout-1", 3, route)
	metric.Fields = []catalog.FieldFigures{{Source: tallycatv1.FieldSource_FIELD_SOURCE_SPAN, Key: route.Key, Type: String}}
	for _, o := range []catalog.Observation{body, event, metric} {
		_, err := catalog.PlanBatch(context.Background(), []catalog.Observation{o}, newFake(), catalog.DefaultCostConfig())
		if catalog.ErrorCode(err) != catalog.EINVALID || !strings.Contains(err.Error(), o.Fields[0].Key) {
			t.Errorf("%s figures on a %s: %v, want EINVALID naming the field", o.Fields[0].Source, o.Shape.Signal, err)
		}
	}
}
