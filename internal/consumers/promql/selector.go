package promql

// Use is how an expression uses a label of a selector.
type Use string

const (
	// UseFilter: a matcher of the selector itself (`{state="idle"}`).
	UseFilter Use = "filter"
	// UseBy: an aggregation over the selector keeps the label (`sum by (state)`).
	UseBy Use = "by"
	// UseWithout: an aggregation over the selector drops the label
	// (`sum without (cpu)`), and so keeps every other one.
	UseWithout Use = "without"
	// UseOn: a binary operation matches the sides on the label (`on (job)`).
	UseOn Use = "on"
	// UseIgnoring: a binary operation matches on every label but this one.
	UseIgnoring Use = "ignoring"
	// UseInclude: a group_left or group_right copies the label from this
	// selector's side, the "one" side, onto the result; it is how a query
	// reads a resource attribute off `target_info`.
	UseInclude Use = "include"
	// UseFunction: a function reads the label: label_replace's and
	// label_join's sources, sort_by_label's labels, histogram_quantile's `le`.
	UseFunction Use = "function"
)

// Matcher is one label matcher as written; Op is "=", "!=", "=~" or "!~".
type Matcher struct {
	Label string `json:"label"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

// LabelUse is one label an expression uses on a selector, and how.
type LabelUse struct {
	Label string `json:"label"`
	Use   Use    `json:"use"`
}

// Selector is one vector selector of an expression and everything the
// expression around it does with its labels.
type Selector struct {
	// Text is the selector as written in the expression, and Start and End
	// its byte offsets there, so that a finding can point at it.
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Name is the metric name when the selector names exactly one, by its
	// name (`up`, `{"http.server.request.duration"}`) or by a `__name__`
	// equality matcher. It is empty when only patterns select the metric.
	Name string `json:"name,omitempty"`
	// NameMatchers are the selector's other `__name__` matchers: regular
	// expressions (`{__name__=~"otelcol_exporter_.*"}`) and negations,
	// kept as written.
	NameMatchers []Matcher `json:"name_matchers,omitempty"`
	// Matchers are the label matchers other than `__name__`.
	Matchers []Matcher `json:"matchers,omitempty"`
	// Labels are every label the expression uses on this selector's series,
	// the matchers' included, once per label and use, in the order met.
	Labels []LabelUse `json:"labels,omitempty"`
	// AllLabels is true when every label of the selector can change what
	// the expression returns: its series reach the result with their labels
	// (`rate(x[5m])`, `topk`, `sum without (...)`), or a binary operation
	// matches on all of them. Dropping any attribute then changes the query.
	AllLabels bool `json:"all_labels,omitempty"`
	// Functions are the functions applied to the selector, innermost first
	// (`rate`, then `histogram_quantile`), and Aggregations the aggregation
	// operators (`sum`, `topk`), innermost first.
	Functions    []string `json:"functions,omitempty"`
	Aggregations []string `json:"aggregations,omitempty"`
	// Implicit is true for the selector `info()` adds when its second
	// argument names no metric: it reads `target_info`.
	Implicit bool `json:"implicit,omitempty"`
}

// Uses reports whether the expression uses label on the selector, in any
// way, and how it does first.
func (s Selector) Uses(label string) (Use, bool) {
	for _, l := range s.Labels {
		if l.Label == label {
			return l.Use, true
		}
	}
	return "", false
}

// LabelNames lists the distinct labels the expression uses on the
// selector, in the order met.
func (s Selector) LabelNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range s.Labels {
		if !seen[l.Label] {
			seen[l.Label] = true
			out = append(out, l.Label)
		}
	}
	return out
}
