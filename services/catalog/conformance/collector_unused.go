package conformance

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
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

// Why each dropped metric and deleted attribute is in the configuration.
const (
	whyMetricDropped    = "no dashboard or rule reads it"
	whyAttributeDeleted = "no dashboard or rule reading this metric uses it"
)

// addUnused adds opts.DropMetrics to filter and opts.DeleteAttributes to
// transform, each key once and sorted, and returns the header's notes on
// them.
func addUnused(transform *transformConfig, filter *filterConfig, opts CollectorOptions) ([]string, error) {
	var notes []string
	drop := sortedUnique(opts.DropMetrics)
	for _, key := range drop {
		if key == "" {
			return nil, fmt.Errorf("collector config: an empty metric key among the metrics to drop")
		}
		if filter.Why == nil {
			filter.Why = map[int]string{}
		}
		filter.Why[len(filter.MetricConditions)] = whyMetricDropped
		filter.MetricConditions = append(filter.MetricConditions, matchCondition("metric.name", globEscape(key)))
	}
	if len(drop) > 0 {
		notes = append(notes, fmt.Sprintf("unused: drops %s no dashboard or rule reads", plural(len(drop), "metric")))
	}
	deleted, from := 0, 0
	for _, key := range slices.Sorted(maps.Keys(opts.DeleteAttributes)) {
		attrs := sortedUnique(opts.DeleteAttributes[key])
		if len(attrs) == 0 {
			continue
		}
		if key == "" || slices.Contains(attrs, "") {
			return nil, fmt.Errorf("collector config: an empty key among the attributes to delete from metric %q: %q", key, attrs)
		}
		escaped := make([]string, len(attrs))
		for i, a := range attrs {
			escaped[i] = globEscape(a)
		}
		g := deleteGroup("datapoint", matchConditions("metric.name", []string{globEscape(key)}), escaped)
		g.Why = whyAttributeDeleted
		transform.MetricStatements = append(transform.MetricStatements, g)
		deleted += len(attrs)
		from++
	}
	if deleted > 0 {
		notes = append(notes, fmt.Sprintf("unused: deletes %s, on %s, that no dashboard or rule reading their metric uses",
			plural(deleted, "data point attribute"), plural(from, "metric")))
	}
	return notes, nil
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
