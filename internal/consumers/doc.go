// Package consumers reads what reads telemetry: Grafana dashboards and
// alert rules, Prometheus alerting and recording rules, Perses dashboards.
// Each becomes a Consumer with its PromQL queries and, per query, what it
// reads (package promql); package promnames then maps those names and
// labels to the catalog's metric keys and attributes.
//
// A dashboard is read in every form one takes in the wild: panels, rows,
// collapsed rows holding their panels, the `rows[].panels` of dashboards
// older than schema 16, library panels (from an export's __elements or
// Grafana's API), template variables (their own queries are read too:
// `label_values(metric, label)` uses the metric and the label), and the
// built-in variables substituted before parsing (see variables). Queries
// on other datasources are counted, not read, and not errors.
//
// Sources: files and folders (the provisioning layout; ReadPath tells each
// file's format by its content), Grafana's HTTP API (GrafanaClient) and
// Prometheus' /api/v1/rules (PrometheusClient).
//
// What is kept when something is wrong: a query that does not parse stays
// in its consumer with its error (Query.Error), counted by Broken, never
// dropped; a document that cannot be read at all is an error naming the
// file, the JSON path and the line (SourceError). A sync must not remove
// from the catalog the consumers of a source it could not read, so reading
// a folder returns the documents it could read beside the errors of those
// it could not, and reading an API fails whole.
package consumers
