package schemaid

import (
	"fmt"
	"unique"
)

// Signal is the kind of telemetry item a schema describes. Its zero value is
// Metric, so that every shape built before spans and logs had schemas is
// still a metric shape and keeps its id.
//
// The API's Signal enum will carry an UNSPECIFIED value besides these three;
// the conversion reads it as Metric, which is what an unset signal meant
// before the API had one.
type Signal uint8

// The signals. A span and a metric with the same name and attributes are two
// different schemas with two different ids: each signal has its own domain
// tag (see AppendCanonical).
const (
	Metric Signal = iota
	Span
	Log
)

// Signals lists every signal, in the order of their values.
var Signals = []Signal{Metric, Span, Log}

// String names the signal for messages. It is not part of any encoding: the
// domain tag is.
func (s Signal) String() string {
	switch s {
	case Metric:
		return "metric"
	case Span:
		return "span"
	case Log:
		return "log"
	}
	return fmt.Sprintf("Signal(%d)", uint8(s))
}

// SpanKind is a span's kind, numbered as OTLP numbers Span.SpanKind (and as
// the API's enum will), so that a conversion from either is a type
// conversion. Only a span shape carries it.
type SpanKind int32

// The span kinds, with OTLP's numbers.
const (
	SpanKindUnspecified SpanKind = iota
	SpanKindInternal
	SpanKindServer
	SpanKindClient
	SpanKindProducer
	SpanKindConsumer
)

// Source says where on a telemetry item an attribute was found. Its zero
// value is Own, the item's own attributes (a metric's data point, a span, a
// log record), so that every attribute built before spans and logs had
// schemas is still an own attribute and encodes as before.
//
// It is one byte so that it fits beside Attribute.Type in the space the
// alignment of Attribute leaves, and the metric hot path copies no more
// bytes for it.
type Source uint8

// The attribute sources. Which ones a shape may hold depends on its signal:
// a metric only Own; a span Own, Event and Link; a log Own, Body and
// Severity (see Shape.Validate).
const (
	// Own is the item's own attributes: a data point's, a span's or a log
	// record's.
	Own Source = iota
	// Event is an attribute of a span event; Attribute.Event names the
	// event.
	Event
	// Link is an attribute of a span link.
	Link
	// Body is a key of a log record's map body, nested keys dotted.
	Body
	// Severity is a severity field of a log record, such as its number and
	// its text.
	Severity
)

// String names the source for messages; the encoding's tokens are
// SourceToken's, which depend on the signal.
func (s Source) String() string {
	switch s {
	case Own:
		return "own"
	case Event:
		return "event"
	case Link:
		return "link"
	case Body:
		return "body"
	case Severity:
		return "severity"
	}
	return fmt.Sprintf("Source(%d)", uint8(s))
}

// EventName is the name of a span event as an Attribute holds it: one
// machine word that compares equal exactly when the names are equal, so that
// Attribute keeps the size of a metric attribute that fits in registers (see
// Attribute). Its zero value is the empty name. Names are interned: the
// first MakeEventName of a name copies it, later ones share that copy, and it
// is freed once no EventName refers to it.
type EventName struct {
	h unique.Handle[string]
}

// MakeEventName returns the EventName of name.
func MakeEventName(name string) EventName {
	if name == "" {
		return EventName{}
	}
	return EventName{unique.Make(name)}
}

// String returns the name.
func (e EventName) String() string {
	if e == (EventName{}) {
		return ""
	}
	return e.h.Value()
}

// sourceOrder is the rank by which attributes sort by source. It is the byte
// order of the source tokens among the sources each signal may hold (for
// spans event < link < span, for logs body < log < severity), so that sorting
// by rank, which needs no signal, sorts a valid shape's attributes by token as
// the canonical encoding requires. (Own's token differs by signal, so a plain
// token order would need the signal; the two orders only agree because a span
// never holds Body or Severity and a log never holds Event or Link.)
func sourceOrder(s Source) int {
	switch s {
	case Body:
		return 0
	case Event:
		return 1
	case Link:
		return 2
	case Own:
		return 3
	case Severity:
		return 4
	}
	return 5 + int(s)
}

// SourceToken is the stable token of an attribute source in the encoding of
// sig. Own attributes are "span" on a span and "log" on a log record. A
// metric's encoding has no source, so every source of a metric is "".
func SourceToken(sig Signal, s Source) string {
	if sig != Span && sig != Log {
		return ""
	}
	switch s {
	case Own:
		if sig == Span {
			return "span"
		}
		return "log"
	case Event:
		return "event"
	case Link:
		return "link"
	case Body:
		return "body"
	case Severity:
		return "severity"
	}
	return "unspecified"
}

// SpanKindToken is the stable token of a span kind in the encoding. It does
// not depend on OTLP's or the API's enum names.
func SpanKindToken(k SpanKind) string {
	switch k {
	case SpanKindInternal:
		return "internal"
	case SpanKindServer:
		return "server"
	case SpanKindClient:
		return "client"
	case SpanKindProducer:
		return "producer"
	case SpanKindConsumer:
		return "consumer"
	}
	return "unspecified"
}

// groupingToken is the token that says whether a span or log schema is one
// name's or its scope's.
func groupingToken(sig Signal, byScope bool) string {
	switch {
	case byScope:
		return "scope"
	case sig == Log:
		return "event"
	}
	return "name"
}

// allows reports whether a shape of signal sig may hold attributes of source
// src.
func allows(sig Signal, src Source) bool {
	switch src {
	case Own:
		return true
	case Event, Link:
		return sig == Span
	case Body, Severity:
		return sig == Log
	}
	return false
}

// Validate reports what in s no canonical encoding can hold: an unknown
// signal or span kind, an attribute whose source the signal does not have,
// or an event name on an attribute that is not an event's. The encoding of
// such a shape would either drop the difference (a metric's has no source) or
// be one that ParseCanonical refuses, so whoever builds shapes from input it
// does not control (the catalog, from what clients send) checks them first.
//
// Header fields a signal does not carry are not errors: the encoding ignores
// them, as it ignores a gauge's temporality.
func (s *Shape) Validate() error {
	if s.Signal > Log {
		return fmt.Errorf("schemaid: unknown signal %d", uint8(s.Signal))
	}
	if s.Signal == Span && (s.SpanKind < SpanKindUnspecified || s.SpanKind > SpanKindConsumer) {
		return fmt.Errorf("schemaid: unknown span kind %d", s.SpanKind)
	}
	for _, a := range s.Attributes {
		if !allows(s.Signal, a.Source) {
			return fmt.Errorf("schemaid: a %s has no %s attributes (attribute %q)", s.Signal, a.Source, a.Key)
		}
		if a.Event != (EventName{}) && a.Source != Event {
			return fmt.Errorf("schemaid: attribute %q names event %q but is not an event's", a.Key, a.Event)
		}
	}
	return nil
}
