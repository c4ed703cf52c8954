// Package conformance judges the catalog's schemas against registries of
// semantic conventions and the team's policies, and turns what it finds
// into the Collector configuration that enforces them and the registry
// export that documents them; the catalog's main runs its judging loop and
// the API's ConformanceService reads it.
//
// It speaks the vocabulary of Weaver's live-check, so that its users'
// filters and habits carry over, and adds what Weaver cannot see because
// it has no history, producers or volume: producers of one metric
// disagreeing on its unit or instrument, one key sent with two types, an
// attribute whose values explode. It reads the catalog only through
// catalog.Store.
//
// Spans and log events are judged by their attributes, a span's own, its
// events' and its links', a log record's own, each against the attribute
// registry by the rules that need no definition of the span or the event
// (deprecated, type, stability, template, enum members), and by the
// definitions they are matched to:
//
//   - a span schema is matched to the registry's span definition of its
//     kind whose required attributes it carries (spans.go; Weaver cannot
//     tell which definition a span follows, since nothing in a span names
//     it), and its own attributes are judged by that definition's
//     requirement levels; a span that matches none gets no requirement
//     finding;
//   - a log event and a span event are matched to the registry's event of
//     their name (events.go): missing_event when there is none, as Weaver
//     reports it, else the event's requirement levels, deprecation and
//     stability; a logger's schema, records without an event name, is no
//     event.
//
// An attribute the registries do not define gets no missing_attribute on
// a span or a log yet, and a span key gets span_name_limit for names past
// the ingest's limit (see docs/CONFORMANCE.md).
package conformance
