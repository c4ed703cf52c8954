package sqlstore

import (
	"cmp"
	"slices"
	"time"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// A schema's figures (data points, instances, releases, presence, variants)
// count the streams that produce it now: a release that moved on to a
// larger schema takes its history with it (a move carries it over), so a
// schema another release still produces shows only that release's data.
// A superseded schema, which no stream produces any more, shows its
// history as it was. Counting so makes the figures independent of how
// exports were batched: a release that passed through a schema on its way
// to its union leaves no trace in that schema's figures while it is
// current.

// SchemaStream is one stream's row on a schema, as a store reads it.
type SchemaStream struct {
	StreamID     string
	Release      catalog.ReleaseIdentity
	Description  string
	SupersededBy string
	DataPoints   uint64
	LastSeen     time.Time
	// Errors counts a span stream's spans with status error.
	Errors uint64
}

// VariantRow is a variant as one stream sent it on a schema.
type VariantRow struct {
	StreamID string
	catalog.Variant
}

// InstanceRow is an instance's entry on a schema, with the resource and
// scope fields it carried.
type InstanceRow struct {
	ProducerID          string
	Release             catalog.ReleaseIdentity
	FirstSeen, LastSeen time.Time
	Fields              []catalog.PairField
}

// SchemaFacts is what a store reads of a schema for the catalog to work
// out its figures.
type SchemaFacts struct {
	Union     []schemaid.Attribute
	Streams   []SchemaStream
	Variants  []VariantRow
	Instances []InstanceRow
}

// Apply fills sc's figures from the facts and returns its counted
// variants, most data points first.
func (f *SchemaFacts) Apply(sc *catalog.Schema) []catalog.Variant {
	current := map[catalog.ReleaseIdentity]bool{}
	for _, s := range f.Streams {
		if s.SupersededBy == "" {
			current[s.Release] = true
		} else if !slices.Contains(sc.SupersededBy, s.SupersededBy) {
			sc.SupersededBy = append(sc.SupersededBy, s.SupersededBy)
		}
	}
	slices.Sort(sc.SupersededBy)
	sc.ReleaseCount = len(current)
	sc.Superseded = len(current) == 0

	counted := map[string]bool{}
	releases := map[catalog.ReleaseIdentity]bool{}
	descriptions := map[string]bool{}
	sc.DataPoints, sc.Errors = 0, 0
	for _, s := range Counted(f.Streams) {
		counted[s.StreamID], releases[s.Release] = true, true
		sc.DataPoints += s.DataPoints
		sc.Errors += s.Errors
		if s.Description != "" {
			descriptions[s.Description] = true
		}
	}
	sc.DescriptionConflict = len(descriptions) > 1

	index := map[string]int{} // variant id → position in variants
	var variants []catalog.Variant
	for _, r := range f.Variants {
		if !counted[r.StreamID] {
			continue
		}
		i, ok := index[r.ID]
		if !ok {
			i = len(variants)
			index[r.ID] = i
			variants = append(variants, catalog.Variant{ID: r.ID, Attributes: r.Attributes, FirstSeen: r.FirstSeen})
		}
		v := &variants[i]
		v.DataPoints += r.DataPoints
		if r.FirstSeen.Before(v.FirstSeen) {
			v.FirstSeen = r.FirstSeen
		}
		if r.LastSeen.After(v.LastSeen) {
			v.LastSeen = r.LastSeen
		}
	}
	slices.SortFunc(variants, func(a, b catalog.Variant) int {
		return cmp.Or(cmp.Compare(b.DataPoints, a.DataPoints), cmp.Compare(a.ID, b.ID))
	})

	var instances []InstanceRow
	for _, in := range f.Instances {
		if releases[in.Release] {
			instances = append(instances, in)
		}
	}
	sc.ProducerCount = len(instances)
	fields := DataPointFields(schemaid.NormalizeAttributes(f.Union), variants)
	fields = append(fields, InstanceFields(countInstanceFields(instances), len(instances))...)
	sc.TypeConflict = SortFields(fields)
	sc.Fields = fields
	return variants
}

// countInstanceFields counts, for each resource and scope field, the
// instances that carried it and the span in which they were seen.
func countInstanceFields(instances []InstanceRow) []FieldCount {
	byField := map[catalog.PairField]*FieldCount{}
	var order []catalog.PairField
	for _, in := range instances {
		for _, f := range in.Fields {
			c := byField[f]
			if c == nil {
				c = &FieldCount{Source: f.Source, Name: f.Name, Type: f.Type, FirstSeen: in.FirstSeen}
				byField[f] = c
				order = append(order, f)
			}
			c.Instances++
			if in.FirstSeen.Before(c.FirstSeen) {
				c.FirstSeen = in.FirstSeen
			}
			if in.LastSeen.After(c.LastSeen) {
				c.LastSeen = in.LastSeen
			}
		}
	}
	out := make([]FieldCount, len(order))
	for i, f := range order {
		out[i] = *byField[f]
	}
	return out
}

// ReleaseFigures is what a schema's streams say of one of its releases.
type ReleaseFigures struct {
	// SupersededBy is the schema the release moved to: empty while any
	// of its streams is current on this schema.
	SupersededBy string
	// DataPoints counts its current streams while it has any, else all
	// of them (its history here), as the schema's own figures do.
	DataPoints uint64
}

// Releases works out each release's figures from a schema's streams. (A
// release's instance entries on a schema are kept per instance, not per
// stream, so they cannot say how many points each stream brought.)
func Releases(streams []SchemaStream) map[catalog.ReleaseIdentity]ReleaseFigures {
	out := map[catalog.ReleaseIdentity]ReleaseFigures{}
	for r, ss := range byRelease(streams) {
		var f ReleaseFigures
		var latest time.Time
		for _, s := range Counted(ss) {
			f.DataPoints += s.DataPoints
			if s.SupersededBy != "" && (f.SupersededBy == "" || s.LastSeen.After(latest)) {
				f.SupersededBy, latest = s.SupersededBy, s.LastSeen
			}
		}
		out[r] = f
	}
	return out
}

// Counted is which streams a figure counts, of a schema's or of one
// release's streams on a schema: the current ones while there are any, else
// all of them (the history of what is superseded). Every figure of a schema
// (counts, presence, variants, cost) and of its releases follows it.
func Counted(streams []SchemaStream) []SchemaStream {
	var current []SchemaStream
	for _, s := range streams {
		if s.SupersededBy == "" {
			current = append(current, s)
		}
	}
	if len(current) > 0 {
		return current
	}
	return streams
}

// byRelease groups streams by their release.
func byRelease(streams []SchemaStream) map[catalog.ReleaseIdentity][]SchemaStream {
	out := map[catalog.ReleaseIdentity][]SchemaStream{}
	for _, s := range streams {
		out[s.Release] = append(out[s.Release], s)
	}
	return out
}
