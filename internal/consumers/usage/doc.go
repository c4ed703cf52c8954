// Package usage joins what consumers read with what the catalog holds: it
// resolves every selector of every dashboard and rule (package consumers)
// against the catalog's current metric schemas (through package
// promnames) and says, in the conformance vocabulary, what is wrong on
// either side.
//
// On the consumers' side: a query on a metric no current schema sends
// (consumer_missing_metric, with the keys whose names differ only in
// unit, type or series suffixes: a dashboard still on `_milliseconds`
// after the unit moved to seconds), a query that filters, groups or joins
// on a label no attribute of the metric gives, or one the metric carries
// only sometimes (consumer_missing_attribute), a name two keys share
// (consumer_ambiguous_metric: both are counted as read, neither is
// guessed), and a query that does not parse (consumer_unparsed_query,
// kept with its error). On the producers' side: a metric no consumer
// reads (unused_metric), ranked by what it costs, and a data point
// attribute of a read metric that no query on it uses (unused_attribute).
//
// It is the judgement alone, with no catalog client and no store: the CLI
// (`tallycat consumers check`) feeds it what the catalog's API returns,
// and the catalog can feed it what its store holds once it keeps
// consumers itself (issue 22). Its rule for doubt is the same everywhere:
// never call unused what a query may read (a pattern, an ambiguous name,
// a series whose every label reaches the result, every metric a query
// that does not parse names), and never call missing
// what only a `without` or an `ignoring` names.
package usage
