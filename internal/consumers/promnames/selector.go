package promnames

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/tallycat/tallycat/internal/consumers/promql"
)

// SelectorResolution is what one selector of a query reads, in the
// catalog's terms.
type SelectorResolution struct {
	Selector promql.Selector
	// Resolution is its name's; for a selector that names its metrics by
	// pattern only, Name is empty and the candidates are every name the
	// patterns accept.
	Resolution
	Pattern bool
	// Matches are the metrics it reads, one per key, with what each of the
	// selector's labels is on that metric; one more, with TargetInfo set,
	// when it reads target_info.
	Matches []KeyMatch
	// BadPattern is a __name__ regular expression that does not compile.
	BadPattern string
}

// KeyMatch is one metric a selector reads and what its labels are there.
type KeyMatch struct {
	Key        string
	TargetInfo bool
	// Names are the Prometheus names and series of the key that the
	// selector matched, with their schemes.
	Names  []Candidate
	Labels []LabelMatch
}

// LabelMatch is one label a selector uses, on one metric.
type LabelMatch struct {
	Label string
	Uses  []promql.Use
	// Attributes are the attributes the label can carry; more than one
	// when several keys translate to the same label (`http.method` and
	// `http_method`), which the resolution does not choose between.
	Attributes []AttributeMatch
	// Exporter is set for a label the exporter makes (`le`, `quantile`,
	// `job`, `instance`, `otel_scope_name`).
	Exporter bool
}

// Missing reports whether no attribute of the metric, and nothing the
// exporter adds, gives the label: a query filtering or grouping on it finds
// nothing.
func (l LabelMatch) Missing() bool { return len(l.Attributes) == 0 && !l.Exporter }

// ResolveSelector resolves a selector's metric and, on each metric it can
// read, its labels.
func (ix *Index) ResolveSelector(sel promql.Selector) SelectorResolution {
	out := SelectorResolution{Selector: sel}
	match, bad := nameMatcher(sel.NameMatchers)
	out.BadPattern = bad
	switch {
	case sel.Name != "":
		out.Resolution = ix.Resolve(sel.Name)
		if len(sel.NameMatchers) > 0 {
			out.Resolution = filter(out.Resolution, match)
		}
	default:
		out.Pattern = true
		out.Resolution = ix.resolveAll(match)
	}
	byKey := map[string]*KeyMatch{}
	for _, c := range out.Candidates {
		km, ok := byKey[c.Key]
		if !ok {
			out.Matches = append(out.Matches, KeyMatch{Key: c.Key})
			km = &out.Matches[len(out.Matches)-1]
			byKey[c.Key] = km
		}
		km.Names = append(km.Names, c)
	}
	for i := range out.Matches {
		out.Matches[i].Labels = ix.labels(sel, out.Matches[i].Names)
	}
	if out.TargetInfo {
		out.Matches = append(out.Matches, KeyMatch{Key: TargetInfo, TargetInfo: true, Labels: ix.infoLabels(sel)})
	}
	return out
}

func filter(r Resolution, match func(string) bool) Resolution {
	var kept []Candidate
	var keys []string
	for _, c := range r.Candidates {
		if match(c.Name) {
			kept = append(kept, c)
			if !slices.Contains(keys, c.Key) {
				keys = append(keys, c.Key)
			}
		}
	}
	slices.Sort(keys)
	r.Candidates, r.Keys = kept, keys
	r.TargetInfo = r.TargetInfo && match(TargetInfo)
	return r
}

// nameMatcher is the conjunction of a selector's __name__ matchers, with
// Prometheus' semantics (anchored regular expressions); one that does not
// compile matches nothing and is returned.
func nameMatcher(ms []promql.Matcher) (func(string) bool, string) {
	var compiled []*labels.Matcher
	for _, m := range ms {
		t, ok := matchTypes[m.Op]
		if !ok {
			return func(string) bool { return false }, m.Value
		}
		lm, err := labels.NewMatcher(t, labels.MetricName, m.Value)
		if err != nil {
			return func(string) bool { return false }, m.Value
		}
		compiled = append(compiled, lm)
	}
	return func(name string) bool {
		for _, m := range compiled {
			if !m.Matches(name) {
				return false
			}
		}
		return true
	}, ""
}

var matchTypes = map[string]labels.MatchType{
	"=": labels.MatchEqual, "!=": labels.MatchNotEqual,
	"=~": labels.MatchRegexp, "!~": labels.MatchNotRegexp,
}

func usesByLabel(sel promql.Selector) ([]string, map[string][]promql.Use) {
	var order []string
	uses := map[string][]promql.Use{}
	for _, u := range sel.Labels {
		if _, ok := uses[u.Label]; !ok {
			order = append(order, u.Label)
		}
		if !slices.Contains(uses[u.Label], u.Use) {
			uses[u.Label] = append(uses[u.Label], u.Use)
		}
	}
	return order, uses
}

func (ix *Index) labels(sel promql.Selector, names []Candidate) []LabelMatch {
	order, uses := usesByLabel(sel)
	var out []LabelMatch
	for _, l := range order {
		lm := LabelMatch{Label: l, Uses: uses[l]}
		for _, c := range names {
			attrs, exporter := ix.label(c, l)
			lm.Exporter = lm.Exporter || exporter
			for _, a := range attrs {
				if !slices.Contains(lm.Attributes, a) {
					lm.Attributes = append(lm.Attributes, a)
				}
			}
		}
		out = append(out, lm)
	}
	return out
}

func (ix *Index) infoLabels(sel promql.Selector) []LabelMatch {
	order, uses := usesByLabel(sel)
	var out []LabelMatch
	for _, l := range order {
		attrs, exporter := ix.targetInfoLabel(l)
		out = append(out, LabelMatch{Label: l, Uses: uses[l], Attributes: attrs, Exporter: exporter})
	}
	return out
}
