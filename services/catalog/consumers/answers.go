package consumers

import (
	"cmp"
	"context"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
)

// ListConsumers returns a page of the consumers f selects, those with the
// most violations first, then the most improvements, then by title and
// id; how many it selects; and the reading's counts.
func (s *Service) ListConsumers(ctx context.Context, f ConsumerFilter) ([]Consumer, int, Stats, error) {
	r, err := s.Read(ctx)
	if err != nil {
		return nil, 0, Stats{}, err
	}
	query := strings.ToLower(f.Query)
	var out []Consumer
	for _, c := range r.Consumers {
		if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, c.Kind) {
			continue
		}
		if f.BrokenOnly && c.Broken == 0 && c.Unparsed == 0 {
			continue
		}
		if query != "" && !strings.Contains(strings.ToLower(c.Title), query) && !strings.Contains(strings.ToLower(c.Folder), query) &&
			!strings.Contains(strings.ToLower(c.Source), query) {
			continue
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Consumer) int {
		return cmp.Or(cmp.Compare(b.Violations, a.Violations), cmp.Compare(b.Improvements, a.Improvements),
			cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	st := r.stats(f.ExcludeSelf)
	st.Selection = selectionOf(out, func(c Consumer) []string { return []string{c.ID} })
	return pageOf(out, f.Offset, f.Limit), len(out), st, nil
}

// selectionOf digests what tells the members of a selection apart, in
// its order (Stats.Selection).
func selectionOf[T any](all []T, identity func(T) []string) uint64 {
	h := fnv.New64a()
	for _, v := range all {
		for _, part := range identity(v) {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	return h.Sum64()
}

// findingIdentity is what tells a finding apart from the others.
func findingIdentity(f usage.Finding) []string {
	out := []string{f.ID, f.Selector, f.Metric, f.Key, f.Label, f.Attribute}
	if f.Consumer != nil {
		out = append(out, f.Consumer.ID)
	}
	if q := f.Query; q != nil {
		out = append(out, q.Path, q.Panel, q.RefID, q.Expr, strconv.Itoa(q.Line))
	}
	return out
}

// stats are the reading's counts, without the metrics only TallyCat's own
// services sent when excludeSelf is set: a team counting what its
// dashboards read of what it sends does not count the catalog's own, nor
// the findings Findings leaves out on them.
func (r *Reading) stats(excludeSelf bool) Stats {
	if !excludeSelf || len(r.self) == 0 {
		return r.Stats
	}
	st := r.Stats
	st.Metrics -= len(r.self)
	for _, u := range r.Report.Used {
		if r.self[u.Key] {
			st.UsedMetrics--
		}
	}
	st.Levels = maps.Clone(r.Stats.Levels)
	for _, f := range r.Report.Findings {
		if isUnused(f.ID) && r.self[f.Key] {
			st.Levels[f.Level]--
		}
	}
	return st
}

// pageOf is the part of all from offset, at most limit long (all for 0).
func pageOf[T any](all []T, offset, limit int) []T {
	if offset >= len(all) {
		return nil
	}
	all = all[offset:]
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	return all
}

// Consumer returns one consumer with its queries, or ENOTFOUND.
func (s *Service) Consumer(ctx context.Context, id string) (Consumer, error) {
	r, err := s.Read(ctx)
	if err != nil {
		return Consumer{}, err
	}
	i, ok := r.consumerAt[id]
	if !ok {
		return Consumer{}, catalog.Errorf(catalog.ENOTFOUND, "no consumer is stored with id %q", id)
	}
	return r.Consumers[i], nil
}

// Findings returns a page of the findings f selects, most severe first,
// then dearest first (unused metrics and attributes by their key's cost),
// then by consumer title and query path; how many it selects; and the
// reading's counts.
func (s *Service) Findings(ctx context.Context, f FindingFilter) ([]usage.Finding, int, Stats, error) {
	r, err := s.Read(ctx)
	if err != nil {
		return nil, 0, Stats{}, err
	}
	var out []usage.Finding
	for _, fd := range r.Report.Findings {
		switch {
		case len(f.IDs) > 0 && !slices.Contains(f.IDs, fd.ID),
			f.MinLevel != 0 && fd.Level > f.MinLevel,
			f.ConsumerID != "" && (fd.Consumer == nil || fd.Consumer.ID != f.ConsumerID),
			f.Key != "" && fd.Key != f.Key,
			f.ExcludeSelf && isUnused(fd.ID) && r.self[fd.Key]:
			continue
		}
		out = append(out, fd)
	}
	sortFindings(out)
	st := r.stats(f.ExcludeSelf)
	st.Selection = selectionOf(out, findingIdentity)
	return pageOf(out, f.Offset, f.Limit), len(out), st, nil
}

func isUnused(id string) bool { return id == usage.UnusedMetric || id == usage.UnusedAttribute }

// sortFindings orders findings as people triage them: most severe first,
// then the dearest (a finding without a cost after those with one), then
// by consumer title and query path. Findings alike in all of these keep
// the check's order.
func sortFindings(fs []usage.Finding) {
	slices.SortStableFunc(fs, func(a, b usage.Finding) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), byCost(a.Cost, b.Cost),
			cmp.Compare(consumerTitle(a), consumerTitle(b)), cmp.Compare(queryPath(a), queryPath(b)))
	})
}

// byCost orders costs dearest first, by series then by data point rate;
// no cost comes last.
func byCost(a, b *usage.Cost) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Or(cmp.Compare(b.Series, a.Series), cmp.Compare(b.DataPointsPerMinute, a.DataPointsPerMinute))
}

func consumerTitle(f usage.Finding) string {
	if f.Consumer == nil {
		return ""
	}
	return f.Consumer.Title
}

func queryPath(f usage.Finding) string {
	if f.Query == nil {
		return ""
	}
	return f.Query.Path
}

// Usage says who reads key, a metric's name: each query that reads it
// with the attributes it names, each attribute named with how many
// queries name it, and the findings on the key (queries reading an
// attribute it lacks, unused_metric, unused_attribute). A key nobody
// reads, or that the catalog does not hold, has no readers.
func (s *Service) Usage(ctx context.Context, key string) (Usage, error) {
	r, err := s.Read(ctx)
	if err != nil {
		return Usage{}, err
	}
	out := Usage{Synced: r.Synced}
	if ui, ok := r.usedAt[key]; ok {
		u := r.Report.Used[ui]
		out.AllAttributes = u.AllAttributes
		named := map[string]int{}
		for i, rd := range u.Readers {
			use := u.ReaderUses[i]
			out.Readers = append(out.Readers, Reader{Reader: rd, Attributes: use.Attributes, AllAttributes: use.AllAttributes})
			for _, a := range use.Attributes {
				named[a]++
			}
		}
		for _, a := range u.Attributes {
			out.Attributes = append(out.Attributes, AttributeUse{AttributeUse: a, Readers: named[a.Attribute]})
		}
	}
	for _, f := range r.Report.Findings {
		if f.Key == key {
			out.Findings = append(out.Findings, f)
		}
	}
	sortFindings(out.Findings)
	return out, nil
}

// Unused returns what no consumer reads, dearest first, and what dropping
// it saves; or EFAILEDPRECONDITION while no consumer is stored, when
// everything would look unused. TallyCat's own metrics (those only its
// services ever sent) are left out: no dashboard reads them, yet dropping
// them blinds whoever runs the catalog, which no one asked for. It judges on a reading made for it, never
// on a kept one: what it returns is dropped by Collectors
// (collector-config --drop-unused), and a kept reading may predate a sync
// another replica made. It is asked rarely, so the reading's cost is
// paid rarely.
func (s *Service) Unused(ctx context.Context) (Unused, error) {
	r, err := s.readFresh(ctx)
	if err != nil {
		return Unused{}, err
	}
	if !r.Synced {
		return Unused{}, catalog.Errorf(catalog.EFAILEDPRECONDITION,
			"no dashboard or rule is stored, so everything would look unused: sync the consumers first (tallycat consumers sync)")
	}
	var out Unused
	for _, f := range r.Report.Findings {
		if r.self[f.Key] {
			continue
		}
		switch f.ID {
		case usage.UnusedMetric:
			out.Metrics = append(out.Metrics, f)
		case usage.UnusedAttribute:
			out.Attributes = append(out.Attributes, f)
		}
	}
	out.Types = metricTypes(r.metrics, out.Attributes)
	return out, nil
}

// metricTypes are the data types of the current schemas of each key an
// unused attribute is on, each once, in the order the reading met them.
func metricTypes(metrics []usage.Metric, attributes []usage.Finding) map[string][]tallycatv1.MetricType {
	keys := map[string]bool{}
	for _, f := range attributes {
		keys[f.Key] = true
	}
	types := map[string][]tallycatv1.MetricType{}
	for _, m := range metrics {
		if !keys[m.Key] {
			continue
		}
		for _, sc := range m.Schemas {
			t := usage.MetricTypeOf(sc.Instrument)
			if !slices.Contains(types[m.Key], t) {
				types[m.Key] = append(types[m.Key], t)
			}
		}
	}
	return types
}
