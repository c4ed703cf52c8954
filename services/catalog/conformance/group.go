package conformance

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// Group is a finding as people read it: the findings that say the same of
// one key (the same id, level, attribute, expected and actual sides,
// replacement and message) on each of the schemas they concern, once. A
// metric sent by five releases with the same missing attribute is one
// finding naming five producers, not five.
//
// Judging stays per schema (a schema's findings are what it is judged by,
// what is announced when new, what the Collector configuration reads);
// grouping is how they are read, in this package rather than in each
// client, so that the UI, the CLI and the summary's counts agree and a
// page of findings is a page of what people read.
type Group struct {
	// Finding is the first schema's finding (by schema id), with the
	// producers of every schema, each once, the earliest FirstSeen and
	// every example.
	Finding
	// Schemas are the schemas the finding concerns, in schema id order.
	Schemas []Concern
}

// Concern is one schema a grouped finding concerns, with the releases
// producing it.
type Concern struct {
	SchemaID  string
	Producers []catalog.ReleaseIdentity
	FirstSeen time.Time
}

// groupKey is what findings share to be one.
type groupKey struct {
	id, key, attribute, expected, actual, replacement, message string
	level                                                      int32
}

// groupFindings groups findings sorted as sortFindings sorts them (so each
// group's schemas come in schema id order), and sorts the groups most
// severe first, then by key, id, attribute and sides. It runs at every
// judging, over every finding (400,000 in the benchmark catalog), so it
// allocates per group, not per finding: the concerns of every group share
// one array.
func groupFindings(all []Finding) []Group {
	index := make(map[groupKey]int32, len(all)/4)
	of := make([]int32, len(all)) // the group of each finding
	var first []int32             // the first finding of each group
	for i, f := range all {
		k := groupKey{f.ID, f.SchemaKey, f.Attribute, f.Expected, f.Actual, f.Replacement, f.Message, int32(f.Level)}
		g, seen := index[k]
		if !seen {
			g = int32(len(first))
			index[k], first = g, append(first, int32(i))
		}
		of[i] = g
	}
	// Each group's concerns, in finding order, side by side in one array:
	// starts[g] is where group g's begin, and members the finding of each.
	starts := make([]int, len(first)+1)
	for _, g := range of {
		starts[g+1]++
	}
	for g := range first {
		starts[g+1] += starts[g]
	}
	concerns, members := make([]Concern, len(all)), make([]int32, len(all))
	filled := slices.Clone(starts[:len(first)])
	for i, f := range all {
		at := filled[of[i]]
		concerns[at], members[at] = Concern{SchemaID: f.SchemaID, Producers: f.Producers, FirstSeen: f.FirstSeen}, int32(i)
		filled[of[i]]++
	}
	// Sorted as indices, not as groups: a Group is 30 words to move.
	order := make([]int32, len(first))
	for g := range order {
		order[g] = int32(g)
	}
	slices.SortFunc(order, func(x, y int32) int {
		a, b := &all[first[x]], &all[first[y]]
		return cmp.Or(cmp.Compare(a.Level, b.Level), strings.Compare(a.SchemaKey, b.SchemaKey), strings.Compare(a.ID, b.ID),
			strings.Compare(a.Attribute, b.Attribute), strings.Compare(a.Expected, b.Expected), strings.Compare(a.Actual, b.Actual),
			strings.Compare(a.Replacement, b.Replacement), strings.Compare(a.Message, b.Message))
	})
	out := make([]Group, len(first))
	for k, g := range order {
		i, from, to := first[g], starts[g], starts[g+1]
		out[k] = Group{Finding: all[i], Schemas: concerns[from:to:to]}
		if to-from > 1 {
			n := 0
			for _, c := range out[k].Schemas {
				n += len(c.Producers)
			}
			// absorb appends to them: they must not be the finding's
			out[k].Producers, out[k].Examples = append(make([]catalog.ReleaseIdentity, 0, n), all[i].Producers...), slices.Clone(all[i].Examples)
			for at := from + 1; at < to; at++ {
				out[k].absorb(concerns[at], all[members[at]].Examples)
			}
		}
	}
	return out
}

// Groups returns the findings that pass the filter grouped across the
// schemas they concern (see Group), a page of them, and how many groups
// pass in all: what the API lists. A group names the schemas the filter
// selects (see narrow). A filter naming a metric or a schema judges that
// metric afresh first.
func (x *Findings) Groups(ctx context.Context, f FindingFilter) ([]Group, int, error) {
	_, pool, err := x.pool(ctx, f, true)
	if err != nil {
		return nil, 0, err
	}
	var out []Group
	for _, g := range pool {
		if g, ok := f.narrow(g); ok {
			out = append(out, g)
		}
	}
	return page(out, f)
}

// absorb adds a concern's producers (each once), first seen and examples
// to the group's.
func (g *Group) absorb(c Concern, examples []string) {
	for _, p := range c.Producers {
		if !slices.Contains(g.Producers, p) {
			g.Producers = append(g.Producers, p)
		}
	}
	if !c.FirstSeen.IsZero() && (g.FirstSeen.IsZero() || c.FirstSeen.Before(g.FirstSeen)) {
		g.FirstSeen = c.FirstSeen
	}
	for _, e := range examples {
		if !slices.Contains(g.Examples, e) {
			g.Examples = append(g.Examples, e)
		}
	}
}

// narrow keeps the schemas of a group that a filter's schema id and
// service select, and whether any is left; the filter's other fields are
// the same for every schema of a group (see pass). Filtering then
// grouping and grouping then narrowing are the same: a schema's page
// lists its own findings, a service's the ones on its schemas. Leaving
// TallyCat's own out (ExcludeSelf) leaves its releases out of each
// schema's, and the schemas only they produce.
func (f FindingFilter) narrow(g Group) (Group, bool) {
	same := f
	same.SchemaID, same.ServiceName, same.ExcludeSelf = "", "", false
	if !same.pass(g.Finding) {
		return g, false
	}
	if f.SchemaID == "" && f.ServiceName == "" && !f.ExcludeSelf {
		return g, true
	}
	var kept []Concern
	changed := false
	for _, c := range g.Schemas {
		if f.ExcludeSelf && slices.ContainsFunc(c.Producers, catalog.ReleaseIdentity.IsSelf) {
			if onlySelf(c.Producers) {
				changed = true
				continue
			}
			c.Producers = slices.DeleteFunc(slices.Clone(c.Producers), catalog.ReleaseIdentity.IsSelf)
			changed = true
		}
		if (f.SchemaID == "" || c.SchemaID == f.SchemaID) &&
			(f.ServiceName == "" || slices.ContainsFunc(c.Producers, func(r catalog.ReleaseIdentity) bool { return r.ServiceName == f.ServiceName })) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return g, false
	}
	if len(kept) == len(g.Schemas) && !changed {
		return g, true
	}
	n := Group{Finding: g.Finding, Schemas: kept}
	n.SchemaID, n.Producers, n.FirstSeen = kept[0].SchemaID, slices.Clone(kept[0].Producers), kept[0].FirstSeen
	for _, c := range kept[1:] {
		n.absorb(c, nil)
	}
	return n, true
}

// titles are the findings' names in plain words, for people: the id stays
// what filters, configuration and ignore rules use.
var titles = map[string]string{
	FindingMissingMetric:           "Metric not in the registries",
	FindingMissingEvent:            "Event not in the registries",
	FindingMissingAttribute:        "Attribute not in the registries",
	FindingTemplateAttribute:       "Attribute under a template",
	FindingUnitMismatch:            "Unit differs from the conventions",
	FindingUnexpectedInstrument:    "Instrument differs from the conventions",
	FindingTypeMismatch:            "Value type differs from the conventions",
	FindingDeprecated:              "Deprecated name in use",
	FindingNotStable:               "Not stable yet",
	FindingUndefinedEnumVariant:    "Value not among the allowed ones",
	FindingRequiredNotPresent:      "Required attribute missing",
	FindingRecommendedNotPresent:   "Recommended attribute not sent",
	FindingConditionallyNotPresent: "Conditionally required attribute not sent",
	FindingOptInNotPresent:         "Opt-in attribute not sent",
	FindingUnitConflict:            "Producers disagree on the unit",
	FindingInstrumentConflict:      "Producers disagree on the instrument",
	FindingTypeConflict:            "Attribute sent with two value types",
	FindingHighCardinality:         "Too many distinct values",
	FindingTemporalityMismatch:     "Temporality differs from the conventions",
	FindingSpanNameLimit:           "Too many span names",
	FindingPolicyViolation:         "Breaks a team policy",
}

// Title names a finding id in plain words ("Required attribute missing"),
// the same in the UI and the CLI; an id it does not know is written as
// words.
func Title(id string) string {
	if t, ok := titles[id]; ok {
		return t
	}
	t := strings.ReplaceAll(id, "_", " ")
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}
