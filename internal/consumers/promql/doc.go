// Package promql says what a PromQL expression reads: for every selector in
// it, the metric name (or the patterns its `__name__` matchers allow), the
// labels it filters on, and the labels the expression around it groups,
// joins or rewrites by. TallyCat asks this of every query in a dashboard or
// a rule so that it can tell which metrics and attributes are used, and
// what a rename or a dropped attribute would break.
//
// # Which parser, and why
//
// Expressions are parsed by Prometheus' own parser,
// github.com/prometheus/prometheus/promql/parser, not by VictoriaMetrics'
// metricsql. Both were measured (docs/CONSUMERS.md has the figures):
// metricsql is the lighter dependency (4 modules added to go.mod against
// 10 added and 9 upgraded, 0.4 MB against 1.7 MB more in the tallycat
// binary, 5 s against 13 s more CPU to build it), but it parses a superset of
// PromQL: it accepts expressions Prometheus, Mimir and Thanos reject
// (`rate(x)` with no range, `WITH` templates, dotted names unquoted), so a
// query that is broken where it runs would read as sound here, and it does
// not know Prometheus 3's `info()`, the function that joins `target_info`
// for OpenTelemetry's resource attributes. The dashboards and rules
// TallyCat reads run on engines that embed this very parser; reading them
// with it means a query is broken here exactly when it is broken there.
//
// The parser is built with Prometheus' experimental features on (functions
// such as `info`, unquoted UTF-8 names, binary fill modifiers): a query is
// read for what it uses, and one a server accepts behind a feature flag
// still reads those metrics.
package promql
