package conformance

import (
	"cmp"
	"slices"
	"strings"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Coverage is how much of what is emitted the registries define.
type Coverage struct {
	Total, Defined uint64
}

// Ratio is Defined over Total, 0 when there is nothing.
func (c Coverage) Ratio() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Defined) / float64(c.Total)
}

// FindingCount counts findings by level under a name (a finding id or a
// service).
type FindingCount struct {
	Name                                  string
	Violations, Improvements, Information int
}

func (c *FindingCount) add(l tallycatv1.FindingLevel) {
	switch l {
	case tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION:
		c.Violations++
	case tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT:
		c.Improvements++
	default:
		c.Information++
	}
}

// Summary is the catalog's conformance at a glance.
type Summary struct {
	Metrics, Attributes, DataPoints Coverage
	Total                           FindingCount
	ByFinding, ByService            []FindingCount
	// ByKey counts the findings of each key SummaryFilter.Keys names that
	// has any, in that order, named by the stored key.
	ByKey      []FindingCount
	Registries []string
	// JudgedAt is when the findings were last judged in full; zero before
	// the first judging ends.
	JudgedAt time.Time
}

// SummaryFilter narrows a summary.
type SummaryFilter struct {
	// ExcludeSelf counts neither the metrics only TallyCat's own releases
	// produce nor what the findings say of them (see
	// FindingFilter.ExcludeSelf).
	ExcludeSelf bool
	// Keys are the stored keys ByKey counts the findings of: a page of a
	// list, which says how many each of its keys has.
	Keys []string
}

// Summary sums up the last full judging (SummaryOf, unfiltered).
func (x *Findings) Summary() Summary { return x.SummaryOf(SummaryFilter{}) }

// SummaryOf sums up the last full judging. It counts findings as the API
// lists them, grouped across the schemas they concern (see Group), so that
// the counts are the rows a filter shows; a service, and a key, counts a
// finding that concerns any of its schemas once.
func (x *Findings) SummaryOf(f SummaryFilter) Summary {
	x.mu.RLock()
	groups, keys, judged := x.groups, x.keys, x.judged
	x.mu.RUnlock()
	s := Summary{JudgedAt: judged}
	for _, src := range x.Judge.Registry.Sources() {
		s.Registries = append(s.Registries, src.Name)
	}
	for _, k := range keys {
		if f.ExcludeSelf && k.self {
			continue
		}
		s.Metrics.Total++
		s.Attributes.Total += uint64(k.attributes)
		s.Attributes.Defined += uint64(k.definedAt)
		s.DataPoints.Total += k.dataPoints
		if k.defined {
			s.Metrics.Defined++
			s.DataPoints.Defined += k.dataPoints
		}
	}
	byFinding, byService, byKey := map[string]*FindingCount{}, map[string]*FindingCount{}, map[string]*FindingCount{}
	asked := make(map[string]bool, len(f.Keys))
	for _, k := range f.Keys {
		asked[k] = true
	}
	narrowing := FindingFilter{ExcludeSelf: f.ExcludeSelf}
	for _, g := range groups {
		g, ok := narrowing.narrow(g)
		if !ok {
			continue
		}
		s.Total.add(g.Level)
		count(byFinding, g.ID).add(g.Level)
		if asked[g.SchemaKey] {
			count(byKey, g.SchemaKey).add(g.Level)
		}
		seen := map[string]bool{}
		for _, p := range g.Producers {
			if !seen[p.ServiceName] {
				seen[p.ServiceName] = true
				count(byService, p.ServiceName).add(g.Level)
			}
		}
	}
	s.ByFinding, s.ByService = sorted(byFinding), sorted(byService)
	for _, k := range f.Keys {
		if c := byKey[k]; c != nil {
			s.ByKey = append(s.ByKey, *c)
			delete(byKey, k) // a key asked for twice is counted once
		}
	}
	return s
}

func count(m map[string]*FindingCount, name string) *FindingCount {
	if m[name] == nil {
		m[name] = &FindingCount{Name: name}
	}
	return m[name]
}

// sorted lists counts, the most violations first, then improvements, then
// by name.
func sorted(m map[string]*FindingCount) []FindingCount {
	out := make([]FindingCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b FindingCount) int {
		return cmp.Or(cmp.Compare(b.Violations, a.Violations), cmp.Compare(b.Improvements, a.Improvements),
			cmp.Compare(b.Information, a.Information), strings.Compare(a.Name, b.Name))
	})
	return out
}
