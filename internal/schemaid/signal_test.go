package schemaid

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestSignalsDoNotShareIDs: a span, a log and a metric with the same name and
// attributes are three schemas. Whatever the metric's type, unit or
// temporality, its encoding starts with another domain tag than a span's or a
// log's, so the ids differ.
func TestSignalsDoNotShareIDs(t *testing.T) {
	attrs := []Attribute{{Key: "http.request.method", Type: str}, {Key: "http.route", Type: str}}
	span := Shape{Signal: Span, Name: "GET /users/{id}", Attributes: attrs}
	log := Shape{Signal: Log, Name: "GET /users/{id}", Attributes: attrs}
	if ID(span) == ID(log) {
		t.Fatal("a span and a log with the same name and attributes share an id")
	}
	for typ := range tallycatv1.MetricType_name {
		metric := Shape{Name: "GET /users/{id}", Type: tallycatv1.MetricType(typ), Attributes: attrs}
		for _, other := range []Shape{span, log} {
			if ID(metric) == ID(other) {
				t.Errorf("a %s metric and a %s with the same name and attributes share an id", MetricTypeToken(metric.Type), other.Signal)
			}
		}
	}
	for _, v := range slices.Concat(spanVectors, logVectors) {
		if bytes.HasPrefix(AppendCanonical(nil, &v.shape), appendString(nil, domainTag)) {
			t.Errorf("%s: the encoding starts with the metric tag", v.name)
		}
	}
}

func TestSpanAndLogIDsDistinguish(t *testing.T) {
	own := Attribute{Key: "k", Type: str}
	span := Shape{Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: []Attribute{own}}
	spans := map[string]Shape{
		"name":        {Signal: Span, Name: "t", SpanKind: SpanKindServer, Attributes: []Attribute{own}},
		"kind":        {Signal: Span, Name: "s", SpanKind: SpanKindClient, Attributes: []Attribute{own}},
		"grouping":    {Signal: Span, Name: "s", SpanKind: SpanKindServer, ByScope: true, Attributes: []Attribute{own}},
		"source":      {Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: []Attribute{{Source: Link, Key: "k", Type: str}}},
		"event":       {Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: []Attribute{{Source: Event, Event: MakeEventName("e"), Key: "k", Type: str}}},
		"value type":  {Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: []Attribute{{Key: "k", Type: i64}}},
		"the key too": {Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: []Attribute{own, {Source: Link, Key: "k", Type: str}}},
	}
	for what, v := range spans {
		if ID(v) == ID(span) {
			t.Errorf("spans that differ in %s share an id", what)
		}
	}
	a := Shape{Signal: Span, Name: "s", Attributes: []Attribute{{Source: Event, Event: MakeEventName("e1"), Key: "k", Type: str}}}
	b := Shape{Signal: Span, Name: "s", Attributes: []Attribute{{Source: Event, Event: MakeEventName("e2"), Key: "k", Type: str}}}
	if ID(a) == ID(b) {
		t.Error("the same attribute on two events shares an id")
	}

	log := Shape{Signal: Log, Name: "l", Attributes: []Attribute{own}}
	logs := map[string]Shape{
		"name":     {Signal: Log, Name: "m", Attributes: []Attribute{own}},
		"grouping": {Signal: Log, Name: "l", ByScope: true, Attributes: []Attribute{own}},
		"body":     {Signal: Log, Name: "l", Attributes: []Attribute{{Source: Body, Key: "k", Type: str}}},
		"severity": {Signal: Log, Name: "l", Attributes: []Attribute{{Source: Severity, Key: "k", Type: str}}},
	}
	for what, v := range logs {
		if ID(v) == ID(log) {
			t.Errorf("logs that differ in %s share an id", what)
		}
	}
}

// TestIDIgnoresWhatTheSignalDoesNotCarry: the metric fields of a span or a
// log, and the span fields of a metric or a log, are not in the id.
func TestIDIgnoresWhatTheSignalDoesNotCarry(t *testing.T) {
	attrs := []Attribute{{Key: "k", Type: str}}
	pairs := map[string][2]Shape{
		"a span's metric fields": {{Signal: Span, Name: "s", SpanKind: SpanKindServer, Attributes: attrs},
			{Signal: Span, Name: "s", SpanKind: SpanKindServer, Type: sum, Unit: "s", Temporality: delta, Monotonic: true, Attributes: attrs}},
		"a log's metric and span fields": {{Signal: Log, Name: "l", Attributes: attrs},
			{Signal: Log, Name: "l", Type: sum, Unit: "s", Temporality: delta, Monotonic: true, SpanKind: SpanKindClient, Attributes: attrs}},
		"a metric's span fields": {{Name: "m", Type: gauge, Attributes: attrs},
			{Name: "m", Type: gauge, SpanKind: SpanKindServer, ByScope: true, Attributes: attrs}},
	}
	for what, p := range pairs {
		if ID(p[0]) != ID(p[1]) {
			t.Errorf("%s change the id", what)
		}
	}
}

// TestNormalizeSortsBySourceToken holds the signal-free order of
// compareAttributes to the order the encoding specifies, (source token, event,
// key, value type token), on random valid span and log attribute sets.
func TestNormalizeSortsBySourceToken(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "error.type", "k", "url.full", "z"}
	events := []string{"exception", "e", "z"}
	types := []tallycatv1.ValueType{str, i64, bol, dbl}
	for range 500 {
		sig := []Signal{Span, Log}[r.IntN(2)]
		var attrs []Attribute
		for range r.IntN(12) {
			a := Attribute{Source: Source(r.IntN(5)), Key: keys[r.IntN(len(keys))], Type: types[r.IntN(len(types))]}
			if !allows(sig, a.Source) {
				continue
			}
			if a.Source == Event {
				a.Event = MakeEventName(events[r.IntN(len(events))])
			}
			attrs = append(attrs, a)
		}
		got := NormalizeAttributes(slices.Clone(attrs))
		tuple := func(a Attribute) string {
			return strings.Join([]string{SourceToken(sig, a.Source), a.Event.String(), a.Key, ValueTypeToken(a.Type)}, "\x00")
		}
		for i := 1; i < len(got); i++ {
			if tuple(got[i-1]) >= tuple(got[i]) {
				t.Fatalf("%s attributes %v are not in (source token, event, key, type) order at %d", sig, got, i)
			}
		}
	}
}

// TestSpanKindIsOTLPs: SpanKind has OTLP's numbers, so that the ingest
// converts a span's kind with a type conversion.
func TestSpanKindIsOTLPs(t *testing.T) {
	want := map[SpanKind]tracepb.Span_SpanKind{
		SpanKindUnspecified: tracepb.Span_SPAN_KIND_UNSPECIFIED,
		SpanKindInternal:    tracepb.Span_SPAN_KIND_INTERNAL,
		SpanKindServer:      tracepb.Span_SPAN_KIND_SERVER,
		SpanKindClient:      tracepb.Span_SPAN_KIND_CLIENT,
		SpanKindProducer:    tracepb.Span_SPAN_KIND_PRODUCER,
		SpanKindConsumer:    tracepb.Span_SPAN_KIND_CONSUMER,
	}
	for k, otlp := range want {
		if int32(k) != int32(otlp) {
			t.Errorf("SpanKind %s is %d, OTLP's is %d", SpanKindToken(k), k, otlp)
		}
		if tok := strings.ToLower(strings.TrimPrefix(otlp.String(), "SPAN_KIND_")); SpanKindToken(k) != tok {
			t.Errorf("SpanKindToken(%d) = %q, want %q", k, SpanKindToken(k), tok)
		}
	}
	if len(want) != len(tracepb.Span_SpanKind_name) {
		t.Errorf("OTLP has %d span kinds, SpanKind %d", len(tracepb.Span_SpanKind_name), len(want))
	}
}

func TestValidate(t *testing.T) {
	for _, v := range slices.Concat(vectors, spanVectors, logVectors) {
		if err := v.shape.Validate(); err != nil {
			t.Errorf("%s: %v", v.name, err)
		}
	}
	bad := map[string]Shape{
		"unknown signal":          {Signal: Log + 1, Name: "x"},
		"unknown span kind":       {Signal: Span, Name: "x", SpanKind: SpanKindConsumer + 1},
		"negative span kind":      {Signal: Span, Name: "x", SpanKind: -1},
		"a metric's event":        {Name: "x", Type: gauge, Attributes: []Attribute{{Source: Event, Event: MakeEventName("e"), Key: "k", Type: str}}},
		"a metric's body":         {Name: "x", Type: gauge, Attributes: []Attribute{{Source: Body, Key: "k", Type: str}}},
		"a metric's event name":   {Name: "x", Type: gauge, Attributes: []Attribute{{Event: MakeEventName("e"), Key: "k", Type: str}}},
		"a span's body":           {Signal: Span, Name: "x", Attributes: []Attribute{{Source: Body, Key: "k", Type: str}}},
		"a span's severity":       {Signal: Span, Name: "x", Attributes: []Attribute{{Source: Severity, Key: "k", Type: str}}},
		"a log's event":           {Signal: Log, Name: "x", Attributes: []Attribute{{Source: Event, Event: MakeEventName("e"), Key: "k", Type: str}}},
		"a log's link":            {Signal: Log, Name: "x", Attributes: []Attribute{{Source: Link, Key: "k", Type: str}}},
		"an unknown source":       {Signal: Span, Name: "x", Attributes: []Attribute{{Source: Severity + 1, Key: "k", Type: str}}},
		"a link's event name":     {Signal: Span, Name: "x", Attributes: []Attribute{{Source: Link, Event: MakeEventName("e"), Key: "k", Type: str}}},
		"a span's own event name": {Signal: Span, Name: "x", Attributes: []Attribute{{Event: MakeEventName("e"), Key: "k", Type: str}}},
	}
	for what, sh := range bad {
		if sh.Validate() == nil {
			t.Errorf("%s: Validate accepted %+v", what, sh)
		}
	}
	// A shape Validate refuses either encodes like a valid one (a metric
	// has no sources) or does not parse.
	for what, sh := range bad {
		if sh.Signal != Span && sh.Signal != Log {
			continue
		}
		if _, err := ParseCanonical(string(AppendCanonical(nil, &sh))); err == nil && sh.SpanKind >= 0 && sh.SpanKind <= SpanKindConsumer {
			t.Errorf("%s: its encoding parses", what)
		}
	}
}

// TestParseCanonicalRoundTripsSpansAndLogs holds ParseCanonical to
// AppendCanonical for every span kind, grouping, source and value type, and
// refuses damaged input and the encodings of invalid shapes. The ingest's
// forwarder rebuilds every shape it sends from its encoding.
func TestParseCanonicalRoundTripsSpansAndLogs(t *testing.T) {
	var shapes []Shape
	for _, sig := range []Signal{Span, Log} {
		for kind := SpanKindUnspecified; kind <= SpanKindConsumer; kind++ {
			if sig == Log && kind != SpanKindUnspecified {
				continue
			}
			for _, byScope := range []bool{false, true} {
				sh := Shape{Signal: sig, Name: "GET /users/{id}", SpanKind: kind, ByScope: byScope}
				for src := Own; src <= Severity; src++ {
					if !allows(sig, src) {
						continue
					}
					for vt := range tallycatv1.ValueType_name {
						a := Attribute{Source: src, Key: fmt.Sprintf("k%d", vt), Type: tallycatv1.ValueType(vt)}
						if src == Event {
							a.Event = MakeEventName(fmt.Sprintf("e%d", vt%2))
						}
						sh.Attributes = append(sh.Attributes, a)
					}
				}
				sh.Normalize()
				shapes = append(shapes, sh)
			}
		}
		shapes = append(shapes, Shape{Signal: sig})
	}
	shapes = append(shapes, spanVectors[0].shape, logVectors[0].shape)
	for _, sh := range shapes {
		sh.Normalize()
		enc := string(AppendCanonical(nil, &sh))
		got, err := ParseCanonical(enc)
		if err != nil {
			t.Fatalf("%+v: %v", sh, err)
		}
		if len(sh.Attributes) == 0 {
			sh.Attributes = nil
		}
		if !reflect.DeepEqual(got, sh) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, sh)
		}
		if ID(got) != String(Sum([]byte(enc))) {
			t.Fatal("the parsed shape's id is not its encoding's")
		}
		for cut := 0; cut < len(enc); cut += 5 {
			if _, err := ParseCanonical(enc[:cut]); err == nil {
				t.Fatalf("a canonical encoding cut at %d of %d bytes was accepted", cut, len(enc))
			}
		}
		if _, err := ParseCanonical(enc + "x"); err == nil {
			t.Fatal("trailing bytes were accepted")
		}
	}

	// Tokens another signal has, or none has.
	tag := func(s string) string { return string(appendString(nil, s)) }
	u32 := func(n byte) string { return "\x00\x00\x00" + string(n) }
	attr := func(src, event string) string { return tag(src) + tag(event) + tag("k") + tag("string") }
	refused := map[string]string{
		"a span's log grouping":      tag(domainTagSpan) + tag("s") + tag("server") + tag("event") + u32(0),
		"a log's span grouping":      tag(domainTagLog) + tag("l") + tag("name") + u32(0),
		"an unknown span kind":       tag(domainTagSpan) + tag("s") + tag("sever") + tag("name") + u32(0),
		"a span's log attribute":     tag(domainTagSpan) + tag("s") + tag("server") + tag("name") + u32(1) + attr("log", ""),
		"a log's span attribute":     tag(domainTagLog) + tag("l") + tag("event") + u32(1) + attr("span", ""),
		"a log's event attribute":    tag(domainTagLog) + tag("l") + tag("event") + u32(1) + attr("event", "e"),
		"a span's own event name":    tag(domainTagSpan) + tag("s") + tag("server") + tag("name") + u32(1) + attr("span", "e"),
		"an attribute count too big": tag(domainTagLog) + tag("l") + tag("event") + u32(2) + attr("log", ""),
		"an unknown tag":             tag("tallycat.schema.v2.trace") + tag("s") + tag("server") + tag("name") + u32(0),
	}
	for what, enc := range refused {
		if sh, err := ParseCanonical(enc); err == nil {
			t.Errorf("%s was accepted as %+v", what, sh)
		}
	}
	ok := tag(domainTagSpan) + tag("s") + tag("server") + tag("name") + u32(1) + attr("event", "")
	if sh, err := ParseCanonical(ok); err != nil || sh.Attributes[0] != (Attribute{Source: Event, Key: "k", Type: str}) {
		t.Errorf("an event attribute of an event with an empty name: %+v, %v", sh, err)
	}
}

// TestEventNameComparesByName: attributes compare with ==, in
// NormalizeAttributes and in the ingest, so two EventNames of equal names
// are equal whatever memory the names were in, and the empty name is the
// zero EventName.
func TestEventNameComparesByName(t *testing.T) {
	a, b := MakeEventName("exception"), MakeEventName(string([]byte("exception")))
	if a != b || a.String() != "exception" {
		t.Fatalf("two EventNames of %q differ: %v, %v", "exception", a, b)
	}
	if a == MakeEventName("exceptions") {
		t.Fatal("the EventNames of two names are equal")
	}
	if MakeEventName("") != (EventName{}) || (EventName{}).String() != "" {
		t.Fatal("the empty name is not the zero EventName")
	}
	x := []Attribute{{Source: Event, Event: a, Key: "k", Type: str}, {Source: Event, Event: b, Key: "k", Type: str}}
	if got := NormalizeAttributes(x); len(got) != 1 {
		t.Fatalf("the same event attribute twice normalizes to %v", got)
	}
}

// TestAttributeFitsInRegisters holds Attribute to the 32 bytes beyond which
// the compiler copies it through memory, with a bulk write barrier, and
// compares it with a call: the ingest appends and compares one per data
// point attribute.
func TestAttributeFitsInRegisters(t *testing.T) {
	if size := unsafe.Sizeof(Attribute{}); size > 32 {
		t.Fatalf("Attribute is %d bytes, more than 32", size)
	}
}
