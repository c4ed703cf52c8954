package consumers

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/internal/consumers"
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
// is current), are checked twice, once with the key's metric made of base alone and once of target
// alone, the other keys' metrics as the reading has them (so that their
// other selectors resolve alike both times); a break is a violation
// (consumer_missing_metric or consumer_missing_attribute) the check finds
// under target and not under base, for the same consumer, query, selector,
// finding id and label. It needs no sync: without consumers, or on a key
// that is not a metric's, nothing breaks.
func (s *Service) Breaks(ctx context.Context, base, target catalog.Schema) ([]catalog.ConsumerBreak, error) {
	key := base.Key
	if key == "" || !catalog.IsMetricKey(key) {
		return nil, nil
	}
	r, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	var readers []consumers.Consumer
	seen := map[string]bool{}
	add := func(id string) {
		if ci, ok := r.consumerAt[id]; ok && !seen[id] {
			seen[id] = true
			readers = append(readers, r.checked[ci])
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
	opts := usage.Options{Namespaces: s.opts.Namespaces}
	before := usage.Check(readers, r.withSchema(key, base), opts)
	after := usage.Check(readers, r.withSchema(key, target), opts)
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
	return out, nil
}

// withSchema is the reading's metrics with key's made of sc alone; its
// cost is kept.
func (r *Reading) withSchema(key string, sc catalog.Schema) []usage.Metric {
	out := make([]usage.Metric, 0, len(r.metrics)+1)
	found := false
	for _, m := range r.metrics {
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
