package consumers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promql"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// keyPage and judgingPage are how many keys a reading asks the store for
// at a time: pages of ListSchemaKeys' summaries, and of ListJudging's
// keys with their schemas, which are larger.
const (
	keyPage     = 1000
	judgingPage = 500
)

// makeReading reads the store and judges every stored consumer against
// every current metric schema. Without a stored consumer it reads no
// metric: the reading is empty, and not Synced.
func (s *Service) makeReading(ctx context.Context) (*Reading, error) {
	at := s.opts.Now()
	stored, err := s.store.ListConsumers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the stored consumers: %w", err)
	}
	if len(stored) == 0 {
		// Nothing reads anything, and nothing is known to be unused:
		// the catalog's metrics are not read for nothing.
		return &Reading{At: at, Stats: Stats{Levels: map[usage.Level]int{}}, memo: newBreakMemo()}, nil
	}
	metrics, self, err := s.readMetrics(ctx)
	if err != nil {
		return nil, err
	}
	s.parsed.rotate()
	checked := make([]consumers.Consumer, len(stored))
	for i, c := range stored {
		checked[i] = s.toChecked(c)
	}
	r := &Reading{At: at, Synced: true, checked: checked, metrics: metrics, self: self, memo: newBreakMemo()}
	r.Report = usage.Check(checked, metrics, usage.Options{Namespaces: s.opts.Namespaces})
	r.index(stored, checked)
	return r, nil
}

// readMetrics reads every metric key's current schemas with their fields'
// distinct counts, and its cost, as the check takes them; and the keys
// only TallyCat's own releases ever sent, as the store says
// (catalog.KeyFilter.ExcludeSelf leaves them out), so that a reading
// leaves out what every other list of the catalog leaves out.
func (s *Service) readMetrics(ctx context.Context) ([]usage.Metric, map[string]bool, error) {
	costs := map[string]usage.Cost{}
	err := s.eachKey(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Metric}, Window: Window}, func(k catalog.KeySummary) {
		costs[k.Key] = toUsageCost(k.Cost)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the metric keys' costs: %w", err)
	}
	notSelf := map[string]bool{}
	err = s.eachKey(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Metric}, ExcludeSelf: true}, func(k catalog.KeySummary) {
		notSelf[k.Key] = true
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the metric keys other releases than TallyCat's sent: %w", err)
	}
	fieldCosts, err := s.store.ReadFieldCosts(ctx, Window)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the fields' distinct counts: %w", err)
	}
	var metrics []usage.Metric
	self := map[string]bool{}
	for after := ""; ; {
		page, err := s.store.ListJudging(ctx, after, judgingPage)
		if err != nil {
			return nil, nil, fmt.Errorf("listing the current schemas after key %q: %w", after, err)
		}
		for _, k := range page {
			after = k.Key
			if !catalog.IsMetricKey(k.Key) || len(k.Schemas) == 0 {
				continue
			}
			m := usage.Metric{Key: k.Key, Cost: costs[k.Key]}
			for _, j := range k.Schemas {
				sc := j.Schema
				if err := fieldCosts.Apply(&sc); err != nil {
					return nil, nil, fmt.Errorf("the distinct counts of schema %s of %s: %w", sc.ID, catalog.DescribeKey(k.Key), err)
				}
				m.Schemas = append(m.Schemas, toUsageSchema(sc))
			}
			if !notSelf[k.Key] {
				self[k.Key] = true
			}
			metrics = append(metrics, m)
		}
		if len(page) < judgingPage {
			return metrics, self, nil
		}
	}
}

// eachKey calls fn with every key summary f selects, a page at a time.
func (s *Service) eachKey(ctx context.Context, f catalog.KeyFilter, fn func(catalog.KeySummary)) error {
	for offset := 0; ; {
		f.Offset, f.Limit = offset, keyPage
		keys, total, err := s.store.ListSchemaKeys(ctx, f)
		if err != nil {
			return err
		}
		for _, k := range keys {
			fn(k)
		}
		offset += len(keys)
		if len(keys) == 0 || int64(offset) >= total {
			return nil
		}
	}
}

func toUsageCost(c catalog.Cost) usage.Cost {
	return usage.Cost{Window: "last hour", Series: c.Series, DataPointsPerMinute: c.DataPointsPerMinute, MonthlyCost: c.Monthly}
}

// toUsageSchema keeps what names a metric schema's series and labels, and
// its figures when they were applied (Schema.Cost, Field.Distinct). A
// field of another source (none on a metric) has no label and is left out.
func toUsageSchema(s catalog.Schema) usage.Schema {
	out := usage.Schema{ID: s.ID, Unit: s.Unit, Instrument: usage.InstrumentOf(s.Type), Monotonic: s.Monotonic,
		Temporality: usage.TemporalityOf(s.Temporality)}
	if s.Cost != nil {
		out.Series = s.Cost.Series
	}
	for _, f := range s.Fields {
		src, ok := usage.SourceOf(f.Source)
		if !ok {
			continue
		}
		out.Fields = append(out.Fields, usage.Field{Key: f.Name, Source: src,
			Sometimes: f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES, SeenRatio: f.SeenRatio, Distinct: f.Distinct})
	}
	return out
}

// toChecked is a stored consumer as the check reads it, its queries
// parsed (from the cache when their expressions were parsed before).
func (s *Service) toChecked(c catalog.Consumer) consumers.Consumer {
	out := consumers.Consumer{ID: c.ID, Kind: consumers.Kind(c.Kind), Format: consumers.Format(c.Format), Source: c.Source, UID: c.UID,
		Title: c.Title, Folder: c.Folder, Skipped: c.Body.Skipped, Notes: c.Body.Notes}
	for _, q := range c.Body.Queries {
		p := s.parsed.get(q)
		raw := q.Raw
		if raw == "" {
			raw = q.Expr
		}
		out.Queries = append(out.Queries, consumers.Query{Panel: q.Panel, RefID: q.RefID, Path: q.Path, Line: q.Line,
			Datasource: q.Datasource, Raw: raw, Expr: q.Expr, GroupLabels: q.GroupLabels, Selectors: p.Selectors, Error: p.Error})
	}
	return out
}

// parsed is what parsing one expression (with its group labels) gave.
type parsed struct {
	Selectors []promql.Selector
	Error     string
}

// parseCache keeps parsed queries across readings: parsing thousands of
// queries for every reading is waste when a sync changes few. An entry not
// asked for during a whole reading is forgotten at the next, so that the
// cache holds what the stored consumers run, not every query ever synced.
// The selectors are shared by every query of that expression: read them,
// never change them.
type parseCache struct {
	mu        sync.Mutex
	cur, prev map[string]parsed
}

func newParseCache() *parseCache { return &parseCache{cur: map[string]parsed{}} }

// rotate starts a reading: what the last one did not ask for goes.
func (c *parseCache) rotate() {
	c.mu.Lock()
	c.prev, c.cur = c.cur, map[string]parsed{}
	c.mu.Unlock()
}

func (c *parseCache) get(q catalog.ConsumerQuery) parsed {
	key := q.Expr + "\x00" + strings.Join(q.GroupLabels, "\x00")
	c.mu.Lock()
	p, ok := c.cur[key]
	if !ok {
		p, ok = c.prev[key]
		if ok {
			c.cur[key] = p
		}
	}
	c.mu.Unlock()
	if ok {
		return p
	}
	cq := consumers.Query{Expr: q.Expr, GroupLabels: q.GroupLabels}
	cq.Analyze()
	p = parsed{Selectors: cq.Selectors, Error: cq.Error}
	c.mu.Lock()
	c.cur[key] = p
	c.mu.Unlock()
	return p
}

// index gives each stored consumer its queries' findings and keys and its
// counts, and counts the findings by level.
func (r *Reading) index(stored []catalog.Consumer, checked []consumers.Consumer) {
	r.consumerAt = make(map[string]int, len(stored))
	r.Consumers = make([]Consumer, len(stored))
	// queryAt finds a query by what a finding says of it; two alike in
	// one consumer are told apart by the order the check met them.
	type queryKey struct {
		consumer, panel, refID, path, expr string
		line                               int
	}
	queryAt := map[queryKey][]int{}
	for i, c := range stored {
		r.consumerAt[c.ID] = i
		out := Consumer{Consumer: c, Queries: make([]Query, len(c.Body.Queries))}
		for j, q := range c.Body.Queries {
			cq := checked[i].Queries[j]
			out.Queries[j] = Query{ConsumerQuery: q, Error: cq.Error}
			if cq.Error != "" {
				out.Unparsed++
			}
			k := queryKey{c.ID, cq.Panel, cq.RefID, cq.Path, cq.Raw, cq.Line}
			queryAt[k] = append(queryAt[k], j)
		}
		r.Consumers[i] = out
	}
	assigned := map[*usage.QueryRef]int{}
	r.Stats = Stats{Stats: r.Report.Stats, Levels: map[usage.Level]int{}}
	r.nearAt = map[string][]string{}
	for _, f := range r.Report.Findings {
		r.Stats.Levels[f.Level]++
		if f.Consumer == nil || f.Query == nil {
			continue
		}
		for _, n := range f.Near {
			if !slices.Contains(r.nearAt[n.Key], f.Consumer.ID) {
				r.nearAt[n.Key] = append(r.nearAt[n.Key], f.Consumer.ID)
			}
		}
		ci, ok := r.consumerAt[f.Consumer.ID]
		if !ok {
			continue
		}
		qi, ok := assigned[f.Query]
		if !ok {
			k := queryKey{f.Consumer.ID, f.Query.Panel, f.Query.RefID, f.Query.Path, f.Query.Expr, f.Query.Line}
			if len(queryAt[k]) == 0 {
				continue
			}
			qi, queryAt[k] = queryAt[k][0], queryAt[k][1:]
			assigned[f.Query] = qi
		}
		c := &r.Consumers[ci]
		q := &c.Queries[qi]
		if f.Level == usage.Violation && !hasViolation(q.Findings) {
			c.Broken++
		}
		q.Findings = append(q.Findings, f)
		switch f.Level {
		case usage.Violation:
			c.Violations++
		case usage.Improvement:
			c.Improvements++
		}
	}
	r.usedAt = make(map[string]int, len(r.Report.Used))
	for ui, u := range r.Report.Used {
		r.usedAt[u.Key] = ui
		for _, rd := range u.Readers {
			ci, ok := r.consumerAt[rd.Consumer.ID]
			if !ok {
				continue
			}
			c := &r.Consumers[ci]
			for qi := range c.Queries {
				q := &c.Queries[qi]
				if q.Panel == rd.Panel && q.RefID == rd.RefID && q.Path == rd.Path && q.Error == "" {
					q.Keys = append(q.Keys, u.Key)
				}
			}
		}
	}
}

func hasViolation(fs []usage.Finding) bool {
	for _, f := range fs {
		if f.Level == usage.Violation {
			return true
		}
	}
	return false
}
