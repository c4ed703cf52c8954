package conformance

import (
	"fmt"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// attribute judges one data point field of a schema: against the metric's
// own use of the attribute when the registry defines the metric and lists
// it, else against the attribute registry.
func (j Judge) attribute(s catalog.Schema, m *semconv.Metric, f catalog.Field, add func(Finding)) {
	var def semconv.Attribute
	found := false
	if m != nil {
		if a, ok := m.Attribute(f.Name); ok {
			def, found = a.Attribute, true
		}
	}
	if !found {
		if a, ok := j.Registry.Attribute(f.Name); ok {
			def, found = *a, true
		}
	}
	if !found {
		add(Finding{ID: FindingMissingAttribute, Attribute: f.Name, Actual: f.Name, FirstSeen: f.FirstSeen,
			Message: fmt.Sprintf("attribute %s of %s is not defined in the registries", f.Name, s.Key)})
	} else {
		j.defined(f, def, f.Name, s.Key, add)
	}
	if f.TypeConflict {
		add(Finding{ID: FindingTypeConflict, Attribute: f.Name, Actual: schemaid.ValueTypeToken(f.Type), FirstSeen: f.FirstSeen,
			Message: fmt.Sprintf("attribute %s of %s is sent with more than one value type by the same release; one of them is %s", f.Name, s.Key, schemaid.ValueTypeToken(f.Type))})
	}
	if f.HighCardinality {
		add(Finding{ID: FindingHighCardinality, Attribute: f.Name, Actual: fmt.Sprintf("%d distinct values", f.Distinct),
			Message: fmt.Sprintf("attribute %s of %s had more distinct values in the last hour than the threshold (%d in the window asked): each is a series", f.Name, s.Key, f.Distinct)})
	}
}

// defined judges a field the registries define by the rules that need no
// metric definition: template, deprecation, value type, stability and enum
// members. Label is the attribute as messages name it (its name, or for a
// span event's attribute the name and the event) and of is what carries it.
func (j Judge) defined(f catalog.Field, def semconv.Attribute, label, of string, add func(Finding)) {
	if def.Type.Template {
		add(Finding{ID: FindingTemplateAttribute, Attribute: f.Name, Expected: def.Key + ".*", Actual: f.Name,
			Message: fmt.Sprintf("attribute %s of %s matches the template %s", label, of, def.Key)})
	}
	if d := def.Deprecated; d != nil {
		found := deprecated("attribute", label, f.Name, d)
		found.Actual = f.Name
		add(found)
	}
	if want := def.Type.Value; !typeMatches(want, f.Type) {
		add(Finding{ID: FindingTypeMismatch, Attribute: f.Name, Expected: want, Actual: schemaid.ValueTypeToken(f.Type), FirstSeen: f.FirstSeen,
			Message: fmt.Sprintf("type of %s on %s: expected %s, got %s", label, of, want, schemaid.ValueTypeToken(f.Type))})
	}
	if def.Stability != semconv.Stable && def.Stability != "" && def.Deprecated == nil { // deprecated says more
		add(Finding{ID: FindingNotStable, Attribute: f.Name, Expected: string(semconv.Stable), Actual: string(def.Stability),
			Message: fmt.Sprintf("attribute %s is %s, not stable", label, def.Stability)})
	}
	if def.Type.IsEnum() && f.ExamplesState == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		var unknown []string
		for _, v := range f.Examples {
			if _, ok := def.Type.Member(v.Value); !ok {
				unknown = append(unknown, v.Value)
			}
		}
		if len(unknown) > 0 {
			add(Finding{ID: FindingUndefinedEnumVariant, Attribute: f.Name, Actual: strings.Join(unknown, ", "), Expected: members(def.Type),
				Message: fmt.Sprintf("attribute %s of %s carries %s, not a member of its enum", label, of, strings.Join(unknown, ", "))})
		}
	}
}

// signalAttributes judges the attributes of a span's or a log's schema
// against the attribute registry, by the rules that need no definition of
// the span or the log event (see defined): a span's own attributes and
// those of its events and links, a log record's own attributes. Body keys
// and severity are not attributes, and an attribute the registries do not
// define, like resource and scope attributes, is not judged yet. What the
// matched span definition and event ask for is judged apart (see
// spanRequirements, logEvent and spanEvents).
func (j Judge) signalAttributes(s catalog.Schema, add func(Finding)) {
	of := catalog.DescribeKey(s.Key)
	for _, f := range s.Fields {
		label := f.Name
		switch f.Source {
		case tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT:
		case tallycatv1.FieldSource_FIELD_SOURCE_EVENT:
			if f.Name == "" { // the event itself
				continue
			}
			label = fmt.Sprintf("%s of event %s", f.Name, f.Event)
		case tallycatv1.FieldSource_FIELD_SOURCE_LINK:
			label = f.Name + " of a link"
		default:
			continue
		}
		if def, ok := j.Registry.Attribute(f.Name); ok {
			j.defined(f, *def, label, of, add)
		}
	}
}

// typeMatches reports whether a value type as sent is the registry's type
// ("string", "int", "double", "boolean", "any", or an array of one).
func typeMatches(want string, got tallycatv1.ValueType) bool {
	switch want {
	case "", "any":
		return true
	case "string":
		return got == tallycatv1.ValueType_VALUE_TYPE_STRING
	case "int":
		return got == tallycatv1.ValueType_VALUE_TYPE_INT
	case "double":
		return got == tallycatv1.ValueType_VALUE_TYPE_DOUBLE
	case "boolean":
		return got == tallycatv1.ValueType_VALUE_TYPE_BOOL
	}
	if strings.HasSuffix(want, "[]") {
		return got == tallycatv1.ValueType_VALUE_TYPE_ARRAY
	}
	return true // a type this version does not know: not ours to judge
}

// members lists an enum's members for a message, the first few.
func members(t semconv.Type) string {
	var vals []string
	for i, m := range t.Members {
		if i == 8 {
			vals = append(vals, "…")
			break
		}
		vals = append(vals, m.Value)
	}
	return strings.Join(vals, ", ")
}
