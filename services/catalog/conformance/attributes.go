package conformance

import (
	"fmt"
	"github.com/tallycat/tallycat/services/catalog"
	"strings"

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
		j.defined(s, f, def, add)
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

// defined judges a field the registries define.
func (j Judge) defined(s catalog.Schema, f catalog.Field, def semconv.Attribute, add func(Finding)) {
	if def.Type.Template {
		add(Finding{ID: FindingTemplateAttribute, Attribute: f.Name, Expected: def.Key + ".*", Actual: f.Name,
			Message: fmt.Sprintf("attribute %s of %s matches the template %s", f.Name, s.Key, def.Key)})
	}
	if d := def.Deprecated; d != nil {
		add(deprecated("attribute", f.Name, f.Name, d))
	}
	if want := def.Type.Value; !typeMatches(want, f.Type) {
		add(Finding{ID: FindingTypeMismatch, Attribute: f.Name, Expected: want, Actual: schemaid.ValueTypeToken(f.Type), FirstSeen: f.FirstSeen,
			Message: fmt.Sprintf("type of %s on %s: expected %s, got %s", f.Name, s.Key, want, schemaid.ValueTypeToken(f.Type))})
	}
	if def.Stability != semconv.Stable && def.Stability != "" && def.Deprecated == nil { // deprecated says more
		add(Finding{ID: FindingNotStable, Attribute: f.Name, Expected: string(semconv.Stable), Actual: string(def.Stability),
			Message: fmt.Sprintf("attribute %s is %s, not stable", f.Name, def.Stability)})
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
				Message: fmt.Sprintf("attribute %s of %s carries %s, not a member of its enum", f.Name, s.Key, strings.Join(unknown, ", "))})
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
