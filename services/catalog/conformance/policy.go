package conformance

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/glob"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Policies: a team's own rules (--policy, docs/POLICIES.md), judged with the
// conventions. A broken rule is a finding `policy_violation` at the rule's
// level, so it shows wherever findings do: the API, the UI, `tallycat
// check` and the events.

// FindingPolicyViolation is the finding id of a broken policy rule.
const FindingPolicyViolation = "policy_violation"

// PolicyRule is one rule: a scope and the checks that apply in it. Every
// check it sets must hold for every schema in its scope.
type PolicyRule struct {
	Name  string
	Level tallycatv1.FindingLevel
	// Metrics and Services scope the rule by glob (`*` matches dots too);
	// empty means every metric, every service.
	Metrics, Services []string
	// Signals are the signals whose schemas the rule judges; none means
	// metrics only, as before spans and logs were catalogued. On spans and
	// logs only the attribute checks apply (see check).
	Signals []schemaid.Signal

	BannedAttributes   []string
	RequiredAttributes []string
	// BannedMetrics are globs of metric names that must not be sent at
	// all; the generated Collector configuration drops them.
	BannedMetrics []string
	MetricName    *regexp.Regexp
	NoUnitInName  bool
	AllowedUnits  []string
	MaxDistinct   *DistinctCap
	MaxSeries     uint64
	// MaxMonthlyCost caps a schema's estimated monthly cost under the
	// price model (see Prices.Monthly); it needs one.
	MaxMonthlyCost     float64
	AllowedInstruments []semconv.Instrument
}

// DistinctCap caps the distinct values of the attributes a glob matches.
type DistinctCap struct {
	Attribute string
	Max       uint64
}

// rawRule is a rule as the file writes it.
type rawRule struct {
	Name               string   `yaml:"name"`
	Level              string   `yaml:"level"`
	Metrics            []string `yaml:"metrics"`
	Services           []string `yaml:"services"`
	Signals            []string `yaml:"signals"`
	BannedAttributes   []string `yaml:"banned_attributes"`
	RequiredAttributes []string `yaml:"required_attributes"`
	BannedMetrics      []string `yaml:"banned_metrics"`
	MetricName         string   `yaml:"metric_name"`
	NoUnitInName       bool     `yaml:"no_unit_in_name"`
	AllowedUnits       []string `yaml:"allowed_units"`
	MaxDistinct        *struct {
		Attribute string `yaml:"attribute"`
		Max       uint64 `yaml:"max"`
	} `yaml:"max_distinct_values"`
	MaxSeries          uint64   `yaml:"max_series"`
	MaxMonthlyCost     float64  `yaml:"max_monthly_cost"`
	AllowedInstruments []string `yaml:"allowed_instruments"`
}

// CheckPolicyPrices returns an error naming the first rule that caps the
// monthly cost when there is no price model to estimate it with: such a
// rule would never fire, and silence would read as compliance.
func CheckPolicyPrices(rules []PolicyRule, p catalog.Prices) error {
	// A cost cap judges metrics only (see metricChecks), so only the
	// metric prices make it judgeable: a span or log price alone would
	// leave every metric without an estimate and the cap without effect.
	if p.PerThousandSeriesMonth != 0 || p.PerMillionPoints != 0 {
		return nil
	}
	for _, r := range rules {
		if r.MaxMonthlyCost > 0 {
			return fmt.Errorf("policy: rule %q: max_monthly_cost needs a price model (--price-per-1k-series-month or --price-per-million-points)", r.Name)
		}
	}
	return nil
}

// ParsePolicy reads a policy file's YAML; an error names the rule and what
// is wrong with it.
func ParsePolicy(data []byte) ([]PolicyRule, error) {
	var raw struct {
		Rules []rawRule `yaml:"rules"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("policy: %w", err)
	}
	var rules []PolicyRule
	names := map[string]bool{}
	for i, r := range raw.Rules {
		name := r.Name
		if name == "" {
			return nil, fmt.Errorf("policy: rule %d has no name", i+1)
		}
		if names[name] {
			return nil, fmt.Errorf("policy: rule %q is defined twice", name)
		}
		names[name] = true
		rule, err := r.compile()
		if err != nil {
			return nil, fmt.Errorf("policy: rule %q: %w", name, err)
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (r rawRule) compile() (PolicyRule, error) {
	p := PolicyRule{Name: r.Name, Metrics: r.Metrics, Services: r.Services, BannedAttributes: r.BannedAttributes,
		RequiredAttributes: r.RequiredAttributes, BannedMetrics: r.BannedMetrics, NoUnitInName: r.NoUnitInName, AllowedUnits: r.AllowedUnits, MaxSeries: r.MaxSeries,
		MaxMonthlyCost: r.MaxMonthlyCost}
	level, ok := map[string]tallycatv1.FindingLevel{"": violation, "violation": violation, "improvement": improvement, "information": informed}[strings.ToLower(r.Level)]
	if !ok {
		return p, fmt.Errorf("level %q is not violation, improvement or information", r.Level)
	}
	p.Level = level
	for _, sig := range r.Signals {
		named, ok := map[string]schemaid.Signal{"metrics": schemaid.Metric, "spans": schemaid.Span, "logs": schemaid.Log}[strings.ToLower(sig)]
		if !ok {
			return p, fmt.Errorf("signals: %q is not metrics, spans or logs", sig)
		}
		if !slices.Contains(p.Signals, named) {
			p.Signals = append(p.Signals, named)
		}
	}
	if len(r.Signals) > 0 && len(r.Metrics) > 0 && (p.covers(schemaid.Span) || p.covers(schemaid.Log)) {
		return p, fmt.Errorf("metrics scopes metric names only: a rule for spans or logs cannot have it (write the span and log rule apart)")
	}
	for _, g := range slices.Concat(r.Metrics, r.Services, r.BannedAttributes, r.BannedMetrics) {
		if err := glob.Check(g); err != nil {
			return p, err
		}
	}
	if r.MetricName != "" {
		re, err := regexp.Compile(r.MetricName)
		if err != nil {
			return p, fmt.Errorf("metric_name: %w", err)
		}
		p.MetricName = re
	}
	if m := r.MaxDistinct; m != nil {
		if m.Attribute == "" || m.Max == 0 {
			return p, fmt.Errorf("max_distinct_values needs an attribute and a max above 0")
		}
		p.MaxDistinct = &DistinctCap{Attribute: m.Attribute, Max: m.Max}
	}
	if r.MaxMonthlyCost < 0 || math.IsInf(r.MaxMonthlyCost, 0) || math.IsNaN(r.MaxMonthlyCost) {
		return p, fmt.Errorf("max_monthly_cost %g is not a finite amount of 0 or more", r.MaxMonthlyCost)
	}
	for _, in := range r.AllowedInstruments {
		i := semconv.Instrument(in)
		if !slices.Contains([]semconv.Instrument{semconv.Counter, semconv.UpDownCounter, semconv.Gauge, semconv.Histogram}, i) {
			return p, fmt.Errorf("allowed_instruments: %q is not counter, updowncounter, gauge or histogram", in)
		}
		p.AllowedInstruments = append(p.AllowedInstruments, i)
	}
	if len(p.BannedAttributes)+len(p.BannedMetrics)+len(p.RequiredAttributes)+len(p.AllowedUnits)+len(p.AllowedInstruments) == 0 &&
		p.MetricName == nil && !p.NoUnitInName && p.MaxDistinct == nil && p.MaxSeries == 0 && p.MaxMonthlyCost == 0 {
		return p, fmt.Errorf("checks nothing")
	}
	if !p.covers(schemaid.Metric) {
		if c := p.metricChecks(); c != "" {
			return p, fmt.Errorf("%s checks metrics only, and signals does not name metrics", c)
		}
	}
	return p, nil
}

// covers reports whether the rule judges schemas of sig.
func (r PolicyRule) covers(sig schemaid.Signal) bool {
	if len(r.Signals) == 0 {
		return sig == schemaid.Metric
	}
	return slices.Contains(r.Signals, sig)
}

// metricChecks names the first check the rule sets that only a metric can
// break, or is empty: names, units, instruments, series and cost are a
// metric's.
func (r PolicyRule) metricChecks() string {
	switch {
	case len(r.BannedMetrics) > 0:
		return "banned_metrics"
	case r.MetricName != nil:
		return "metric_name"
	case r.NoUnitInName:
		return "no_unit_in_name"
	case len(r.AllowedUnits) > 0:
		return "allowed_units"
	case r.MaxSeries > 0:
		return "max_series"
	case r.MaxMonthlyCost > 0:
		return "max_monthly_cost"
	case len(r.AllowedInstruments) > 0:
		return "allowed_instruments"
	}
	return ""
}

// applies reports whether a schema produced by releases is in the rule's
// scope: of a signal it covers, of a metric its metric globs match, of a
// service its service globs match.
func (r PolicyRule) applies(s catalog.Schema, releases []catalog.ReleaseIdentity) bool {
	sig, _ := catalog.ParseStoredKey(s.Key)
	if !r.covers(sig) {
		return false
	}
	if sig == schemaid.Metric && len(r.Metrics) > 0 && !slices.ContainsFunc(r.Metrics, func(g string) bool { return glob.Match(g, s.Key) }) {
		return false
	}
	if len(r.Services) > 0 && !slices.ContainsFunc(releases, func(rel catalog.ReleaseIdentity) bool {
		return slices.ContainsFunc(r.Services, func(g string) bool { return glob.Match(g, rel.ServiceName) })
	}) {
		return false
	}
	return true
}

// unitWords are units written into metric names, which semantic
// conventions keep in the unit instead.
var unitWords = []string{"seconds", "second", "milliseconds", "ms", "microseconds", "nanoseconds", "bytes", "kilobytes", "megabytes", "percent", "total"}

// check judges one schema in the rule's scope, adding a finding per broken
// check. On a span or a log only the attribute checks apply: banned
// attributes on a span's own attributes and those of its events and links,
// or on a log record's own; required attributes among the item's own, its
// resource's and its scope's; distinct value caps where the catalog has
// the figures. The rest judge a metric's name, unit, instrument, series
// and cost.
func (r PolicyRule) check(s catalog.Schema, add func(Finding)) {
	broke := func(attribute, expected, actual, format string, args ...any) {
		add(Finding{ID: FindingPolicyViolation, Level: r.Level, Attribute: attribute, Expected: expected, Actual: actual,
			Message: fmt.Sprintf("policy %s: ", r.Name) + fmt.Sprintf(format, args...)})
	}
	sig, _ := catalog.ParseStoredKey(s.Key)
	of := s.Key
	if sig != schemaid.Metric {
		of = catalog.DescribeKey(s.Key)
	}
	present := map[string]catalog.Field{}
	for _, f := range s.Fields {
		label, attribute := policyField(f)
		if !attribute {
			continue
		}
		if f.Source != tallycatv1.FieldSource_FIELD_SOURCE_EVENT && f.Source != tallycatv1.FieldSource_FIELD_SOURCE_LINK {
			present[f.Name] = f
		}
		if bannable(f.Source) && slices.ContainsFunc(r.BannedAttributes, func(g string) bool { return glob.Match(g, f.Name) }) {
			broke(f.Name, "not sent", "sent", "attribute %s is banned from %s", label, of)
		}
		if c := r.MaxDistinct; c != nil && glob.Match(c.Attribute, f.Name) && f.Distinct > c.Max {
			broke(f.Name, fmt.Sprintf("at most %d distinct values", c.Max), fmt.Sprintf("%d", f.Distinct),
				"attribute %s of %s has %d distinct values, more than %d", label, of, f.Distinct, c.Max)
		}
	}
	for _, k := range r.RequiredAttributes {
		if _, ok := present[k]; !ok {
			broke(k, "sent", "not sent", "attribute %s is required on %s", k, of)
		}
	}
	if sig != schemaid.Metric {
		return
	}
	if slices.ContainsFunc(r.BannedMetrics, func(g string) bool { return glob.Match(g, s.Key) }) {
		broke("", "not sent", s.Key, "metric %s is banned", s.Key)
	}
	if r.MetricName != nil && !r.MetricName.MatchString(s.Key) {
		broke("", r.MetricName.String(), s.Key, "metric name %s does not match %s", s.Key, r.MetricName)
	}
	if r.NoUnitInName {
		for _, part := range strings.FieldsFunc(s.Key, func(c rune) bool { return c == '.' || c == '_' }) {
			if slices.Contains(unitWords, strings.ToLower(part)) {
				broke("", "the unit in the unit field", s.Key, "metric name %s names a unit (%s); put it in the unit", s.Key, part)
				break
			}
		}
	}
	if len(r.AllowedUnits) > 0 && !slices.Contains(r.AllowedUnits, s.Unit) {
		broke("", strings.Join(r.AllowedUnits, ", "), s.Unit, "unit %s of %s is not allowed", quoteUnit(s.Unit), s.Key)
	}
	if r.MaxSeries > 0 && s.Cost != nil && s.Cost.Series > r.MaxSeries {
		broke("", fmt.Sprintf("at most %d series", r.MaxSeries), fmt.Sprintf("%d", s.Cost.Series),
			"%s has %d series, more than %d", s.Key, s.Cost.Series, r.MaxSeries)
	}
	if r.MaxMonthlyCost > 0 && s.Cost != nil && s.Cost.Monthly != nil && *s.Cost.Monthly > r.MaxMonthlyCost {
		broke("", fmt.Sprintf("at most %.2f a month", r.MaxMonthlyCost), fmt.Sprintf("%.2f", *s.Cost.Monthly),
			"%s costs an estimated %.2f a month, more than %.2f", s.Key, *s.Cost.Monthly, r.MaxMonthlyCost)
	}
	if len(r.AllowedInstruments) > 0 && !slices.Contains(r.AllowedInstruments, InstrumentOf(s)) {
		var allowed []string
		for _, i := range r.AllowedInstruments {
			allowed = append(allowed, string(i))
		}
		broke("", strings.Join(allowed, ", "), string(InstrumentOf(s)), "%s is a %s, not one of %s", s.Key, InstrumentOf(s), strings.Join(allowed, ", "))
	}
}

// policyField is how a policy's messages name a field, and whether the
// field is an attribute at all: a log's body keys and severity are not,
// nor is the field that stands for a span event itself.
func policyField(f catalog.Field) (string, bool) {
	switch f.Source {
	case tallycatv1.FieldSource_FIELD_SOURCE_BODY, tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY:
		return "", false
	case tallycatv1.FieldSource_FIELD_SOURCE_EVENT:
		return fmt.Sprintf("%s of event %s", f.Name, f.Event), f.Name != ""
	case tallycatv1.FieldSource_FIELD_SOURCE_LINK:
		return f.Name + " of a link", true
	}
	return f.Name, true
}

// bannable reports whether banned_attributes judges fields of src: an
// item's own attributes (a data point's, a span's, a log record's) and a
// span's event and link attributes, never the resource's or the scope's.
func bannable(src tallycatv1.FieldSource) bool {
	switch src {
	case tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, tallycatv1.FieldSource_FIELD_SOURCE_EVENT, tallycatv1.FieldSource_FIELD_SOURCE_LINK:
		return true
	}
	return false
}
