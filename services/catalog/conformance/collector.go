package conformance

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/glob"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"gopkg.in/yaml.v3"
)

// Enforcement in the Collector: the team's policies written as OpenTelemetry
// Collector processors (contrib v0.161.0 syntax), so that what a rule bans
// never reaches the backend. A `transform` processor deletes banned data
// point attributes with OTTL (and, optionally, attributes whose findings say
// they broke a max_distinct_values cap); a `filter` processor drops banned
// metrics. Both are always written, empty when nothing is banned, so a
// pipeline that names them keeps working as the policies change. A rule
// covering spans or logs also gets transform statements deleting its banned
// attributes from spans and their events, or from log records; the
// transform processor has no context for span links, so a banned link
// attribute is judged but not deleted. Beside the policies, the same
// processors can drop the metrics no dashboard or rule reads, and delete
// the attributes none uses from the metrics whose points fold by adding,
// adding them up (collector_unused.go).

// CollectorOptions selects what the generated configuration enforces
// beyond the banned attributes and metrics.
type CollectorOptions struct {
	// CardinalityCaps also deletes the attributes that broke a rule's
	// max_distinct_values cap, on the metrics their findings name.
	CardinalityCaps bool
	// Name names the processors transform/NAME and filter/NAME; empty is
	// "tallycat".
	Name string
	// DropMetrics are metric keys to drop beyond what the policies ban:
	// those no dashboard or rule reads (ConsumerService's unused_metric
	// findings).
	DropMetrics []string
	// DeleteAttributes are, by metric key, the data point attribute keys
	// to delete from it, adding up the data points they told apart:
	// those no query on the metric uses (unused_attribute findings).
	// Keys are exact, never globs. Only a metric whose MetricTypes all
	// fold by adding loses them (see FoldsByAdding); on any other the
	// header says why they are kept.
	DeleteAttributes map[string][]string
	// MetricTypes are, by metric key, the data types of its current
	// schemas: what chooses how a key of DeleteAttributes is folded, or
	// whether it is.
	MetricTypes map[string][]tallycatv1.MetricType
}

// CollectorConfig writes the Collector processors that enforce rules (and,
// with opts.CardinalityCaps, the cap findings among findings; and what
// opts.DropMetrics and opts.DeleteAttributes name, see addUnused) as YAML:
// a `processors:` fragment, with a comment showing the pipeline to add
// them to.
func CollectorConfig(rules []PolicyRule, findings []Finding, opts CollectorOptions) ([]byte, error) {
	name := opts.Name
	if name == "" {
		name = "tallycat"
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_.-]+$`).MatchString(name) {
		return nil, fmt.Errorf("collector config: processor name %q: letters, digits, '_', '.' and '-' only", name)
	}
	transform := transformConfig{ErrorMode: "ignore", MetricStatements: []statementGroup{}}
	filter := filterConfig{ErrorMode: "ignore", MetricConditions: []string{}}
	var notes []string
	for _, r := range rules {
		if len(r.BannedAttributes) > 0 && r.covers(schemaid.Metric) {
			transform.MetricStatements = append(transform.MetricStatements, deleteGroup("datapoint", scopeConditions(r.Metrics, r.Services), r.BannedAttributes))
			notes = append(notes, fmt.Sprintf("%s: deletes data point attributes %s", r.Name, strings.Join(r.BannedAttributes, ", ")))
		}
		// A rule covering spans or logs has no metric scope (see
		// rawRule.compile): only its services scope these.
		if len(r.BannedAttributes) > 0 && r.covers(schemaid.Span) {
			conds := scopeConditions(nil, r.Services)
			transform.TraceStatements = append(transform.TraceStatements,
				deleteGroup("span", conds, r.BannedAttributes), deleteGroup("spanevent", conds, r.BannedAttributes))
			notes = append(notes, fmt.Sprintf("%s: deletes span and span event attributes %s", r.Name, strings.Join(r.BannedAttributes, ", ")))
		}
		if len(r.BannedAttributes) > 0 && r.covers(schemaid.Log) {
			transform.LogStatements = append(transform.LogStatements, deleteGroup("log", scopeConditions(nil, r.Services), r.BannedAttributes))
			notes = append(notes, fmt.Sprintf("%s: deletes log record attributes %s", r.Name, strings.Join(r.BannedAttributes, ", ")))
		}
		if len(r.BannedMetrics) > 0 {
			var banned []string
			for _, m := range r.BannedMetrics {
				banned = append(banned, matchCondition("metric.name", m))
			}
			cond := orAll(banned)
			if scope := scopeExpression(r.Metrics, r.Services); scope != "" {
				cond = paren(cond, len(banned)) + " and " + scope
			}
			filter.MetricConditions = append(filter.MetricConditions, cond)
			notes = append(notes, fmt.Sprintf("%s: drops metrics %s", r.Name, strings.Join(r.BannedMetrics, ", ")))
		}
	}
	if opts.CardinalityCaps {
		for _, c := range capsBroken(rules, findings) {
			transform.MetricStatements = append(transform.MetricStatements, deleteGroup("datapoint", scopeConditions([]string{c.key}, c.rule.Services), c.attributes))
			notes = append(notes, fmt.Sprintf("%s: deletes %s from %s (past its cap of %d distinct values)",
				c.rule.Name, strings.Join(c.attributes, ", "), c.key, c.rule.MaxDistinct.Max))
		}
	}
	unusedNotes, err := addUnused(&transform, &filter, opts)
	if err != nil {
		return nil, err
	}
	notes = append(notes, unusedNotes...)

	var body bytes.Buffer
	enc := yaml.NewEncoder(&body)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"processors": map[string]any{
		"transform/" + name: transform,
		"filter/" + name:    filter,
	}}); err != nil {
		return nil, fmt.Errorf("collector config: %w", err)
	}
	var b strings.Builder
	b.WriteString("# OpenTelemetry Collector processors generated by TallyCat (`tallycat collector-config`)\n")
	if len(opts.DropMetrics)+len(opts.DeleteAttributes) > 0 {
		b.WriteString("# from the catalog's policies and from what its dashboards and rules read;\n")
		b.WriteString("# they need the contrib transform and filter processors.\n")
	} else {
		b.WriteString("# from the catalog's policies; they need the contrib transform and filter processors.\n")
	}
	if len(notes) == 0 {
		b.WriteString("# No rule bans anything yet: both processors pass everything through.\n")
	}
	for _, n := range notes {
		b.WriteString("#   " + n + "\n")
	}
	fmt.Fprintf(&b, `#
# Merge them into your configuration and name them in each metrics pipeline,
# before the batch processor and the exporters:
#
#   service:
#     pipelines:
#       metrics:
#         receivers: [otlp]
#         processors: [filter/%[1]s, transform/%[1]s, batch]
#         exporters: [otlp]
`, name)
	for _, p := range []struct {
		pipeline string
		groups   []statementGroup
	}{{"traces", transform.TraceStatements}, {"logs", transform.LogStatements}} {
		if len(p.groups) == 0 {
			continue
		}
		fmt.Fprintf(&b, `#       %[2]s:
#         receivers: [otlp]
#         processors: [transform/%[1]s, batch]
#         exporters: [otlp]
`, name, p.pipeline)
	}
	b.Write(body.Bytes())
	return []byte(b.String()), nil
}

// transformConfig is the transform processor's configuration.
type transformConfig struct {
	ErrorMode        string           `yaml:"error_mode"`
	MetricStatements []statementGroup `yaml:"metric_statements"`
	// TraceStatements and LogStatements are written only when a rule
	// covers spans or logs, so that a policy for metrics alone gives the
	// configuration it gave before spans and logs were catalogued.
	TraceStatements []statementGroup `yaml:"trace_statements,omitempty"`
	LogStatements   []statementGroup `yaml:"log_statements,omitempty"`
}

// statementGroup is one of the transform processor's advanced statement
// groups: its statements run where any of its conditions holds.
type statementGroup struct {
	Context    string   `yaml:"context"`
	Conditions []string `yaml:"conditions,omitempty"`
	Statements []string `yaml:"statements"`
	// Why, when set, is written as a comment beside each statement.
	Why string `yaml:"-"`
}

// filterConfig is the filter processor's configuration: a metric is
// dropped when any condition holds.
type filterConfig struct {
	ErrorMode        string   `yaml:"error_mode"`
	MetricConditions []string `yaml:"metric_conditions"`
	// Why holds, by index into MetricConditions, the comment written
	// beside a condition; a policy's conditions have none.
	Why map[int]string `yaml:"-"`
}

// deleteGroup is a statement group of context ctx ("datapoint", "span",
// "spanevent" or "log") deleting, where any of conds holds, the attributes
// of that context the patterns match.
func deleteGroup(ctx string, conds, patterns []string) statementGroup {
	g := statementGroup{Context: ctx, Conditions: conds}
	for _, p := range patterns {
		g.Statements = append(g.Statements, deleteStatement(ctx+".attributes", p))
	}
	return g
}

// deleteStatement deletes from the attributes at path a key, or the keys a
// glob matches.
func deleteStatement(path, pattern string) string {
	if isLiteral(pattern) {
		return fmt.Sprintf("delete_key(%s, %s)", path, ottlString(pattern))
	}
	return fmt.Sprintf("delete_matching_keys(%s, %s)", path, ottlString(globRegexp(pattern)))
}

// scopeConditions are a rule's scope as a statement group's conditions
// (which are ORed): none for no scope.
func scopeConditions(metrics, services []string) []string {
	switch {
	case len(metrics) == 0 && len(services) == 0:
		return nil
	case len(services) == 0:
		return matchConditions("metric.name", metrics)
	case len(metrics) == 0:
		return matchConditions(`resource.attributes["service.name"]`, services)
	}
	return []string{scopeExpression(metrics, services)}
}

// scopeExpression is a rule's scope as one OTTL boolean expression: empty
// for no scope.
func scopeExpression(metrics, services []string) string {
	var parts []string
	if m := matchConditions("metric.name", metrics); len(m) > 0 {
		parts = append(parts, paren(orAll(m), len(m)))
	}
	if s := matchConditions(`resource.attributes["service.name"]`, services); len(s) > 0 {
		parts = append(parts, paren(orAll(s), len(s)))
	}
	return strings.Join(parts, " and ")
}

func matchConditions(path string, globs []string) []string {
	var out []string
	for _, g := range globs {
		out = append(out, matchCondition(path, g))
	}
	return out
}

// matchCondition is an OTTL condition that path matches a glob.
func matchCondition(path, glob string) string {
	if isLiteral(glob) {
		return fmt.Sprintf("%s == %s", path, ottlString(glob))
	}
	return fmt.Sprintf("IsMatch(%s, %s)", path, ottlString(globRegexp(glob)))
}

func orAll(conds []string) string { return strings.Join(conds, " or ") }

func paren(expr string, n int) string {
	if n > 1 {
		return "(" + expr + ")"
	}
	return expr
}

// isLiteral reports whether a glob matches only itself.
func isLiteral(glob string) bool { return !strings.ContainsAny(glob, `*?[\`) }

// globRegexp converts a policy glob (path.Match syntax, where `*` matches
// any run of characters, dots and slashes included) to an anchored regular
// expression matching the same strings.
func globRegexp(glob string) string {
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			}
		case '[':
			b.WriteString("[")
			i++
			if i < len(rs) && rs[i] == '^' {
				b.WriteString("^")
				i++
			}
			for ; i < len(rs) && rs[i] != ']'; i++ {
				switch rs[i] {
				case '\\':
					if i+1 < len(rs) {
						i++
						b.WriteString(`\` + string(rs[i]))
					}
				case '[':
					b.WriteString(`\[`)
				default:
					b.WriteRune(rs[i])
				}
			}
			b.WriteString("]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// ottlString is an OTTL string literal: OTTL unescapes backslashes and
// quotes in its strings.
func ottlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// brokenCap is the attributes of one metric key past one rule's cap.
type brokenCap struct {
	rule       PolicyRule
	key        string
	attributes []string
}

// capsBroken finds, among findings, the policy violations of
// max_distinct_values caps, by rule and metric key, in the rules' order.
// Those on spans and logs are left out: the statements it feeds select a
// metric by its name.
func capsBroken(rules []PolicyRule, findings []Finding) []brokenCap {
	var out []brokenCap
	for _, r := range rules {
		c := r.MaxDistinct
		if c == nil {
			continue
		}
		expected := fmt.Sprintf("at most %d distinct values", c.Max)
		byKey := map[string][]string{}
		for _, f := range findings {
			if f.ID != FindingPolicyViolation || f.Attribute == "" || f.Expected != expected || !catalog.IsMetricKey(f.SchemaKey) ||
				!strings.HasPrefix(f.Message, "policy "+r.Name+": ") || !glob.Match(c.Attribute, f.Attribute) {
				continue
			}
			if !slices.Contains(byKey[f.SchemaKey], f.Attribute) {
				byKey[f.SchemaKey] = append(byKey[f.SchemaKey], f.Attribute)
			}
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			attrs := byKey[k]
			slices.Sort(attrs)
			out = append(out, brokenCap{rule: r, key: k, attributes: attrs})
		}
	}
	return out
}
