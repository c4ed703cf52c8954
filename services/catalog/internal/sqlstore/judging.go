package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Reading for a full judging: what Judge.Key needs of every metric key, in
// bulk. A store lists the current schemas of a page of keys at a time
// (ListJudging), working their figures out with SchemaFacts.Apply as it
// does for ListSchemas and their releases with CurrentReleases; the fields'
// cost figures come from one read of every active stream's cost rows
// (ReadFieldCosts), merged per stream as they are read, and are applied
// schema by schema with FieldCosts.Apply, which fills them as GetSchema
// does (setFieldCost).

// CurrentReleases are the releases producing a schema now (those of its
// instances that have not moved on from it; see Releases), the most
// recently seen first, then by name: the current releases of GetSchema,
// in its order.
func CurrentReleases(f *SchemaFacts) []catalog.ReleaseIdentity {
	last := map[catalog.ReleaseIdentity]time.Time{}
	for _, in := range f.Instances {
		if t, ok := last[in.Release]; !ok || in.LastSeen.After(t) {
			last[in.Release] = in.LastSeen
		}
	}
	figures := Releases(f.Streams)
	var out []catalog.ReleaseIdentity
	for r := range last {
		if figures[r].SupersededBy == "" {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b catalog.ReleaseIdentity) int {
		return cmp.Or(last[b].Compare(last[a]), cmp.Compare(a.String(), b.String()))
	})
	return out
}

// FieldCosts is what a store returns from ReadFieldCosts.
var _ catalog.FieldCosts = (*FieldCosts)(nil)

// FieldCosts are the cost figures of the fields of the current schemas
// that had data in a window, merged stream by stream while a store reads
// the rows (Add): what it holds grows with the active streams' fields, not
// with their rows (a day is 144 ten-minute buckets of each field). Its
// zero value (or nil) knows of no rows: every field gets the figures of a
// field that sent none.
type FieldCosts struct {
	q       CostQuery
	span    time.Duration
	streams map[string][]SchemaStream // schema → its stream rows
	fields  map[streamField]*streamFigures
	series  map[string]*streamSeries // stream → its series in the window
}

// streamSeries is one stream's series rows in the window, merged as they
// come: the union of their series, their data points and when they saw
// data, which is what cardinality.Window makes of them (the rate runs from
// the first data point to the last).
type streamSeries struct {
	distinct cardinality.Distinct
	points   uint64
	bytes    uint64 // a log stream's records' bytes
	seen     seenSpan
}

// seenSpan is when a stream's buckets in a window saw data, merged as
// cardinality.Window reads it: its rate runs from the earliest time any of
// them says it first saw data to the latest it last did, and a bucket that
// does not say is read as from its start and until now. So two buckets
// stand for any number: one for those that say when they first saw data,
// carrying the earliest of those times, and one for those that do not,
// carrying the earliest of their starts; both end at the latest last-seen
// time, or at no time (now) if any of them does not say.
type seenSpan struct {
	said, unsaid       cardinality.Bucket
	hasSaid, hasUnsaid bool
	openEnded          bool
}

// add takes one series row.
func (s *seenSpan) add(r *catalog.CostRow) {
	switch {
	case !r.FirstSeen.IsZero():
		if !s.hasSaid || r.FirstSeen.Before(s.said.FirstSeen) {
			s.said.Start, s.said.FirstSeen = r.Bucket, r.FirstSeen
		}
		s.hasSaid = true
	case !s.hasUnsaid || r.Bucket.Before(s.unsaid.Start):
		s.unsaid.Start, s.hasUnsaid = r.Bucket, true
	}
	if r.LastSeen.IsZero() {
		s.openEnded = true
	} else if r.LastSeen.After(s.said.LastSeen) {
		s.said.LastSeen = r.LastSeen
	}
}

// buckets are the buckets that stand for those added, with points data
// points between them.
func (s *seenSpan) buckets(points uint64) []cardinality.Bucket {
	last := s.said.LastSeen
	if s.openEnded {
		last = time.Time{}
	}
	var out []cardinality.Bucket
	if s.hasSaid {
		out = append(out, cardinality.Bucket{Start: s.said.Start, FirstSeen: s.said.FirstSeen, LastSeen: last})
	}
	if s.hasUnsaid {
		out = append(out, cardinality.Bucket{Start: s.unsaid.Start, LastSeen: last})
	}
	if len(out) > 0 {
		out[0].DataPoints = points
	}
	return out
}

type streamField struct {
	stream string
	field  catalog.CostField
}

// streamFigures are one stream's rows of one field in the window, merged
// down to one whenever mergeEvery have come in (merging merged rows gives
// what merging their parts gives: unions, sums, the worst state, values
// until too many), and its distinct values over the last hour.
type streamFigures struct {
	rows []catalog.CostRow
	hour cardinality.Distinct
}

const mergeEvery = 4

// NewFieldCosts starts the figures of the schemas that had data since
// q.Since(), from all their stream rows (current or not: which count
// depends on all of them); Add then takes those streams' cost rows.
func NewFieldCosts(streams []KeyStream, q CostQuery) *FieldCosts {
	_, span := q.Span()
	c := &FieldCosts{q: q, span: span, streams: map[string][]SchemaStream{}, fields: map[streamField]*streamFigures{}, series: map[string]*streamSeries{}}
	for _, s := range streams {
		c.streams[s.SchemaID] = append(c.streams[s.SchemaID], s.SchemaStream)
	}
	return c
}

// Add takes one cost row; rows in neither the window nor the last hour are
// not needed and not kept.
func (c *FieldCosts) Add(r *catalog.CostRow) error {
	inSpan, inHour := cardinality.InWindow(r.Bucket, c.q.Now, c.span), cardinality.InWindow(r.Bucket, c.q.Now, time.Hour)
	if r.Field.IsSeries() {
		if !inSpan {
			return nil
		}
		sr := c.series[r.StreamID]
		if sr == nil {
			sr = &streamSeries{}
			c.series[r.StreamID] = sr
		}
		sr.points += r.DataPoints
		sr.bytes += r.LogBytes
		sr.seen.add(r)
		return sr.distinct.Merge(&r.Distinct)
	}
	if !inSpan && !inHour {
		return nil
	}
	k := streamField{r.StreamID, r.Field}
	f := c.fields[k]
	if f == nil {
		f = &streamFigures{}
		c.fields[k] = f
	}
	if inHour {
		if err := f.hour.Merge(&r.Distinct); err != nil {
			return err
		}
	}
	if !inSpan {
		return nil
	}
	if f.rows = append(f.rows, *r); len(f.rows) == mergeEvery {
		merged, err := catalog.MergeCostRows(f.rows, c.q.Config.MaxValues)
		if err != nil {
			return err
		}
		clear(f.rows)
		f.rows = append(f.rows[:0], merged)
	}
	return nil
}

// Apply fills the cost figures of a current schema's fields (distinct
// values over the window, high cardinality over the last hour, example
// values of data point fields) as GetSchema does over the same window
// (setFieldCost). A superseded schema counts its streams' rows only up to
// when each left it, which the merged figures cannot tell apart: for one,
// Apply returns EFAILEDPRECONDITION.
func (c *FieldCosts) Apply(s *catalog.Schema) error {
	if c == nil {
		c = &FieldCosts{q: CostQuery{Config: catalog.DefaultCostConfig()}}
	}
	counted := costStreams(c.streams[s.ID])
	for _, until := range counted {
		if !until.IsZero() {
			return catalog.Errorf(catalog.EFAILEDPRECONDITION, "field costs of schema %s: it is superseded", s.ID)
		}
	}
	w, _ := c.q.Span()
	cost := catalog.Cost{}
	for stream := range counted {
		sr := c.series[stream]
		if sr == nil {
			continue
		}
		f, err := cardinality.Window(sr.seen.buckets(sr.points), c.q.Now, c.span)
		if err != nil {
			return err
		}
		cost.Series += sr.distinct.Estimate()
		cost.DataPoints += f.DataPoints
		cost.DataPointsPerMinute += f.PerMinute
		cost.LogBytes += sr.bytes
		cost.LogBytesPerMinute += logBytesRate(f, sr.bytes)
	}
	c.q.finishOf(&cost, w, s.Signal)
	s.Cost = &cost
	var rows []catalog.CostRow
	for i := range s.Fields {
		f := &s.Fields[i]
		field := catalog.CostField{Source: f.Source, Name: f.Name, Type: f.Type}
		var hour cardinality.Distinct
		rows = rows[:0]
		for stream := range counted {
			if sf := c.fields[streamField{stream, field}]; sf != nil {
				rows = append(rows, sf.rows...)
				if err := hour.Merge(&sf.hour); err != nil {
					return err
				}
			}
		}
		in, err := catalog.MergeCostRows(rows, c.q.Config.MaxValues)
		if err != nil {
			return err
		}
		setFieldCost(f, &in, &hour, c.q)
	}
	return nil
}

// JudgingReader is what ListJudging reads, in the store's SQL.
type JudgingReader interface {
	// JudgingKeys reads a page of keys (stored keys, of every signal) in byte order: the keys
	// after after, at most limit of them; the first page ("" for after)
	// starts at the first key, an empty name included.
	JudgingKeys(ctx context.Context, after string, limit int) ([]string, error)
	// CurrentSchemasOf reads the current schemas of the page's keys, in
	// byte order, at least one of them, into a set. It may read the
	// schemas of other keys too (DuckDB reads the range between the first
	// key and the last, which takes in a key written after the page's
	// were read); ListJudging leaves them out.
	CurrentSchemasOf(ctx context.Context, keys []string) (*SchemaSet, error)
}

// ListJudging implements catalog.Store.ListJudging on r: a page of keys,
// then their current schemas as ListSchemas reads them, with the releases
// producing each now (CurrentReleases).
func ListJudging(ctx context.Context, r JudgingReader, after string, limit int) ([]catalog.JudgingKey, error) {
	keys, err := r.JudgingKeys(ctx, after, LimitOf(limit))
	if err != nil || len(keys) == 0 {
		return nil, Wrap("list schemas for judging", err)
	}
	x, err := r.CurrentSchemasOf(ctx, keys)
	if err != nil {
		return nil, Wrap("list schemas for judging", err)
	}
	schemas, loaded := x.Finish()
	out := make([]catalog.JudgingKey, len(keys))
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		out[i].Key, index[k] = k, i
	}
	for _, sc := range schemas { // in key order, then first seen, as ListSchemas
		i, ok := index[sc.Key]
		if !ok {
			continue // a key not on the page (see CurrentSchemasOf)
		}
		out[i].Schemas = append(out[i].Schemas, catalog.Judged{Schema: sc, Releases: CurrentReleases(loaded[sc.ID].Facts)})
	}
	return out, nil
}
