package conformance

import (
	"fmt"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/semconv"
)

// presence is how often the items a definition describes (a metric's data
// points, spans, span events, log records) carry each attribute: 1 when
// every item does, the share of items otherwise. An attribute never sent
// is not in it.
type presence map[string]float64

// ownPresence is the presence of a schema's own attributes: those of its
// data points, spans or log records (all kept as DATA_POINT, see
// catalog.FieldSourceOf). An attribute present SOMETIMES is present, on
// the share of items its SeenRatio says; any other presence is every item.
func ownPresence(s catalog.Schema) presence {
	p := presence{}
	for _, f := range s.Fields {
		if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
			p[f.Name] = share(f)
		}
	}
	return p
}

func share(f catalog.Field) float64 {
	if f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES {
		return f.SeenRatio
	}
	return 1
}

// has reports whether an attribute of a definition is sent: its key, or
// for a template attribute any key under it.
func (p presence) has(a semconv.SignalAttribute) bool {
	if !a.Type.Template {
		_, ok := p[a.Key]
		return ok
	}
	for k := range p {
		if len(k) > len(a.Key)+1 && k[len(a.Key)] == '.' && strings.HasPrefix(k, a.Key) {
			return true
		}
	}
	return false
}

// notPresentIDs are the finding ids of an attribute missing at each
// requirement level, Weaver's.
var notPresentIDs = map[semconv.RequirementLevel]string{
	semconv.Required: FindingRequiredNotPresent, semconv.Recommended: FindingRecommendedNotPresent,
	semconv.ConditionallyRequired: FindingConditionallyNotPresent, semconv.OptIn: FindingOptInNotPresent,
}

// requirements judges a definition's attributes (a metric's, a span
// definition's, an event's) by their requirement levels against what the
// items carry, with Weaver's finding ids and levels: a required attribute
// never sent is a violation, a recommended one an improvement, a
// conditionally required or opt-in one information (a condition is prose,
// which Weaver does not evaluate either). Where Weaver sees one item and
// TallyCat a schema's many, a required attribute that some items lack is
// a violation too, naming the share that lacks it. Template and deprecated
// attributes are not asked for.
//
// The one condition read is exception's: an attribute "Required if `K` is
// not set, recommended otherwise" (semconv.SignalAttribute.RequiredUnless)
// is recommended when K is sent and required when it is not; when neither
// of such a pair is sent, one finding names both.
//
// item names one item ("data point", "span"), of what carries them, for
// messages.
func requirements(attrs []semconv.SignalAttribute, p presence, item, of string, add func(Finding)) {
	for _, a := range attrs {
		if a.Type.Template || a.Deprecated != nil {
			continue
		}
		level := a.Requirement
		if level == semconv.ConditionallyRequired && a.RequiredUnless != "" {
			if _, other := p[a.RequiredUnless]; other {
				level = semconv.Recommended
			} else {
				if _, ok := p[a.Key]; !ok {
					eitherMissing(attrs, a, item, of, add)
					continue
				}
				level = semconv.Required
			}
		}
		seen, ok := p[a.Key]
		switch {
		case ok && (seen >= 1 || level != semconv.Required):
			continue
		case ok: // a required attribute some items lack
			add(Finding{ID: FindingRequiredNotPresent, Attribute: a.Key, Expected: "on every " + item, Actual: fmt.Sprintf("on %.0f %% of them", 100*seen),
				Message: fmt.Sprintf("required attribute %s is missing from %.0f %% of the %ss of %s", a.Key, 100*(1-seen), item, of)})
			continue
		}
		id := notPresentIDs[level]
		if id == "" {
			id = FindingRecommendedNotPresent
		}
		add(Finding{ID: id, Attribute: a.Key, Expected: string(level), Actual: "not sent",
			Message: fmt.Sprintf("%s attribute %s is not present on %s", strings.ReplaceAll(strings.ReplaceAll(string(level), "opt_in", "opt-in"), "_", " "), a.Key, of)})
	}
}

// eitherMissing files the finding of a pair of attributes each required
// unless the other is sent, neither of which is: once, on the first of the
// pair by key.
func eitherMissing(attrs []semconv.SignalAttribute, a semconv.SignalAttribute, item, of string, add func(Finding)) {
	for _, b := range attrs {
		if b.Key == a.RequiredUnless && b.RequiredUnless == a.Key && b.Key < a.Key && b.Deprecated == nil {
			return // filed on b
		}
	}
	add(Finding{ID: FindingRequiredNotPresent, Attribute: a.Key, Expected: "required unless " + a.RequiredUnless + " is sent", Actual: "neither sent",
		Message: fmt.Sprintf("required attribute %s is not present on %s, nor is %s, which would stand for it", a.Key, of, a.RequiredUnless)})
}
