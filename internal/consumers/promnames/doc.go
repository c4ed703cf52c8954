// Package promnames maps the names a PromQL query reads back to the
// OpenTelemetry metrics and attributes they come from.
//
// An OpenTelemetry metric reaches Prometheus under a name its exporter
// derives: Prometheus' own OTLP endpoint, the Collector's prometheus and
// prometheusremotewrite exporters and the SDKs' Prometheus exporters all
// translate with github.com/prometheus/otlptranslator, each under one of
// several strategies (escape to underscores or keep UTF-8; add the unit and
// type suffixes `_seconds`, `_total`, `_ratio` or not; some exporters drop
// only the unit or only `_total`), maybe behind a namespace prefix, and a
// histogram or a summary becomes several series (`_bucket`, `_count`,
// `_sum`). A dashboard written for one of these setups names one of those
// names. The Index built here holds every name each metric of the catalog
// can be exported as, under every strategy, so that a query's name resolves
// whichever setup it was written for; when a name could come from more than
// one metric the resolution says so and lists them all, and never picks one.
//
// Labels resolve the same way: a data point attribute becomes a label of
// its own series, a resource attribute one of `target_info`'s (and of every
// series, when the exporter promotes it), a scope attribute an
// `otel_scope_` label; `job` and `instance` are made from `service.name`,
// `service.namespace` and `service.instance.id`; `le` and `quantile` are
// the exporter's own.
package promnames
