package conformance

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// The finding ids. Those of Weaver's live-check come first, with its default
// levels (see DefaultLevels); the others are TallyCat's.
const (
	FindingMissingMetric             = "missing_metric"
	FindingMissingEvent              = "missing_event"
	FindingMissingAttribute          = "missing_attribute"
	FindingTemplateAttribute         = "template_attribute"
	FindingUnitMismatch              = "unit_mismatch"
	FindingUnexpectedInstrument      = "unexpected_instrument"
	FindingTypeMismatch              = "type_mismatch"
	FindingDeprecated                = "deprecated"
	FindingNotStable                 = "not_stable"
	FindingUndefinedEnumVariant      = "undefined_enum_variant"
	FindingRequiredNotPresent        = "required_attribute_not_present"
	FindingRecommendedNotPresent     = "recommended_attribute_not_present"
	FindingConditionallyNotPresent   = "conditionally_required_attribute_not_present"
	FindingOptInNotPresent           = "opt_in_attribute_not_present"
	FindingUnitConflict              = "unit_conflict"
	FindingInstrumentConflict        = "instrument_conflict"
	FindingTypeConflict              = "type_conflict"
	FindingHighCardinality           = "high_cardinality"
	FindingTemporalityMismatch       = "temporality_mismatch"
	FindingSpanNameLimit             = "span_name_limit"
	violation, improvement, informed = tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION, tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT, tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION
)

// DefaultLevels are the level of each finding id unless configured
// otherwise: Weaver live-check's defaults for its ids.
var DefaultLevels = map[string]tallycatv1.FindingLevel{
	FindingMissingMetric: violation, FindingMissingEvent: violation, FindingMissingAttribute: violation, FindingTemplateAttribute: informed,
	FindingUnitMismatch: violation, FindingUnexpectedInstrument: violation, FindingTypeMismatch: violation,
	FindingDeprecated: violation, FindingNotStable: informed, FindingUndefinedEnumVariant: informed,
	FindingRequiredNotPresent: violation, FindingRecommendedNotPresent: improvement,
	FindingConditionallyNotPresent: informed, FindingOptInNotPresent: informed,
	FindingUnitConflict: violation, FindingInstrumentConflict: violation, FindingTypeConflict: violation,
	FindingHighCardinality: improvement, FindingTemporalityMismatch: improvement,
	FindingPolicyViolation: violation, // each rule says its own level
	FindingSpanNameLimit:   improvement,
}

// Finding is one judgement of one schema.
type Finding struct {
	ID        string
	Level     tallycatv1.FindingLevel
	Message   string
	SchemaID  string
	SchemaKey string
	// Attribute is the attribute the finding is about, if any.
	Attribute string
	// Expected and Actual are the two sides, for display; Replacement
	// names what replaces a deprecated name.
	Expected, Actual, Replacement string
	Producers                     []catalog.ReleaseIdentity
	FirstSeen                     time.Time
	// Examples are what the finding saw where a list says more than a
	// count: some of the span names past the limit.
	Examples []string
}

// Signal is the signal of the finding's key (see catalog.ParseStoredKey).
func (f Finding) Signal() schemaid.Signal {
	sig, _ := catalog.ParseStoredKey(f.SchemaKey)
	return sig
}

// Judge judges against a registry, with levels per finding id.
type Judge struct {
	Registry *semconv.Registry
	// Levels overrides DefaultLevels by finding id; a level of
	// UNSPECIFIED ignores the finding. Ignore ignores the findings any of
	// its rules match (see Config).
	Levels map[string]tallycatv1.FindingLevel
	Ignore []IgnoreRule
	// Policies are the team's rules (see PolicyRule).
	Policies []PolicyRule
}

// file levels f, a finding on s, as configured (or by its own level, or
// the default), and appends it to out unless its level is none or an
// ignore rule matches it.
func (j Judge) file(out *[]Finding, s catalog.Judged, f Finding) {
	level, ok := j.Levels[f.ID]
	switch {
	case ok: // configured
	case f.Level != tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED:
		level = f.Level // a policy rule's own
	default:
		level = DefaultLevels[f.ID]
	}
	if level == tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED {
		return
	}
	f.Level, f.SchemaID, f.SchemaKey, f.Producers = level, s.Schema.ID, s.Schema.Key, s.Releases
	for _, r := range j.Ignore {
		if r.ignores(f) {
			return
		}
	}
	if f.FirstSeen.IsZero() {
		f.FirstSeen = s.Schema.FirstSeen
	}
	*out = append(*out, f)
}

// SpanKey judges the current schemas of one span key: their attributes
// against the attribute registry (see signalAttributes); their own
// attributes by the requirement levels of the registry's span definition
// each matches by kind and identifying attributes, if any (see spans.go:
// Weaver cannot tell which definition a span follows); their events, by
// name, against the registry's events (missing_event, requirement levels;
// see events.go); by the policy rules that cover spans (see
// PolicyRule.check); and the schema that took in a scope's span names past
// the ingest's limit of distinct names (names that embed ids, such as
// "GET /users/123"), named with examples, since each such name would
// otherwise be a schema of its own.
func (j Judge) SpanKey(schemas []catalog.Judged) []Finding {
	var out []Finding
	for _, s := range schemas {
		add := func(f Finding) { j.file(&out, s, f) }
		j.signalAttributes(s.Schema, add)
		j.spanRequirements(s.Schema, add)
		j.spanEvents(s.Schema, add)
		j.policies(s, add)
		if !s.Schema.ByScope {
			continue
		}
		_, scope := catalog.ParseStoredKey(s.Schema.Key)
		msg := fmt.Sprintf("span names of scope %q went past the limit of distinct names per release and hour: %d spans are counted under the scope instead of a schema per name",
			scope, s.Schema.DataPoints)
		if len(s.Schema.NameExamples) > 0 {
			msg += fmt.Sprintf(", for example %s; a name that embeds ids (user ids, order numbers) belongs in an attribute (http.route, url.path)", quoteAll(s.Schema.NameExamples))
		}
		add(Finding{ID: FindingSpanNameLimit, Message: msg, Actual: scope, Examples: s.Schema.NameExamples})
	}
	sortFindings(out)
	return out
}

// LogKey judges the current schemas of one log key: their records' own
// attributes against the attribute registry (see signalAttributes); a log
// event, by its name, against the registry's events (missing_event, the
// event's requirement levels, deprecation and stability; see events.go),
// which a logger's schema without an event name is not; and by the policy
// rules that cover logs (see PolicyRule.check).
func (j Judge) LogKey(schemas []catalog.Judged) []Finding {
	var out []Finding
	for _, s := range schemas {
		add := func(f Finding) { j.file(&out, s, f) }
		j.signalAttributes(s.Schema, add)
		j.logEvent(s.Schema, add)
		j.policies(s, add)
	}
	sortFindings(out)
	return out
}

// policies judges a schema by the policy rules whose scope it is in.
func (j Judge) policies(s catalog.Judged, add func(Finding)) {
	for _, r := range j.Policies {
		if r.applies(s.Schema, s.Releases) {
			r.check(s.Schema, add)
		}
	}
}

// quoteAll quotes each name, separated by commas.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// Key judges the current schemas of one metric key together (their
// producers may disagree with each other as well as with the registry),
// returning the findings sorted by schema, level and id.
//
// Producers that disagree on the metric's unit or instrument are judged by
// who is right. When a registry defines the metric it settles the
// question: a schema that sends what it defines gets nothing, since it did
// not cause the disagreement, and one that does not gets the mismatch
// alone, whose message names who sends what (see sides.blame), not a
// mismatch and a conflict saying the same. When no registry defines it,
// nobody is right, and every side gets the conflict.
func (j Judge) Key(schemas []catalog.Judged) []Finding {
	var out []Finding
	if len(schemas) == 0 {
		return nil
	}
	peers := peers{
		units:       sidesOf("unit", schemas, func(s catalog.Schema) string { return s.Unit }),
		instruments: sidesOf("instrument", schemas, func(s catalog.Schema) string { return string(InstrumentOf(s)) }),
	}
	_, defined := j.Registry.Metric(schemas[0].Schema.Key)
	for _, s := range schemas {
		add := func(f Finding) { j.file(&out, s, f) }
		if !defined && peers.units.split() {
			add(peers.units.conflict(FindingUnitConflict))
		}
		if !defined && peers.instruments.split() {
			add(peers.instruments.conflict(FindingInstrumentConflict))
		}
		j.schema(s.Schema, peers, add)
		j.policies(s, add)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.SchemaID, b.SchemaID), cmp.Compare(a.Level, b.Level), strings.Compare(a.ID, b.ID), strings.Compare(a.Attribute, b.Attribute))
	})
	return out
}

// peers is what every producer of a metric sends of its unit and its
// instrument, for the messages of a schema's mismatches.
type peers struct{ units, instruments sides }

func quoteUnit(u string) string {
	if u == "" {
		return `"" (none)`
	}
	return u
}

// InstrumentOf is the instrument a schema's data says it was recorded with:
// OTLP carries data types, and a sum is a counter when monotonic, an
// updowncounter when not. A summary has none.
func InstrumentOf(s catalog.Schema) semconv.Instrument {
	switch s.Type {
	case tallycatv1.MetricType_METRIC_TYPE_GAUGE:
		return semconv.Gauge
	case tallycatv1.MetricType_METRIC_TYPE_SUM:
		if s.Monotonic {
			return semconv.Counter
		}
		return semconv.UpDownCounter
	case tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM:
		return semconv.Histogram
	}
	return "summary"
}

// schema judges one schema against the registry; peers are what the
// metric's producers send.
func (j Judge) schema(s catalog.Schema, peers peers, add func(Finding)) {
	m, defined := j.Registry.Metric(s.Key)
	if !defined {
		add(Finding{ID: FindingMissingMetric, Actual: s.Key,
			Message: fmt.Sprintf("metric %s is not defined in the registries", s.Key)})
	} else {
		j.metric(s, m, peers, add)
	}
	for _, f := range s.Fields {
		if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
			j.attribute(s, m, f, add)
		}
	}
	if defined {
		requirements(m.Attributes, ownPresence(s), "data point", s.Key, add)
	}
}

// metric judges a schema's unit, instrument, stability and deprecation.
// Where the metric's producers disagree on the unit or the instrument, a
// mismatch's message says who sends what (see Key).
func (j Judge) metric(s catalog.Schema, m *semconv.Metric, peers peers, add func(Finding)) {
	if s.Unit != m.Unit {
		msg := fmt.Sprintf("unit of %s: expected %s, got %s", s.Key, quoteUnit(m.Unit), quoteUnit(s.Unit))
		if peers.units.split() {
			msg = peers.units.blame(s.Unit, m.Unit)
		}
		add(Finding{ID: FindingUnitMismatch, Expected: m.Unit, Actual: s.Unit, Message: msg})
	}
	if got := InstrumentOf(s); got != m.Instrument {
		msg := fmt.Sprintf("instrument of %s: expected %s, got %s", s.Key, m.Instrument, got)
		if peers.instruments.split() {
			msg = peers.instruments.blame(string(got), string(m.Instrument))
		}
		add(Finding{ID: FindingUnexpectedInstrument, Expected: string(m.Instrument), Actual: string(got), Message: msg})
	}
	if d := m.Deprecated; d != nil {
		add(deprecated("metric", s.Key, "", d))
	}
	if m.Stability != semconv.Stable && m.Stability != "" && m.Deprecated == nil {
		add(Finding{ID: FindingNotStable, Actual: string(m.Stability), Expected: string(semconv.Stable),
			Message: fmt.Sprintf("metric %s is %s, not stable", s.Key, m.Stability)})
	}
}

// deprecated is the finding of a deprecated metric or attribute.
func deprecated(what, name, attribute string, d *semconv.Deprecation) Finding {
	f := Finding{ID: FindingDeprecated, Attribute: attribute, Actual: name, Replacement: d.RenamedTo,
		Message: fmt.Sprintf("%s %s is deprecated", what, name)}
	switch {
	case d.RenamedTo != "":
		f.Message += fmt.Sprintf(": use %s", d.RenamedTo)
	case d.Note != "":
		f.Message += ": " + strings.TrimSpace(d.Note)
	case d.Reason != "" && d.Reason != "unspecified":
		f.Message += " (" + d.Reason + ")"
	}
	return f
}
