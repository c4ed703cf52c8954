package catalog

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/tallycat/tallycat/internal/schemaid"
)

// Diff compares two schemas field by field and property by property.
//
// Fields are matched by name (and, for a span's event attributes, by the
// event's name too). A name in both schemas whose (source, type) pairs
// differ is a change; pairs left over on one side only are added or
// removed. So a key that moved from the resource to the data points is one
// change, not a removal and an addition. Properties compare what people
// read: names, not stored keys, and a span's kind and grouping.
func Diff(base, target Schema) *SchemaDiff {
	out := &SchemaDiff{Base: base, Target: target}
	type fieldName struct{ name, event string }
	byName := func(fields []Field) map[fieldName][]Field {
		m := make(map[fieldName][]Field)
		for _, f := range fields {
			n := fieldName{f.Name, f.Event}
			m[n] = append(m[n], f)
		}
		return m
	}
	b, t := byName(base.Fields), byName(target.Fields)
	names := make([]fieldName, 0, len(b)+len(t))
	for n := range b {
		names = append(names, n)
	}
	for n := range t {
		if _, ok := b[n]; !ok {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(x, y fieldName) int { return cmp.Or(cmp.Compare(x.name, y.name), cmp.Compare(x.event, y.event)) })
	for _, n := range names {
		onlyBase, onlyTarget := subtract(b[n], t[n]), subtract(t[n], b[n])
		for len(onlyBase) > 0 && len(onlyTarget) > 0 {
			out.Changed = append(out.Changed, FieldChange{Name: n.name, Base: onlyBase[0], Target: onlyTarget[0]})
			onlyBase, onlyTarget = onlyBase[1:], onlyTarget[1:]
		}
		out.Removed = append(out.Removed, onlyBase...)
		out.Added = append(out.Added, onlyTarget...)
	}

	prop := func(name, bv, tv string) {
		if bv != tv {
			out.MetadataChanges = append(out.MetadataChanges, MetadataChange{Property: name, Base: bv, Target: tv})
		}
	}
	baseSignal, baseName := ParseStoredKey(base.Key)
	targetSignal, targetName := ParseStoredKey(target.Key)
	prop("schema_key", baseName, targetName)
	prop("signal", baseSignal.String(), targetSignal.String())
	spanKind := func(s Schema) string {
		if sig, _ := ParseStoredKey(s.Key); sig != schemaid.Span {
			return ""
		}
		return schemaid.SpanKindToken(s.SpanKind)
	}
	prop("span_kind", spanKind(base), spanKind(target))
	prop("by_scope", strconv.FormatBool(base.ByScope), strconv.FormatBool(target.ByScope))
	prop("metric_type", schemaid.MetricTypeToken(base.Type), schemaid.MetricTypeToken(target.Type))
	prop("unit", base.Unit, target.Unit)
	temporality := func(s Schema) string {
		if !schemaid.HasTemporality(s.Type) {
			return ""
		}
		return schemaid.TemporalityToken(s.Temporality)
	}
	prop("temporality", temporality(base), temporality(target))
	monotonic := func(s Schema) string {
		if !schemaid.HasMonotonic(s.Type) {
			return ""
		}
		return strconv.FormatBool(s.Monotonic)
	}
	prop("monotonic", monotonic(base), monotonic(target))
	prop("description", base.Description, target.Description)

	out.Identical = len(out.Added) == 0 && len(out.Removed) == 0 && len(out.Changed) == 0 && len(out.MetadataChanges) == 0
	return out
}

// subtract returns the fields of a whose (source, type) is not in b, sorted by
// source then type so that pairing is deterministic.
func subtract(a, b []Field) []Field {
	var out []Field
	for _, f := range a {
		if !slices.ContainsFunc(b, func(g Field) bool {
			return g.Source == f.Source && g.Type == f.Type
		}) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(x, y Field) int {
		return cmp.Or(cmp.Compare(x.Source, y.Source), cmp.Compare(x.Type, y.Type))
	})
	return out
}

// SchemaDiff is what Diff found.
type SchemaDiff struct {
	Base, Target Schema
	// Added holds fields only the target has; Removed those only the base
	// has.
	Added, Removed  []Field
	Changed         []FieldChange
	MetadataChanges []MetadataChange
	Identical       bool
}

// FieldChange is a field name in both schemas whose type or source differs.
type FieldChange struct {
	Name         string
	Base, Target Field
}

// MetadataChange is a property that differs between the schemas: a
// metric's (type, unit, temporality, monotonicity), a span's (kind,
// grouping by scope), the key's name or signal, or the description.
type MetadataChange struct {
	Property, Base, Target string
}
