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
// Spans and log events are judged by their attributes alone: a span's own,
// its events' and its links', a log record's own, each against the
// attribute registry by the rules that need no definition of the span or
// the event (deprecated, type, stability, template, enum members), and a
// span key for names past the ingest's limit. Spans are not yet matched to
// the registry's span definitions nor log events to its events, so there
// is no requirement level, no missing_event and no missing_attribute on
// them (see docs/CONFORMANCE.md).
package conformance
