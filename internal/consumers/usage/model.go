package usage

import (
	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// Metric is one metric key of the catalog: its current schemas (one per
// shape its releases send) and what the key costs.
type Metric struct {
	Key     string
	Schemas []Schema
	Cost    Cost
}

// Schema is what the check needs of one current schema: what names it
// (unit, data type, monotonicity) and its fields with their presence.
type Schema struct {
	ID          string
	Unit        string
	Instrument  promnames.Instrument
	Monotonic   bool
	Temporality promnames.Temporality
	Fields      []Field
	// Series estimates the schema's distinct series over the catalog's
	// window, 0 when unknown; with its fields' Distinct it estimates what
	// dropping an unused attribute saves (Finding.SeriesSaved).
	Series uint64
}

// Field is one attribute key of a schema.
type Field struct {
	Key    string
	Source promnames.Source
	// Sometimes is set when not every data point (for a resource or scope
	// attribute, not every producer instance) carried it; SeenRatio is the
	// share that did.
	Sometimes bool
	SeenRatio float64
	// Distinct estimates a data point attribute's distinct values over
	// the catalog's window (from its sketches), 0 when unknown.
	Distinct uint64
}

// Cost is a key's cost over the catalog's window: what ranks unused
// metrics. MonthlyCost is nil when the catalog has no price for metrics.
type Cost struct {
	Window              string   `json:"window,omitempty"`
	Series              uint64   `json:"series_estimate"`
	DataPointsPerMinute float64  `json:"data_points_per_minute"`
	MonthlyCost         *float64 `json:"estimated_monthly_cost,omitempty"`
}

// Level is a finding's level, most severe first, as the conformance
// gate's levels are ordered.
type Level int

const (
	Violation Level = iota + 1
	Improvement
	Information
)

func (l Level) String() string {
	switch l {
	case Violation:
		return "violation"
	case Improvement:
		return "improvement"
	case Information:
		return "information"
	}
	return "unspecified"
}

// MarshalText writes a level as people write it.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// The finding ids, in the conformance vocabulary of issue 22.
const (
	ConsumerMissingMetric    = "consumer_missing_metric"
	ConsumerMissingAttribute = "consumer_missing_attribute"
	ConsumerAmbiguousMetric  = "consumer_ambiguous_metric"
	ConsumerUnparsedQuery    = "consumer_unparsed_query"
	UnusedMetric             = "unused_metric"
	UnusedAttribute          = "unused_attribute"
)

// Levels are each id's level, and why:
//   - a query on a metric or a label nothing sends shows an empty panel or
//     an alert that can never fire: a violation, as a broken schema is;
//   - an attribute sent only sometimes is one level down: a filter on
//     `error_type` that only failed requests carry is often meant, but a
//     release that does not send it at all drops out of the panel;
//   - a query that does not parse is an improvement, not a violation: it
//     may be broken where it runs, or may be parsed here with a stand-in
//     for a variable that has no value (the consumer's notes say which),
//     and what it reads is unknown either way;
//   - an ambiguous name and what nobody reads are information: they break
//     nothing, and they are what a team reads before dropping anything.
//
// A missing attribute sent sometimes is the only finding whose level is
// not its id's (see Finding.Level).
var Levels = map[string]Level{
	ConsumerMissingMetric: Violation, ConsumerMissingAttribute: Violation, ConsumerAmbiguousMetric: Information,
	ConsumerUnparsedQuery: Improvement, UnusedMetric: Information, UnusedAttribute: Information,
}

// Titles name the ids in plain words, as the conformance titles do.
var Titles = map[string]string{
	ConsumerMissingMetric:    "Reads a metric nothing sends",
	ConsumerMissingAttribute: "Reads an attribute the metric lacks",
	ConsumerAmbiguousMetric:  "Reads a name several metrics share",
	ConsumerUnparsedQuery:    "Query does not parse",
	UnusedMetric:             "Metric no consumer reads",
	UnusedAttribute:          "Attribute no query reads",
}

// ConsumerRef names a consumer in a finding: what people call it and where
// it was read from.
type ConsumerRef struct {
	// ID is the catalog's id of a stored consumer (consumers.Consumer.ID),
	// empty for one read from files or an API.
	ID     string         `json:"id,omitempty"`
	Kind   consumers.Kind `json:"kind"`
	Title  string         `json:"title"`
	Folder string         `json:"folder,omitempty"`
	Source string         `json:"source"`
	UID    string         `json:"uid,omitempty"`
}

// QueryRef names one query of a consumer: its panel (or rule), its ref id,
// where it is in its document, and the expression as written (Parsed is
// the one parsed, when variables changed it).
type QueryRef struct {
	Panel  string `json:"panel,omitempty"`
	RefID  string `json:"ref_id,omitempty"`
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Expr   string `json:"expr"`
	Parsed string `json:"parsed_expr,omitempty"`
}

// Near is a key whose names differ from a missing one only in unit, type
// or series suffixes, with the name of it closest to the one read.
type Near struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Finding is one thing wrong between a consumer and the catalog.
type Finding struct {
	ID    string `json:"finding_id"`
	Title string `json:"title"`
	Level Level  `json:"level"`
	// Consumer and Query are the consumer's side; unset on unused_*.
	Consumer *ConsumerRef `json:"consumer,omitempty"`
	Query    *QueryRef    `json:"query,omitempty"`
	// Selector is the selector as written in the parsed expression.
	Selector string `json:"selector,omitempty"`
	// Metric is the Prometheus name (or, for a selector that names its
	// metrics by pattern only, the selector) as the query reads it; Key
	// the catalog's metric key it resolved to, empty when it resolved to
	// none or to several (Candidates).
	Metric     string   `json:"metric,omitempty"`
	Key        string   `json:"key,omitempty"`
	Candidates []string `json:"candidates,omitempty"`
	// Label is the label as the query writes it, Uses how it uses it, and
	// Attribute the attribute key it is (empty when nothing gives it).
	Label     string   `json:"label,omitempty"`
	Uses      []string `json:"uses,omitempty"`
	Attribute string   `json:"attribute,omitempty"`
	Near      []Near   `json:"near,omitempty"`
	// Cost is the key's, on unused_metric and unused_attribute.
	Cost *Cost `json:"cost,omitempty"`
	// Error is the parser's, on consumer_unparsed_query.
	Error string `json:"error,omitempty"`
	// SeriesSaved estimates, on unused_attribute, the series dropping the
	// attribute would save (see seriesSaved); 0 when the schemas carry no
	// figures.
	SeriesSaved uint64 `json:"series_saved,omitempty"`
	Message     string `json:"message"`
}

// Reader is one query that reads a key. Path tells apart the queries of
// one panel that share a ref id (a Perses panel's queries have none) and
// the panels that share a title.
type Reader struct {
	Consumer ConsumerRef `json:"consumer"`
	Panel    string      `json:"panel,omitempty"`
	RefID    string      `json:"ref_id,omitempty"`
	Path     string      `json:"path,omitempty"`
}

// ReaderUse is what one reader reads of a key: the attributes its query
// names on the key's series (filters, groups by, joins on, copies), and
// whether every label of them reaches its result, which reads every
// attribute (Attributes then also lists every attribute the query does not
// only drop).
type ReaderUse struct {
	Attributes    []string `json:"attributes,omitempty"`
	AllAttributes bool     `json:"all_attributes,omitempty"`
}

// AttributeUse is one attribute of a read key that queries use, with the
// labels they name it by.
type AttributeUse struct {
	Attribute string   `json:"attribute"`
	Source    string   `json:"source"`
	Labels    []string `json:"labels"`
}

// KeyUse is what the consumers read of one catalog key.
type KeyUse struct {
	Key     string   `json:"key"`
	Readers []Reader `json:"readers"`
	// ReaderUses are what each reader reads of the key, one per Readers
	// in its order. They are left out of the JSON output, which lists
	// what the key's readers read together.
	ReaderUses []ReaderUse `json:"-"`
	// Attributes are the attributes queries name; AllAttributes is set
	// when some query lets every label reach its result (`rate(x[5m])`
	// on a panel), which uses every attribute.
	Attributes    []AttributeUse `json:"attributes,omitempty"`
	AllAttributes bool           `json:"all_attributes,omitempty"`
	Cost          Cost           `json:"cost"`
}

// Stats count what was read and judged.
type Stats struct {
	Consumers int `json:"consumers"`
	Queries   int `json:"queries"`
	Unparsed  int `json:"unparsed"`
	// Skipped counts queries on other datasources, by type.
	Skipped map[string]int `json:"skipped,omitempty"`
	// OwnSeries counts selectors on series Prometheus makes itself (`up`,
	// `ALERTS`): no service sends them, so they are not judged.
	OwnSeries int `json:"prometheus_own_series"`
	// Recorded counts selectors on what a recording rule given beside
	// writes: the rule's own query is judged instead.
	Recorded    int `json:"recorded_series"`
	Metrics     int `json:"metrics"`
	UsedMetrics int `json:"used_metrics"`
}

// Report is the check's answer.
type Report struct {
	Findings []Finding `json:"findings"`
	Used     []KeyUse  `json:"read"`
	Stats    Stats     `json:"stats"`
}
