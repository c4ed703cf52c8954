package consumers

import (
	"fmt"
	"strings"
)

// ReadPrometheusRules reads a Prometheus rule file (`groups[].rules[]`,
// each an `alert` or a `record` with an `expr`), or a Kubernetes
// PrometheusRule whose `spec.groups` hold the same; a file may hold
// several YAML documents. Each rule is a consumer with one query.
func ReadPrometheusRules(source string, b []byte) ([]Consumer, error) {
	roots, err := parseDocument(source, b)
	if err != nil {
		return nil, err
	}
	var out []Consumer
	for _, root := range roots {
		cs, err := readPrometheusRules(source, root)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// rulesGroups returns a rule document's groups and their path.
func rulesGroups(root *node) (*node, string) {
	if g := root.get("groups"); g != nil {
		return g, "groups"
	}
	if g := root.get("spec").get("groups"); g != nil {
		return g, "spec.groups"
	}
	return nil, ""
}

func isPrometheusRules(root *node) bool {
	groups, _ := rulesGroups(root)
	if groups == nil || groups.kind != kindArray {
		return false
	}
	for _, g := range groups.list() {
		for _, r := range g.get("rules").list() {
			return r.get("expr") != nil
		}
	}
	return true // groups with no rules: a rule file all the same
}

func readPrometheusRules(source string, root *node) ([]Consumer, error) {
	if !isPrometheusRules(root) {
		return nil, &SourceError{Source: source, Line: root.Line(), Err: ErrUnknownFormat}
	}
	groups, path := rulesGroups(root)
	var out []Consumer
	for i, g := range groups.list() {
		group := g.get("name").str()
		seen := map[string]int{}
		for j, r := range g.get("rules").list() {
			rpath := fmt.Sprintf("%s[%d].rules[%d]", path, i, j)
			c, err := prometheusRule(source, group, r, rpath, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// prometheusRule reads one rule; seen counts the rules of its group by
// name so that two alerts of one name (a warning and a critical) keep
// distinct, stable identities.
func prometheusRule(source, group string, r *node, path string, seen map[string]int) (Consumer, error) {
	c := Consumer{Format: PrometheusRules, Source: source, Folder: group}
	switch {
	case r.get("alert") != nil:
		c.Kind, c.Title = AlertRule, r.get("alert").scalar()
	case r.get("record") != nil:
		c.Kind, c.Title = RecordingRule, r.get("record").scalar()
	default:
		return Consumer{}, &SourceError{Source: source, Path: path, Line: r.Line(), Err: fmt.Errorf("a rule with neither alert nor record")}
	}
	c.UID = group + "/" + c.Title
	if n := seen[c.Title]; n > 0 {
		c.UID += fmt.Sprintf("#%d", n+1)
	}
	seen[c.Title]++
	expr := r.get("expr")
	q := Query{Panel: c.Title, Path: path + ".expr", Line: expr.Line(), Raw: expr.scalar()}
	q.Expr = q.Raw
	if strings.TrimSpace(q.Raw) == "" {
		q.Error = "the rule has no expr"
	} else {
		q.analyze()
	}
	c.Queries = []Query{q}
	return c, nil
}

// parseDocument parses a JSON document, or the documents of a YAML
// stream, naming the source in its error.
func parseDocument(source string, b []byte) ([]*node, error) {
	trimmed := strings.TrimSpace(string(b))
	var jsonErr error
	if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		n, err := parseJSON(b)
		if err == nil {
			return []*node{n}, nil
		}
		// YAML's flow style may still read it; if not, the JSON error
		// is the one that says what is wrong.
		jsonErr = err
	}
	roots, err := parseYAML(b)
	if err != nil {
		if jsonErr != nil {
			err = jsonErr
		}
		return nil, &SourceError{Source: source, Err: err}
	}
	return roots, nil
}
