package proposals

import (
	"fmt"
	"github.com/tallycat/tallycat/services/catalog"
	"strconv"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// The rules of proposing versions: how far a schema differs from a
// versioned schema of the same key, by SemVer, and the version that follows
// the versioned schema's (see ProposeVersion). Which schemas get proposals
// is in proposals.go.

// Proposal is a version TallyCat proposes for a schema, relative to a
// versioned schema of the same key.
type Proposal struct {
	SchemaID        string
	SchemaKey       string
	BaseSchemaID    string
	BaseVersion     string
	ProposedVersion string
	Level           tallycatv1.ChangeLevel
	// Reasons say what changed, one change each, then which consumers
	// the change breaks, one consumer each (see catalog.DescribeBreaks).
	Reasons []string
	// Breaks are the dashboard and rule queries the change breaks (see
	// WithBreaker); a proposal with any is major.
	Breaks []catalog.ConsumerBreak
}

// ClassifyChange compares target with base, the versioned schema it
// follows, and returns the SemVer level of the change and why: a new
// optional attribute (present sometimes) is minor; a new always-present
// attribute, a removed attribute, a changed value type, unit, instrument
// (type or monotonicity) or temporality is major; a description change is
// a patch. Only the shape's attributes count (a metric's data point
// attributes, a span's or a log's own, event, link, body and severity
// fields): resource and scope attributes belong to the producers. It returns
// CHANGE_LEVEL_UNSPECIFIED and no reasons when nothing counted changed.
func ClassifyChange(base, target catalog.Schema) (tallycatv1.ChangeLevel, []string) {
	d := catalog.Diff(dataPointOnly(base), dataPointOnly(target))
	level := tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED
	var reasons []string
	note := func(l tallycatv1.ChangeLevel, format string, args ...any) {
		level = max(level, l)
		reasons = append(reasons, fmt.Sprintf(format, args...))
	}
	for _, f := range d.Added {
		if f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES {
			note(tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR, "added optional attribute %s", described(f))
		} else {
			note(tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR, "added always-present attribute %s", described(f))
		}
	}
	for _, f := range d.Removed {
		note(tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR, "removed attribute %s", described(f))
	}
	for _, c := range d.Changed {
		note(tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR, "changed the value type of attribute %s from %s to %s",
			c.Name, schemaid.ValueTypeToken(c.Base.Type), schemaid.ValueTypeToken(c.Target.Type))
	}
	for _, m := range d.MetadataChanges {
		switch m.Property {
		case "schema_key", "signal":
			// Proposals compare schemas of one key; a different key is no
			// change of this metric's.
		case "description":
			note(tallycatv1.ChangeLevel_CHANGE_LEVEL_PATCH, "changed the description from %q to %q", m.Base, m.Target)
		default:
			note(tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR, "changed the %s from %s to %s",
				propertyNames[m.Property], orNone(m.Base), orNone(m.Target))
		}
	}
	return level, reasons
}

// described is a shape field as reasons name it: "cart.coupon (bool)", and
// where a span's or a log's field was found when it is not the item's own:
// "exception.type (string, event exception)".
func described(f catalog.Field) string {
	src, _ := catalog.ShapeSource(f.Source)
	return catalog.AttributeList([]schemaid.Attribute{{Key: f.Name, Type: f.Type, Source: src, Event: schemaid.MakeEventName(f.Event)}})
}

// propertyNames are the metric properties of a MetadataChange as reasons
// name them.
var propertyNames = map[string]string{
	"metric_type": "instrument", "unit": "unit", "temporality": "temporality", "monotonic": "monotonicity",
	"span_kind": "span kind", "by_scope": "grouping by scope",
}

// dataPointOnly returns s with the fields of its shape only: a metric's
// data point fields, a span's or a log's own and its event, link, body and
// severity fields (see catalog.InShape).
func dataPointOnly(s catalog.Schema) catalog.Schema {
	var fields []catalog.Field
	for _, f := range s.Fields {
		if catalog.InShape(f.Source) {
			fields = append(fields, f)
		}
	}
	s.Fields = fields
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

// ProposeVersion returns the version after base for a change of level: the
// next major, minor or patch version, its lower parts zero and without the
// base's pre-release and build parts. A proposed version in taken (the
// versions other schemas of the key hold or held) is passed over for the
// next one of the same level. It returns false when base is not a SemVer
// version or the level is unspecified.
func ProposeVersion(base string, level tallycatv1.ChangeLevel, taken map[string]bool) (string, bool) {
	core, _, _ := strings.Cut(base, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", false
	}
	var n [3]uint64
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return "", false
		}
		n[i] = v
	}
	var at int
	switch level {
	case tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR:
		at = 0
	case tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR:
		at = 1
	case tallycatv1.ChangeLevel_CHANGE_LEVEL_PATCH:
		at = 2
	default:
		return "", false
	}
	for i := at + 1; i < 3; i++ {
		n[i] = 0
	}
	for {
		n[at]++
		v := fmt.Sprintf("%d.%d.%d", n[0], n[1], n[2])
		if !taken[v] {
			return v, true
		}
	}
}
