package consumers

import (
	"errors"
	"fmt"

	"github.com/tallycat/tallycat/internal/consumers/promql"
)

// Options say what a document alone does not.
type Options struct {
	// Datasources maps datasource names and uids to their plugin types
	// (`prometheus`, `loki`): Grafana's /api/datasources, or its
	// provisioning files. Without it a bare name is told by its words.
	Datasources map[string]string
	// LibraryPanel returns a library panel's model by uid, as Grafana's
	// /api/library-elements/UID answers it (the model itself, or the
	// response that holds it). Without it only the library panels an
	// exported dashboard carries in __elements are read.
	LibraryPanel func(uid string) ([]byte, error)
	// Folder is the dashboard's folder when its source says it (the API's
	// meta, a provisioning provider's folder).
	Folder string
}

// Kind is what a consumer is.
type Kind string

const (
	Dashboard     Kind = "dashboard"
	AlertRule     Kind = "alert_rule"
	RecordingRule Kind = "recording_rule"
)

// Format is the form a consumer was read from.
type Format string

const (
	GrafanaDashboard  Format = "grafana_dashboard"
	GrafanaAlertRules Format = "grafana_alert_rules"
	PrometheusRules   Format = "prometheus_rules"
	PersesDashboard   Format = "perses_dashboard"
)

// Consumer is one dashboard or rule and the PromQL queries it runs.
type Consumer struct {
	// ID is the catalog's id of a consumer it keeps (catalog.ConsumerID),
	// so that findings name the stored consumer; empty for one read from
	// files or an API, which has no id until it is synced.
	ID     string
	Kind   Kind
	Format Format
	// Source is the file or URL it was read from.
	Source string
	// UID identifies the consumer in its source across syncs: a Grafana
	// dashboard's or alert rule's uid, a Perses project and name, a
	// Prometheus rule's group and name. With Source it is the consumer's
	// identity; a consumer whose identity is gone at the next sync is gone.
	UID string
	// Title is what people call it: the dashboard's title, the rule's alert
	// or record name.
	Title string
	// Folder is the Grafana folder, the Perses project or the rule group.
	Folder string
	// Queries are its PromQL queries, those that do not parse included.
	Queries []Query
	// Skipped counts its queries on other datasources (Loki, Tempo, SQL,
	// Grafana's expressions), by datasource type: not errors, but not read.
	Skipped map[string]int
	// Notes say what could not be read and why, without being errors: a
	// library panel that could not be resolved, a variable with no value.
	Notes []string
}

// Query is one PromQL query of a consumer and what it reads.
type Query struct {
	// Panel is the panel's title for a dashboard (with its row's, "row /
	// panel"), "variable NAME" for a template variable's query, or the
	// rule's name.
	Panel string
	// RefID is the query's id within its panel or rule (A, B, ...).
	RefID string
	// Path is where the query is in its document, as a JSON path
	// (`panels[3].panels[0].targets[1].expr`), and Line its line, 0 when
	// unknown (an API response).
	Path string
	Line int
	// Datasource is the datasource as the consumer names it, variables
	// resolved where they could be.
	Datasource string
	// Raw is the expression as written; Expr the one parsed, with
	// variables substituted.
	Raw  string
	Expr string
	// Error is the parse error of a query that does not parse; such a
	// query is kept and counted, never dropped.
	Error string
	// Selectors are what the query reads.
	Selectors []promql.Selector
	// GroupLabels are labels a template variable query lists the values
	// of (`label_values(metric, label)`): they are read as `by` labels of
	// its selectors.
	GroupLabels []string
}

// Broken counts the consumer's queries that do not parse.
func (c Consumer) Broken() int {
	n := 0
	for _, q := range c.Queries {
		if q.Error != "" {
			n++
		}
	}
	return n
}

// Analyze parses a query's Expr and fills its Selectors or its Error (the
// readers call it on every query they read). A caller that builds a Query
// itself, as the catalog does from the queries it stores, calls it once
// Expr and GroupLabels are set; it clears what an earlier call filled.
func (q *Query) Analyze() {
	q.Selectors, q.Error = nil, ""
	q.analyze()
}

// analyze parses a query's Expr and fills its Selectors or its Error.
func (q *Query) analyze() {
	a, err := promql.Analyze(q.Expr)
	if err != nil {
		q.Error = err.Error()
		return
	}
	q.Selectors = a.Selectors
	if len(q.GroupLabels) == 0 {
		return
	}
	// label_values(metric, label) reads the label's values and nothing
	// else of the series: the label is grouped by, no other one reaches
	// the result.
	for i := range q.Selectors {
		q.Selectors[i].AllLabels = false
		for _, l := range q.GroupLabels {
			q.Selectors[i].Labels = append(q.Selectors[i].Labels, promql.LabelUse{Label: l, Use: promql.UseBy})
		}
	}
}

// SourceError is a document that could not be read, or a part of one:
// the file or URL, the JSON path and the line where known.
type SourceError struct {
	Source string
	Path   string
	Line   int
	Err    error
}

func (e *SourceError) Error() string {
	msg := e.Source
	if e.Path != "" {
		msg += ": " + e.Path
	}
	if e.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", e.Line)
	}
	return msg + ": " + e.Err.Error()
}

func (e *SourceError) Unwrap() error { return e.Err }

// ErrUnknownFormat is a document that is none of the formats read here.
var ErrUnknownFormat = errors.New("neither a Grafana dashboard, Grafana alert rules, Prometheus rules nor a Perses dashboard")
