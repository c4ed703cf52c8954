package conformance

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Dropping what nobody reads: beside the policies, CollectorOptions can
// name metric keys no dashboard or rule reads, and data point attributes
// no query on a read metric uses. They go into the same filter and
// transform processors, through the same condition and statement builders
// as a policy's banned metrics and attributes, so that a key means the
// same in both; being exact keys, not globs, they are escaped first. Each
// is written on a line of its own with a comment saying why, in a fixed
// order, so that a regenerated configuration differs from the committed
// one only where what is read changed.
//
// Deleting a data point attribute is not enough on a metric: points that
// differed only in it become points of one series with the same
// timestamp, which a backend wanting one sample per series and time
// rejects or overwrites. So each delete is followed by the transform
// processor's aggregate_on_attributes("sum") in the metric context, with
// no attribute list: it keeps every attribute the deletes left (an
// attribute the catalog has not seen yet included, so that it still
// reaches the catalog behind the Collector) and adds up the points that
// now share their attributes and timestamp (and, for delta temporality,
// their start). Adding is what folding series means for a sum, monotonic
// or not, and for a histogram or an exponential histogram (their counts,
// sums and buckets add; the processor supports only "sum" for them). For
// a gauge no function is right in general: the OpenTelemetry data model
// calls gauge values non-additive (adding the temperatures of two rooms
// means nothing), and max, min, mean and median each answer a question
// that depends on what the gauge measures; a summary's quantiles do not
// fold at all (the processor refuses to). Their attributes are kept, and
// the configuration's header says so. A key whose current schemas mix
// those with foldable types, or whose types are unknown, is kept alike:
// the delete runs on every point of the metric name, whatever its type,
// so it is written only when every type the name is known to have folds.
// The aggregation is further limited to those types by its condition, so
// that a name sending a gauge later is never added up (its points then
// keep the duplicates, as the bare delete did, until the configuration
// is regenerated).

// Why each dropped metric, deleted attribute and fold is in the
// configuration.
const (
	whyMetricDropped    = "no dashboard or rule reads it"
	whyAttributeDeleted = "no dashboard or rule reading this metric uses it"
	whyFolded           = "adds up the points the deletes above left alike (same attributes and timestamp)"
)

// foldTypes are the OTTL names of the metric data types whose points
// fold by adding, by the catalog's type.
var foldTypes = map[tallycatv1.MetricType]string{
	tallycatv1.MetricType_METRIC_TYPE_SUM:                   "METRIC_DATA_TYPE_SUM",
	tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM:             "METRIC_DATA_TYPE_HISTOGRAM",
	tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM: "METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM",
}

// FoldsByAdding reports whether a metric whose current schemas have the
// data types types can lose a data point attribute, its points folded by
// adding them up; if not, why not. See the comment at the top of this
// file for the choice.
func FoldsByAdding(types []tallycatv1.MetricType) (bool, string) {
	if len(types) == 0 {
		return false, "its data type is not known"
	}
	what := "it is"
	if slices.ContainsFunc(types, func(t tallycatv1.MetricType) bool { return t != types[0] }) {
		what = "one of its current schemas is"
	}
	for _, t := range types {
		if _, ok := foldTypes[t]; ok {
			continue
		}
		switch t {
		case tallycatv1.MetricType_METRIC_TYPE_GAUGE:
			return false, what + " a gauge, whose points have no one right fold " +
				"(adding is wrong for most gauges; max, min and mean each answer another question)"
		case tallycatv1.MetricType_METRIC_TYPE_SUMMARY:
			return false, what + " a summary, whose quantiles do not fold"
		}
		return false, "the data type of one of its current schemas is not known"
	}
	return true, ""
}

// Unused is what the consumers' reading says nobody reads: the input of
// DropUnused.
type Unused struct {
	Metrics    []UnusedMetric
	Attributes []UnusedAttribute
	// Types are, by the metric key of each of Attributes, the data types
	// of its current schemas: whether its points fold (FoldsByAdding).
	Types map[string][]tallycatv1.MetricType
}

// UnusedMetric is a metric no dashboard or rule reads, with what sending
// it costs over the catalog's window.
type UnusedMetric struct {
	Key                 string
	Series              uint64
	DataPointsPerMinute float64
	// MonthlyCost is nil when the catalog has no price for metrics.
	MonthlyCost *float64
}

// UnusedAttribute is a data point attribute no query on its metric uses,
// with the series deleting it and adding up the points folds away.
type UnusedAttribute struct {
	Key, Attribute string
	SeriesSaved    uint64
}

// UnusedSavings is what the configuration saves by dropping and folding
// the unused: counted from what it writes, never from what it keeps.
type UnusedSavings struct {
	MetricsDropped, AttributesDeleted int
	// SeriesSaved adds the dropped metrics' series and the series the
	// deleted attributes fold.
	SeriesSaved uint64
	// DataPointsPerMonthSaved is the dropped metrics' data point rate over
	// a month of catalog.MinutesAMonth: folding series sends no fewer points
	// into the Collector.
	DataPointsPerMonthSaved float64
	// MonthlySaving is the dropped metrics' monthly cost under the price
	// model; nil when none of them has one.
	MonthlySaving *float64
}

// DropUnused returns opts set to drop and fold what u names, and what
// the configuration CollectorConfig writes from them saves: the metrics
// it drops and the attributes it deletes and folds, each once, leaving
// out the attributes it keeps (on metrics whose points do not fold by
// adding) and those of a dropped metric.
func DropUnused(opts CollectorOptions, u Unused) (CollectorOptions, UnusedSavings, error) {
	opts.DropMetrics, opts.DeleteAttributes, opts.MetricTypes = nil, map[string][]string{}, u.Types
	metrics := map[string]UnusedMetric{}
	for _, m := range u.Metrics {
		opts.DropMetrics = append(opts.DropMetrics, m.Key)
		if _, seen := metrics[m.Key]; !seen {
			metrics[m.Key] = m
		}
	}
	seriesSaved := map[[2]string]uint64{}
	for _, a := range u.Attributes {
		opts.DeleteAttributes[a.Key] = append(opts.DeleteAttributes[a.Key], a.Attribute)
		if _, seen := seriesSaved[[2]string{a.Key, a.Attribute}]; !seen {
			seriesSaved[[2]string{a.Key, a.Attribute}] = a.SeriesSaved
		}
	}
	p, err := planUnused(opts)
	if err != nil {
		return opts, UnusedSavings{}, err
	}
	s := UnusedSavings{MetricsDropped: len(p.drop)}
	var monthly float64
	priced := false
	for _, key := range p.drop {
		m := metrics[key]
		s.SeriesSaved += m.Series
		s.DataPointsPerMonthSaved += m.DataPointsPerMinute * catalog.MinutesAMonth
		if m.MonthlyCost != nil {
			monthly += *m.MonthlyCost
			priced = true
		}
	}
	if priced {
		s.MonthlySaving = &monthly
	}
	for _, m := range p.fold {
		for _, a := range m.attributes {
			s.AttributesDeleted++
			s.SeriesSaved += seriesSaved[[2]string{m.key, a}]
		}
	}
	return opts, s, nil
}

// unusedPlan is what CollectorConfig writes of opts.DropMetrics and
// opts.DeleteAttributes: the one reading of them that both the
// configuration (addUnused) and its savings (DropUnused) are made from,
// so that the savings are those of exactly what is dropped and folded.
type unusedPlan struct {
	// drop are the metric keys to drop, sorted, each once.
	drop []string
	// fold are the metrics to delete attributes from and fold, kept those
	// whose points do not fold by adding, with why; both sorted by key.
	fold, kept []metricAttributes
}

// metricAttributes are attributes of one metric, sorted, each once.
type metricAttributes struct {
	key        string
	attributes []string
	types      []tallycatv1.MetricType
	why        string
}

// planUnused reads opts' drops. An attribute of a metric that is dropped
// is neither deleted nor kept: its metric does not leave the Collector.
func planUnused(opts CollectorOptions) (unusedPlan, error) {
	var p unusedPlan
	p.drop = sortedUnique(opts.DropMetrics)
	if slices.Contains(p.drop, "") {
		return unusedPlan{}, fmt.Errorf("collector config: an empty metric key among the metrics to drop")
	}
	for _, key := range slices.Sorted(maps.Keys(opts.DeleteAttributes)) {
		attrs := sortedUnique(opts.DeleteAttributes[key])
		if len(attrs) == 0 {
			continue
		}
		if key == "" || slices.Contains(attrs, "") {
			return unusedPlan{}, fmt.Errorf("collector config: an empty key among the attributes to delete from metric %q: %q", key, attrs)
		}
		if _, dropped := slices.BinarySearch(p.drop, key); dropped {
			continue
		}
		m := metricAttributes{key: key, attributes: attrs, types: opts.MetricTypes[key]}
		var folds bool
		if folds, m.why = FoldsByAdding(m.types); folds {
			p.fold = append(p.fold, m)
		} else {
			p.kept = append(p.kept, m)
		}
	}
	return p, nil
}

// addUnused adds opts.DropMetrics to filter and opts.DeleteAttributes to
// transform (each deleted where it folds, see FoldsByAdding), each key
// once and sorted, and returns the header's notes on them.
func addUnused(transform *transformConfig, filter *filterConfig, opts CollectorOptions) ([]string, error) {
	p, err := planUnused(opts)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, key := range p.drop {
		if filter.Why == nil {
			filter.Why = map[int]string{}
		}
		filter.Why[len(filter.MetricConditions)] = whyMetricDropped
		filter.MetricConditions = append(filter.MetricConditions, matchCondition("metric.name", globEscape(key)))
	}
	if len(p.drop) > 0 {
		notes = append(notes, fmt.Sprintf("unused: drops %s no dashboard or rule reads", plural(len(p.drop), "metric")))
	}
	deleted := 0
	for _, m := range p.fold {
		escaped := make([]string, len(m.attributes))
		for i, a := range m.attributes {
			escaped[i] = globEscape(a)
		}
		name := matchCondition("metric.name", globEscape(m.key))
		g := deleteGroup("datapoint", []string{name}, escaped)
		g.Why = whyAttributeDeleted
		transform.MetricStatements = append(transform.MetricStatements, g, foldGroup(name, m.types))
		deleted += len(m.attributes)
	}
	if deleted > 0 {
		notes = append(notes, fmt.Sprintf("unused: deletes %s, on %s, that no dashboard or rule reading their metric uses, "+
			"adding up the points they told apart", plural(deleted, "data point attribute"), plural(len(p.fold), "metric")))
	}
	for _, m := range p.kept {
		notes = append(notes, fmt.Sprintf("unused: keeps %s on %s, that no dashboard or rule reading it uses: %s",
			strings.Join(m.attributes, ", "), m.key, m.why))
	}
	return notes, nil
}

// foldGroup is the metric context statement group that adds up, on the
// metric name matches and only where its type is one of types (every one
// of which folds), the data points left with the same attributes.
func foldGroup(name string, types []tallycatv1.MetricType) statementGroup {
	var ottlTypes []string
	for _, t := range types {
		ottlTypes = append(ottlTypes, foldTypes[t])
	}
	var isType []string
	for _, t := range sortedUnique(ottlTypes) {
		isType = append(isType, "metric.type == "+t)
	}
	return statementGroup{Context: "metric", Conditions: []string{name + " and " + paren(orAll(isType), len(isType))},
		Statements: []string{`aggregate_on_attributes("sum")`}, Why: whyFolded}
}

// globEscape is a glob that matches only s: the policy builders take
// globs, and a key may hold a character a glob treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// MarshalYAML writes a statement group with its Why beside each
// statement.
func (g statementGroup) MarshalYAML() (any, error) {
	type plain statementGroup
	return withComments(plain(g), "statements", func(int) string { return g.Why })
}

// MarshalYAML writes the filter with each condition's Why beside it.
func (f filterConfig) MarshalYAML() (any, error) {
	type plain filterConfig
	return withComments(plain(f), "metric_conditions", func(i int) string { return f.Why[i] })
}

// withComments encodes v, a struct, as a YAML node and sets the comment
// why gives for each item of its sequence field to that item.
func withComments(v any, field string, why func(int) string) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != field {
			continue
		}
		for j, item := range n.Content[i+1].Content {
			if c := why(j); c != "" {
				item.LineComment = "# " + c
			}
		}
	}
	return &n, nil
}
