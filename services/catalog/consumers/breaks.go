package consumers

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
)

// Breaks returns the queries of the stored consumers that a change of a
// metric key's schema from base to target breaks: those reading a name
// base gives and target does not, or an attribute base has and target
// lacks. A query already broken under base is not broken by the change.
//
// The consumers that read base's key in the current reading, and those
// that read a name of it no current schema gives (a consumer_missing_metric
// near the key: a dashboard still on `_milliseconds` once no schema in ms
// is current), are checked twice, once with the key's metric made of base
// alone and once of target alone, the other keys their queries read as the
// reading has them (so that their other selectors resolve alike both
// times); a break is a violation (consumer_missing_metric or
// consumer_missing_attribute) the check finds under target and not under
// base, for the same consumer, query, selector, finding id and label.
// Only those consumers and keys are checked, not the whole catalog, and
// each change is checked once per reading. It needs no sync: without
// consumers, or on a key that is not a metric's, nothing breaks.
func (s *Service) Breaks(ctx context.Context, base, target catalog.Schema) ([]catalog.ConsumerBreak, error) {
	key := base.Key
	if key == "" || !catalog.IsMetricKey(key) {
		return nil, nil
	}
	r, err := s.Read(ctx)
	if err != nil || !r.Synced {
		return nil, err
	}
	var readers []int
	seen := map[string]bool{}
	add := func(id string) {
		if ci, ok := r.consumerAt[id]; ok && !seen[id] {
			seen[id] = true
			readers = append(readers, ci)
		}
	}
	if ui, ok := r.usedAt[key]; ok {
		for _, rd := range r.Report.Used[ui].Readers {
			add(rd.Consumer.ID)
		}
	}
	for _, id := range r.nearAt[key] {
		add(id)
	}
	if len(readers) == 0 {
		return nil, nil
	}
	memoKey := breakMemoKey(base, target)
	if bs, ok := r.memo.get(memoKey); ok {
		return bs, nil
	}
	opts := usage.Options{Namespaces: s.opts.Namespaces}
	checked, metrics := r.readMetrics(key, readers)
	before := usage.Check(checked, withSchema(metrics, key, base), opts)
	after := usage.Check(checked, withSchema(metrics, key, target), opts)
	had := map[string]bool{}
	for _, f := range before.Findings {
		if breaks(f) {
			had[breakKey(f)] = true
		}
	}
	var out []catalog.ConsumerBreak
	for _, f := range after.Findings {
		if !breaks(f) || had[breakKey(f)] {
			continue
		}
		had[breakKey(f)] = true
		out = append(out, toBreak(f))
	}
	slices.SortStableFunc(out, func(a, b catalog.ConsumerBreak) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.ConsumerID, b.ConsumerID), cmp.Compare(a.Path, b.Path))
	})
	r.memo.put(memoKey, out)
	return slices.Clone(out), nil
}

// readMetrics are the reading's metrics the consumers at readers (indexes
// into Consumers) may read besides key: the keys their queries read now.
// A check of those consumers alone resolves their selectors against
// these exactly as against every metric, but for target_info, whose
// labels are every metric's resource attributes: a consumer reading it
// takes every metric.
func (r *Reading) readMetrics(key string, readers []int) ([]consumers.Consumer, []usage.Metric) {
	cs := make([]consumers.Consumer, len(readers))
	keys := map[string]bool{key: true}
	all := false
	for i, ci := range readers {
		cs[i] = r.checked[ci]
		for qi, q := range r.Consumers[ci].Queries {
			for _, k := range q.Keys {
				keys[k] = true
			}
			for _, sel := range cs[i].Queries[qi].Selectors {
				all = all || sel.Name == promnames.TargetInfo
			}
		}
	}
	if all {
		return cs, r.metrics
	}
	var out []usage.Metric
	for _, m := range r.metrics {
		if keys[m.Key] {
			out = append(out, m)
		}
	}
	return cs, out
}

// withSchema is metrics with key's made of sc alone; its cost is kept.
func withSchema(metrics []usage.Metric, key string, sc catalog.Schema) []usage.Metric {
	out := make([]usage.Metric, 0, len(metrics)+1)
	found := false
	for _, m := range metrics {
		if m.Key == key {
			found = true
			m.Schemas = []usage.Schema{toUsageSchema(sc)}
		}
		out = append(out, m)
	}
	if !found {
		out = append(out, usage.Metric{Key: key, Schemas: []usage.Schema{toUsageSchema(sc)}})
	}
	return out
}

// breaks reports whether a finding is one a change can break a query
// with: a name or an attribute not there, at violation level.
func breaks(f usage.Finding) bool {
	return f.Level == usage.Violation && f.Consumer != nil && f.Query != nil &&
		(f.ID == usage.ConsumerMissingMetric || f.ID == usage.ConsumerMissingAttribute)
}

func breakKey(f usage.Finding) string {
	return strings.Join([]string{f.Consumer.ID, f.Query.Path, f.Query.Panel, f.Query.RefID, f.Selector, f.ID, f.Label}, "\x00")
}

func toBreak(f usage.Finding) catalog.ConsumerBreak {
	return catalog.ConsumerBreak{
		ConsumerID: f.Consumer.ID, Kind: string(f.Consumer.Kind), Title: f.Consumer.Title, Folder: f.Consumer.Folder,
		Source: f.Consumer.Source, UID: f.Consumer.UID,
		Panel: f.Query.Panel, RefID: f.Query.RefID, Path: f.Query.Path, Line: f.Query.Line, Expr: f.Query.Expr,
		FindingID: f.ID, Message: f.Message, Metric: f.Metric, Label: f.Label, Uses: f.Uses,
	}
}

// breakMemo keeps what Breaks answered on one reading, by the change: a
// proposal page and a timeline page ask again for the same changes within
// the reading's life. It is safe for concurrent use.
type breakMemo struct {
	mu sync.Mutex
	m  map[string][]catalog.ConsumerBreak
}

func newBreakMemo() *breakMemo { return &breakMemo{m: map[string][]catalog.ConsumerBreak{}} }

func (b *breakMemo) get(key string) ([]catalog.ConsumerBreak, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, ok := b.m[key]
	return slices.Clone(bs), ok
}

func (b *breakMemo) put(key string, bs []catalog.ConsumerBreak) {
	b.mu.Lock()
	b.m[key] = bs
	b.mu.Unlock()
}

// breakMemoKey identifies a change by its schemas' ids and what the check
// reads of them: a schema id names its content, but a caller may hand a
// schema it changed (a test, a what-if), which must not be answered with
// another's breaks.
func breakMemoKey(base, target catalog.Schema) string {
	b, _ := json.Marshal([2]usage.Schema{toUsageSchema(base), toUsageSchema(target)})
	return base.ID + "\x00" + target.ID + "\x00" + string(b)
}
