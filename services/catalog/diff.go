package catalog

import (
	"cmp"
	"slices"
	"strconv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Diff compares two schemas field by field and property by property.
//
// Fields are matched by name. A name in both schemas whose (source, type)
// pairs differ is a change; pairs left over on one side only are added or
// removed. So a key that moved from the resource to the data points is one
// change, not a removal and an addition.
func Diff(base, target *tallycatv1.Schema) *tallycatv1.DiffSchemasResponse {
	out := &tallycatv1.DiffSchemasResponse{Base: base, Target: target}
	byName := func(fields []*tallycatv1.Field) map[string][]*tallycatv1.Field {
		m := make(map[string][]*tallycatv1.Field)
		for _, f := range fields {
			m[f.GetName()] = append(m[f.GetName()], f)
		}
		return m
	}
	b, t := byName(base.GetFields()), byName(target.GetFields())
	names := make([]string, 0, len(b)+len(t))
	for n := range b {
		names = append(names, n)
	}
	for n := range t {
		if _, ok := b[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		onlyBase, onlyTarget := subtract(b[n], t[n]), subtract(t[n], b[n])
		for len(onlyBase) > 0 && len(onlyTarget) > 0 {
			out.Changed = append(out.Changed, &tallycatv1.FieldChange{Name: n, Base: onlyBase[0], Target: onlyTarget[0]})
			onlyBase, onlyTarget = onlyBase[1:], onlyTarget[1:]
		}
		out.Removed = append(out.Removed, onlyBase...)
		out.Added = append(out.Added, onlyTarget...)
	}

	prop := func(name, bv, tv string) {
		if bv != tv {
			out.MetadataChanges = append(out.MetadataChanges, &tallycatv1.MetadataChange{Property: name, Base: bv, Target: tv})
		}
	}
	prop("schema_key", base.GetSchemaKey(), target.GetSchemaKey())
	prop("metric_type", schemaid.MetricTypeToken(base.GetMetricType()), schemaid.MetricTypeToken(target.GetMetricType()))
	prop("unit", base.GetUnit(), target.GetUnit())
	temporality := func(s *tallycatv1.Schema) string {
		if !schemaid.HasTemporality(s.GetMetricType()) {
			return ""
		}
		return schemaid.TemporalityToken(s.GetTemporality())
	}
	prop("temporality", temporality(base), temporality(target))
	monotonic := func(s *tallycatv1.Schema) string {
		if !schemaid.HasMonotonic(s.GetMetricType()) {
			return ""
		}
		return strconv.FormatBool(s.GetMonotonic())
	}
	prop("monotonic", monotonic(base), monotonic(target))
	prop("description", base.GetDescription(), target.GetDescription())

	out.Identical = len(out.Added) == 0 && len(out.Removed) == 0 && len(out.Changed) == 0 && len(out.MetadataChanges) == 0
	return out
}

// subtract returns the fields of a whose (source, type) is not in b, sorted by
// source then type so that pairing is deterministic.
func subtract(a, b []*tallycatv1.Field) []*tallycatv1.Field {
	var out []*tallycatv1.Field
	for _, f := range a {
		if !slices.ContainsFunc(b, func(g *tallycatv1.Field) bool {
			return g.GetSource() == f.GetSource() && g.GetValueType() == f.GetValueType()
		}) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(x, y *tallycatv1.Field) int {
		return cmp.Or(cmp.Compare(x.GetSource(), y.GetSource()), cmp.Compare(x.GetValueType(), y.GetValueType()))
	})
	return out
}
