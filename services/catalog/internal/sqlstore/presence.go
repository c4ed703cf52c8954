package sqlstore

import (
	"cmp"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// Presence: how often a schema's fields were there. A data point field is
// always present when every data point of the schema carried it, and
// sometimes present otherwise, with the share of data points that did. A
// resource or scope field is judged over the schema's producer instances
// the same way: an attribute only some instances carry is sometimes present.

// DataPointFields returns a schema's shape fields (its union: a metric's
// data point fields, a span's or a log's own, event, link, body and
// severity fields, each under catalog.FieldSourceOf its source) with their
// presence worked out from its variants. Variants that carried no
// data points (a heartbeat can count none) are weighed by count of
// variants instead, so that a field is never "always" by default.
func DataPointFields(union []schemaid.Attribute, variants []catalog.Variant) []catalog.Field {
	var total uint64
	for _, v := range variants {
		total += v.DataPoints
	}
	out := make([]catalog.Field, 0, len(union))
	for _, a := range union {
		f := catalog.Field{Name: a.Key, Source: catalog.FieldSourceOf(a.Source), Event: a.Event.String(), Type: a.Type}
		var carried uint64
		withField := 0
		for _, v := range variants {
			if !slices.Contains(v.Attributes, a) {
				continue
			}
			withField++
			carried += v.DataPoints
			if f.FirstSeen.IsZero() || v.FirstSeen.Before(f.FirstSeen) {
				f.FirstSeen = v.FirstSeen
			}
			if v.LastSeen.After(f.LastSeen) {
				f.LastSeen = v.LastSeen
			}
		}
		switch {
		case len(variants) == 0:
		case total > 0:
			f.SeenRatio = float64(carried) / float64(total)
		default:
			f.SeenRatio = float64(withField) / float64(len(variants))
		}
		f.Presence = presenceOf(f.SeenRatio, len(variants) > 0)
		out = append(out, f)
	}
	return out
}

// FieldCount is how many of a schema's instances carried a resource or
// scope field, and when.
type FieldCount struct {
	Source              tallycatv1.FieldSource
	Name                string
	Type                tallycatv1.ValueType
	Instances           int
	FirstSeen, LastSeen time.Time
}

// InstanceFields returns resource and scope fields with their presence over
// a schema's instances.
func InstanceFields(counts []FieldCount, instances int) []catalog.Field {
	out := make([]catalog.Field, 0, len(counts))
	for _, c := range counts {
		f := catalog.Field{Name: c.Name, Source: c.Source, Type: c.Type, FirstSeen: c.FirstSeen, LastSeen: c.LastSeen}
		if instances > 0 {
			f.SeenRatio = min(1, float64(c.Instances)/float64(instances))
		}
		f.Presence = presenceOf(f.SeenRatio, instances > 0)
		out = append(out, f)
	}
	return out
}

func presenceOf(ratio float64, known bool) tallycatv1.FieldPresence {
	switch {
	case !known:
		return tallycatv1.FieldPresence_FIELD_PRESENCE_UNSPECIFIED
	case ratio >= 1:
		return tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS
	}
	return tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES
}

// SortFields orders fields by source, event, name and type, and flags the
// keys that one source (and event) holds with more than one type. It
// reports whether any did.
func SortFields(fields []catalog.Field) bool {
	slices.SortFunc(fields, func(a, b catalog.Field) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Event, b.Event), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type))
	})
	conflict := false
	for i := 1; i < len(fields); i++ {
		if fields[i].Source == fields[i-1].Source && fields[i].Event == fields[i-1].Event && fields[i].Name == fields[i-1].Name {
			fields[i].TypeConflict, fields[i-1].TypeConflict = true, true
			conflict = true
		}
	}
	return conflict
}
