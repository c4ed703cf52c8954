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
	Registries                      []string
	// JudgedAt is when the findings were last judged in full; zero before
	// the first judging ends.
	JudgedAt time.Time
}

// Summary sums up the last full judging. It counts findings as the API
// lists them, grouped across the schemas they concern (see Group), so that
// the counts are the rows a filter shows; a service counts a finding that
// concerns any of its schemas once.
func (x *Findings) Summary() Summary {
	x.mu.RLock()
	groups, keys, judged := x.groups, x.keys, x.judged
	x.mu.RUnlock()
	s := Summary{JudgedAt: judged}
	for _, src := range x.Judge.Registry.Sources() {
		s.Registries = append(s.Registries, src.Name)
	}
	for _, k := range keys {
		s.Metrics.Total++
		s.Attributes.Total += uint64(k.attributes)
		s.Attributes.Defined += uint64(k.definedAt)
		s.DataPoints.Total += k.dataPoints
		if k.defined {
			s.Metrics.Defined++
			s.DataPoints.Defined += k.dataPoints
		}
	}
	byFinding, byService := map[string]*FindingCount{}, map[string]*FindingCount{}
	for _, f := range groups {
		s.Total.add(f.Level)
		count(byFinding, f.ID).add(f.Level)
		seen := map[string]bool{}
		for _, p := range f.Producers {
			if !seen[p.ServiceName] {
				seen[p.ServiceName] = true
				count(byService, p.ServiceName).add(f.Level)
			}
		}
	}
	s.ByFinding, s.ByService = sorted(byFinding), sorted(byService)
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
