package catalogtest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// Spans and logs are schemas on the metrics' model: one per release, scope
// and key, with variants, presence, moves, a timeline and versions, each
// signal under keys of its own.

// SpanObservation builds an observation of spans of name and kind from
// instance service-1 of service at version 1.0.0, with the span's own,
// event and link attributes attrs.
func SpanObservation(name string, kind schemaid.SpanKind, service string, at time.Time, attrs ...schemaid.Attribute) catalog.Observation {
	o := Observation(name, service, at)
	o.Shape = schemaid.Shape{Signal: schemaid.Span, Name: name, SpanKind: kind, Attributes: attrs}
	o.Description = ""
	o.Normalize()
	return o
}

// LogObservation builds an observation of log records of event name (or,
// byScope, of the scope name) from instance service-1 of service at version
// 1.0.0, with the record's own, body and severity fields attrs.
func LogObservation(name string, byScope bool, service string, at time.Time, attrs ...schemaid.Attribute) catalog.Observation {
	o := Observation(name, service, at)
	o.Shape = schemaid.Shape{Signal: schemaid.Log, Name: name, ByScope: byScope, Attributes: attrs}
	o.Description = ""
	o.Normalize()
	return o
}

// EventAttr is an attribute of the span event named event.
func EventAttr(event, key string, t tallycatv1.ValueType) schemaid.Attribute {
	return schemaid.Attribute{Key: key, Type: t, Source: schemaid.Event, Event: schemaid.MakeEventName(event)}
}

// From is an attribute key of values of type t, found at src.
func From(src schemaid.Source, key string, t tallycatv1.ValueType) schemaid.Attribute {
	return schemaid.Attribute{Key: key, Type: t, Source: src}
}

const (
	eventSource    = tallycatv1.FieldSource_FIELD_SOURCE_EVENT
	linkSource     = tallycatv1.FieldSource_FIELD_SOURCE_LINK
	bodySource     = tallycatv1.FieldSource_FIELD_SOURCE_BODY
	severitySource = tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY
	integer        = tallycatv1.ValueType_VALUE_TYPE_INT
)

func testSpanAndMetricAreTwoKeys(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "checkout"
	spanKey := catalog.StoredKey(schemaid.Span, name)
	metric := Observation(name, "checkout", T0, Str("http.route"))
	span := SpanObservation(name, schemaid.SpanKindServer, "checkout", T0, Str("http.route"))
	record(t, s, "", metric, span)

	keys, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if total != 1 || keys[0].Key != name || keys[0].Name != name || keys[0].Signal != schemaid.Metric {
		t.Errorf("keys without signals = %+v (%d), want the metric's alone", keys, total)
	}
	keys, total = must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Span}, Query: "CHECK"}))
	if total != 1 || keys[0].Key != spanKey || keys[0].Name != name || keys[0].Signal != schemaid.Span ||
		!slices.Equal(keys[0].SpanKinds, []schemaid.SpanKind{schemaid.SpanKindServer}) || keys[0].Schemas != 1 || keys[0].Producers != 1 {
		t.Errorf("span keys searched by name = %+v (%d), want the span's", keys, total)
	}
	keys, total = must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: catalog.AllSignals}))
	if total != 2 || keys[0].Name != name || keys[1].Name != name || keys[0].Key == keys[1].Key {
		t.Errorf("keys of every signal = %+v (%d), want two of one name", keys, total)
	}
	if keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Log}})); len(keys) != 0 {
		t.Errorf("log keys = %+v, want none", keys)
	}
	ms := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	ss := must[[]catalog.Schema](t)(s.ListSchemas(ctx, spanKey, false))
	if len(ms) != 1 || len(ss) != 1 || ms[0].ID != metric.VariantID || ss[0].ID != span.VariantID || ms[0].ID == ss[0].ID {
		t.Fatalf("schemas: metric %v, span %v", ids(ms), ids(ss))
	}
	if sc := ss[0]; sc.Signal != schemaid.Span || sc.Name != name || sc.Key != spanKey || sc.SpanKind != schemaid.SpanKindServer ||
		sc.Type != 0 || sc.Unit != "" || sc.DataPoints != 10 {
		t.Errorf("span schema = %+v", sc)
	}
	if sc := ms[0]; sc.Signal != schemaid.Metric || sc.Name != name || sc.Type != tallycatv1.MetricType_METRIC_TYPE_SUM {
		t.Errorf("metric schema = %+v", sc)
	}
	// A version of the same number on each is no conflict: two keys.
	for _, id := range []string{metric.VariantID, span.VariantID} {
		must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: id, Version: "1.0.0", Actor: "alice"}))
	}
	for key, id := range map[string]string{name: metric.VariantID, spanKey: span.VariantID} {
		if vs := must[[]catalog.Version](t)(s.ListVersions(ctx, "", key)); len(vs) != 1 || vs[0].SchemaID != id {
			t.Errorf("versions of %q = %+v, want one, of %s", key, vs, id)
		}
	}
	if ps := must[[]catalog.Producer](t)(s.ListProducers(ctx, catalog.ProducerFilter{SchemaKey: spanKey})); len(ps) != 1 {
		t.Errorf("producers of the span = %+v, want one", ps)
	}
	_, err := s.ListSchemas(ctx, catalog.StoredKey(schemaid.Log, name), false)
	if catalog.ErrorCode(err) != catalog.ENOTFOUND || !strings.Contains(catalog.ErrorMessage(err), `log event "checkout"`) {
		t.Errorf("a log key never seen: %v, want ENOTFOUND naming the log event", err)
	}

	// Conformance judges metrics: the span gets no finding, the metric its
	// missing_metric.
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	x := &conformance.Findings{Store: s, Judge: conformance.Judge{Registry: reg}}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	all, _ := mustFindings(t)(x.List(ctx, conformance.FindingFilter{}))
	if !slices.ContainsFunc(all, func(f conformance.Finding) bool {
		return f.ID == conformance.FindingMissingMetric && f.SchemaKey == name
	}) {
		t.Errorf("findings %v: want the metric's missing_metric", all)
	}
	for _, f := range all {
		if f.SchemaKey == spanKey {
			t.Errorf("a span's finding: %s", renderFinding(f))
		}
	}
	if found, _ := mustFindings(t)(x.List(ctx, conformance.FindingFilter{SchemaID: span.VariantID})); len(found) != 0 {
		t.Errorf("findings of the span's schema judged afresh: %v, want none", found)
	}
}

func testSpanSchemas(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "GET /users/{id}"
	key := catalog.StoredKey(schemaid.Span, name)
	route, exType, peer := Str("http.route"), EventAttr("exception", "exception.type", str), From(schemaid.Link, "peer.service", str)
	ok := points(SpanObservation(name, schemaid.SpanKindServer, "users", T0, route, peer), 90)
	failed := points(SpanObservation(name, schemaid.SpanKindServer, "users", T0.Add(time.Minute), route, peer, exType), 10)
	failed.Errors = 10
	client := SpanObservation(name, schemaid.SpanKindClient, "users", T0, route)
	record(t, s, "", ok, failed, client)

	schemas := must[[]catalog.Schema](t)(s.ListSchemas(ctx, key, false))
	if len(schemas) != 2 {
		t.Fatalf("schemas of %q = %v, want the server's and the client's", name, ids(schemas))
	}
	server := SpanObservation(name, schemaid.SpanKindServer, "users", T0, route, peer, exType).VariantID
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, server, lastHour))
	sc := d.Schema
	if sc.DataPoints != 100 || sc.Errors != 10 || math.Abs(float64(sc.Errors)/float64(sc.DataPoints)-0.1) > 1e-9 || sc.SpanKind != schemaid.SpanKindServer {
		t.Errorf("server schema = %d spans, %d errors, kind %v; want 100, 10 (a tenth), server", sc.DataPoints, sc.Errors, sc.SpanKind)
	}
	ex := field(sc, eventSource, "exception.type")
	if ex == nil || ex.Event != "exception" || ex.Presence != sometimes || math.Abs(ex.SeenRatio-0.1) > 1e-9 {
		t.Errorf("exception.type = %+v, want the exception event's, on a tenth of the spans", ex)
	}
	if f := field(sc, dataPoint, "http.route"); f == nil || f.Presence != always || f.Event != "" {
		t.Errorf("http.route = %+v, want the span's own, always", f)
	}
	if f := field(sc, linkSource, "peer.service"); f == nil || f.Presence != always {
		t.Errorf("peer.service = %+v, want a link's, always", f)
	}
	if len(d.Variants) != 2 || !slices.Contains(d.Variants[1].Attributes, exType) || d.Variants[0].DataPoints != 90 {
		t.Errorf("variants = %+v, want 90 spans without the exception, then 10 with it", d.Variants)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Span}}))
	if len(keys) != 1 || !slices.Equal(keys[0].SpanKinds, []schemaid.SpanKind{schemaid.SpanKindServer, schemaid.SpanKindClient}) || keys[0].Schemas != 2 {
		t.Errorf("key = %+v, want server and client, two schemas", keys)
	}

	// The same spans from a second release pool into the schema; through
	// another scope, into another stream of it.
	next := release(SpanObservation(name, schemaid.SpanKindServer, "users", T0.Add(time.Hour), route, peer, exType), "2.0.0")
	next.Errors = 5
	record(t, s, "", next, inScope(next, "io.example/other"))
	sc = must[[]catalog.Schema](t)(s.GetSchemas(ctx, server))[0]
	if sc.ReleaseCount != 2 || sc.DataPoints != 120 || sc.Errors != 20 {
		t.Errorf("after a second release = %d releases, %d spans, %d errors; want 2, 120, 20", sc.ReleaseCount, sc.DataPoints, sc.Errors)
	}
	if d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, server, lastHour)); len(d.Scopes) != 2 {
		t.Errorf("scopes = %+v, want two", d.Scopes)
	}
}

func testLogSchemas(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const event, logger = "app.login", "io.example/users"
	body, user := From(schemaid.Body, "body", tallycatv1.ValueType_VALUE_TYPE_MAP), From(schemaid.Body, "user.id", str)
	number, text := From(schemaid.Severity, "severity_number", integer), From(schemaid.Severity, "severity_text", str)
	login := LogObservation(event, false, "users", T0, Str("session.id"), body, user, number)
	plain := LogObservation(logger, true, "users", T0, From(schemaid.Body, "body", str), number, text)
	record(t, s, "", login, plain)

	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Log}}))
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
		if k.Signal != schemaid.Log || k.Key != catalog.StoredKey(schemaid.Log, k.Name) {
			t.Errorf("log key %+v", k)
		}
	}
	if !slices.Equal(names, []string{event, logger}) {
		t.Errorf("log keys %v, want the event's and the logger's, by name", names)
	}
	sc := must[[]catalog.Schema](t)(s.ListSchemas(ctx, catalog.StoredKey(schemaid.Log, event), false))
	if len(sc) != 1 || sc[0].ID != login.VariantID || sc[0].ByScope || sc[0].Signal != schemaid.Log {
		t.Fatalf("schemas of %s = %+v", event, sc)
	}
	for _, want := range []struct {
		src  tallycatv1.FieldSource
		name string
	}{{dataPoint, "session.id"}, {bodySource, "body"}, {bodySource, "user.id"}, {severitySource, "severity_number"}} {
		if f := field(sc[0], want.src, want.name); f == nil || f.Presence != always {
			t.Errorf("%s %s = %+v, want always", want.src, want.name, f)
		}
	}
	byScope := must[[]catalog.Schema](t)(s.ListSchemas(ctx, catalog.StoredKey(schemaid.Log, logger), false))
	if len(byScope) != 1 || !byScope[0].ByScope || byScope[0].Name != logger || field(byScope[0], severitySource, "severity_text") == nil {
		t.Errorf("the logger's schema = %+v, want by scope with severity_text", byScope)
	}

	// By-scope spans keep some of the names they took in.
	spans := SpanObservation(logger, schemaid.SpanKindInternal, "users", T0, Str("job.id"))
	spans.Shape.ByScope, spans.NameExamples = true, []string{"job 7", "job 3"}
	spans.Normalize()
	more := spans
	more.NameExamples = []string{"job 9", "job 3"}
	record(t, s, "", spans)
	record(t, s, "", more)
	got := must[[]catalog.Schema](t)(s.GetSchemas(ctx, spans.VariantID))[0]
	if !got.ByScope || !slices.Equal(got.NameExamples, []string{"job 3", "job 7", "job 9"}) {
		t.Errorf("by-scope span schema = %+v, want its three names", got)
	}

	// Judging names the scope whose span names went past the limit, with
	// its examples, in a full judging and when the key is judged afresh.
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	x := &conformance.Findings{Store: s, Judge: conformance.Judge{Registry: reg}}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, filter := range []conformance.FindingFilter{{}, {SchemaID: spans.VariantID}} {
		found, _ := mustFindings(t)(x.List(ctx, filter))
		if !slices.ContainsFunc(found, func(f conformance.Finding) bool {
			return f.ID == conformance.FindingSpanNameLimit && f.SchemaID == spans.VariantID &&
				slices.Equal(f.Examples, got.NameExamples) && strings.Contains(f.Message, logger)
		}) {
			t.Errorf("findings %+v: want span_name_limit on the scope %s with its examples", found, logger)
		}
	}
}

func testSpanMoves(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "POST /orders"
	key := catalog.StoredKey(schemaid.Span, name)
	first := SpanObservation(name, schemaid.SpanKindServer, "orders", T0, Str("http.route"))
	first.Errors = 2
	record(t, s, "", first)
	// The same-named metric holds version 1.0.0; the span's may too.
	metric := Observation(name, "orders", T0, Str("http.route"))
	record(t, s, "", metric)
	must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: metric.VariantID, Version: "1.0.0", Actor: "alice"}))
	must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: first.VariantID, Version: "1.0.0", Actor: "alice"}))

	grown := SpanObservation(name, schemaid.SpanKindServer, "orders", T0.Add(time.Hour), Str("http.route"), EventAttr("exception", "exception.type", str))
	grown.Errors = 1
	res := record(t, s, "", grown)
	if res.NewSchemas != 1 || res.SchemaIDs[0] != grown.VariantID {
		t.Fatalf("the new event attribute = %+v, want a new schema, the union's", res)
	}
	sc := must[[]catalog.Schema](t)(s.ListSchemas(ctx, key, false))
	if len(sc) != 1 || sc[0].ID != grown.VariantID || sc[0].DataPoints != 20 || sc[0].Errors != 3 {
		t.Errorf("current schemas = %+v, want the union's with the stream's 20 spans and 3 errors carried", sc)
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, key, 0, 0))
	var moved *catalog.Event
	for i := range events {
		if events[i].Signal != schemaid.Span || events[i].Name != name || events[i].Key != key {
			t.Errorf("event %+v: not the span's", events[i])
		}
		if events[i].Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			moved = &events[i]
		}
	}
	want := []schemaid.Attribute{EventAttr("exception", "exception.type", str)}
	if moved == nil || moved.SchemaID != first.VariantID || moved.TargetSchemaID != grown.VariantID || !slices.Equal(moved.Added, want) {
		t.Fatalf("move = %+v, want %s to %s adding the exception's exception.type", moved, first.VariantID, grown.VariantID)
	}
	if sum := catalog.SummarizeEvent(moved); !strings.Contains(sum, "added exception.type (string, event exception)") || strings.ContainsRune(sum, 0x1f) {
		t.Errorf("move summary %q", sum)
	}
	if vs := must[[]catalog.Version](t)(s.ListVersions(ctx, "", name)); len(vs) != 1 || vs[0].SchemaID != metric.VariantID {
		t.Errorf("the metric's versions = %+v, want its own 1.0.0 alone", vs)
	}
	// Two versions of one number on one key conflict, as for metrics.
	_, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: grown.VariantID, Version: "1.0.0", Actor: "alice"})
	if catalog.ErrorCode(err) != catalog.ECONFLICT || !strings.Contains(catalog.ErrorMessage(err), `span "POST /orders"`) {
		t.Errorf("the span's 1.0.0 again: %v, want ECONFLICT naming the span", err)
	}
}
