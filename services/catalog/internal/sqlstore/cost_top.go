package sqlstore

import (
	"cmp"
	"maps"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Where the cost is, across the catalog: the metrics, releases and
// attributes with the most series, and a metric's history.

// Top works out the metrics, releases and attributes with the most series
// over q's window from every stream row and every cost row since q.Since(),
// at most limit of each. Only what had data in the window is listed, and
// only metrics: spans and logs, which have no series, are left out of all
// three lists. A metric's cost is its key's (KeyCosts); a release's sums
// its streams of every metric; an attribute's distinct values merge over
// its metric's streams (and value types), with high cardinality judged on
// the last hour.
// TopMetric.Type is left for the store to fill.
func Top(streams []KeyStream, rows []catalog.CostRow, q CostQuery, limit int) (*catalog.TopSeries, error) {
	w, span := q.Span()
	if limit <= 0 {
		limit = catalog.DefaultTopLimit
	}
	ix := indexCosts(rows)
	byKey := keyCostStreams(streams)
	out := &catalog.TopSeries{Window: w}

	keyCost := map[string]catalog.Cost{}
	schemasOf := map[string]map[string][]SchemaStream{} // key → schema → streams
	release := map[string]catalog.ReleaseIdentity{}     // stream → its release
	for _, s := range streams {
		if schemasOf[s.Key] == nil {
			schemasOf[s.Key] = map[string][]SchemaStream{}
		}
		schemasOf[s.Key][s.SchemaID] = append(schemasOf[s.Key][s.SchemaID], s.SchemaStream)
		release[s.StreamID] = s.Release
	}
	relStreams := map[catalog.ReleaseIdentity]map[string]time.Time{}
	relKeys := map[catalog.ReleaseIdentity]map[string]bool{}
	for key, counted := range byKey {
		if !catalog.IsMetricKey(key) {
			continue // spans and logs have a rate but no series
		}
		c, err := ix.sumCost(counted, q.Now, span)
		if err != nil {
			return nil, err
		}
		if c.Series == 0 && c.DataPoints == 0 {
			continue
		}
		q.finish(&c, w)
		keyCost[key] = c
		m := catalog.TopMetric{Key: key, Cost: c}
		for _, ss := range schemasOf[key] {
			for stream, until := range costStreams(ss) {
				if ix.hasData(stream, until, q.Now, span) {
					m.Schemas++
					break
				}
			}
		}
		out.Metrics = append(out.Metrics, m)
		for stream, until := range counted {
			r := release[stream]
			if relStreams[r] == nil {
				relStreams[r], relKeys[r] = map[string]time.Time{}, map[string]bool{}
			}
			widen(relStreams[r], stream, until)
			if ix.hasData(stream, until, q.Now, span) {
				relKeys[r][key] = true
			}
		}
	}
	for r, counted := range relStreams {
		c, err := ix.sumCost(counted, q.Now, span)
		if err != nil {
			return nil, err
		}
		if len(relKeys[r]) == 0 {
			continue
		}
		q.finish(&c, w)
		out.Releases = append(out.Releases, catalog.TopRelease{ReleaseIdentity: r, Cost: c, Metrics: len(relKeys[r])})
	}
	for key, c := range keyCost {
		attrs, err := topAttributes(ix, key, byKey[key], c, q, span)
		if err != nil {
			return nil, err
		}
		out.Attributes = append(out.Attributes, attrs...)
	}

	slices.SortFunc(out.Metrics, func(a, b catalog.TopMetric) int {
		return cmp.Or(cmp.Compare(b.Cost.Series, a.Cost.Series), cmp.Compare(b.Cost.DataPointsPerMinute, a.Cost.DataPointsPerMinute), cmp.Compare(a.Key, b.Key))
	})
	slices.SortFunc(out.Releases, func(a, b catalog.TopRelease) int {
		return cmp.Or(cmp.Compare(b.Cost.Series, a.Cost.Series), cmp.Compare(b.Cost.DataPointsPerMinute, a.Cost.DataPointsPerMinute),
			cmp.Compare(a.String(), b.String()))
	})
	slices.SortFunc(out.Attributes, func(a, b catalog.TopAttribute) int {
		return cmp.Or(cmp.Compare(b.Distinct, a.Distinct), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Source, b.Source))
	})
	out.Metrics = out.Metrics[:min(limit, len(out.Metrics))]
	out.Releases = out.Releases[:min(limit, len(out.Releases))]
	out.Attributes = out.Attributes[:min(limit, len(out.Attributes))]
	return out, nil
}

// topAttributes are a key's attributes (by source and name, whatever their
// value types) with their distinct values over the window.
func topAttributes(ix costIndex, key string, counted map[string]time.Time, c catalog.Cost, q CostQuery, span time.Duration) ([]catalog.TopAttribute, error) {
	type attr struct {
		source tallycatv1.FieldSource
		name   string
	}
	seen := map[attr]bool{}
	for stream := range counted {
		for f := range ix[stream] {
			if !f.IsSeries() {
				seen[attr{f.Source, f.Name}] = true
			}
		}
	}
	var out []catalog.TopAttribute
	for a := range seen {
		match := func(f catalog.CostField) bool { return f.Source == a.source && f.Name == a.name }
		in, err := ix.distinct(counted, match, q.Now, span)
		if err != nil {
			return nil, err
		}
		hour := in
		if span != time.Hour {
			if hour, err = ix.distinct(counted, match, q.Now, time.Hour); err != nil {
				return nil, err
			}
		}
		if n := in.Estimate(); n > 0 {
			out = append(out, catalog.TopAttribute{Key: key, Name: a.name, Source: a.source, Distinct: n,
				HighCardinality: hour.Estimate() > q.Config.HighCardinality, Series: c.Series})
		}
	}
	return out, nil
}

// SeriesHistory is a key's series and data point rate per bucket over the
// last HistorySpan, oldest first, one point per bucket with data, from its
// schemas' streams and their series rows. Each bucket's series sum its
// streams' estimates for that bucket; its rate is over the bucket, or over
// the part of it that has passed, whatever the rows say of when in it they
// saw data: a point of the history is what its bucket received a minute on
// average, so that points compare bucket with bucket (a producer that
// started halfway through a bucket shows half its rate there, as it sent
// half as much).
func SeriesHistory(streams []KeyStream, series []catalog.CostRow, now time.Time) ([]catalog.SeriesPoint, error) {
	ix := indexCosts(series)
	type acc struct {
		start      time.Time
		series     uint64
		dataPoints uint64
	}
	byStart := map[int64]*acc{}
	for _, counted := range keyCostStreams(streams) {
		for stream, until := range counted {
			for _, r := range ix[stream][catalog.CostField{}] {
				if !counts(r.Bucket, until) || !cardinality.InWindow(r.Bucket, now, catalog.HistorySpan) {
					continue
				}
				a := byStart[r.Bucket.Unix()]
				if a == nil {
					a = &acc{start: r.Bucket}
					byStart[r.Bucket.Unix()] = a
				}
				a.series += r.Distinct.Estimate()
				a.dataPoints += r.DataPoints
			}
		}
	}
	var out []catalog.SeriesPoint
	for _, k := range slices.Sorted(maps.Keys(byStart)) {
		a := byStart[k]
		end := a.start.Add(cardinality.BucketWidth)
		if now.Before(end) {
			end = now
		}
		f, err := cardinality.Window([]cardinality.Bucket{{Start: a.start, DataPoints: a.dataPoints}}, end, cardinality.BucketWidth)
		if err != nil {
			return nil, err
		}
		out = append(out, catalog.SeriesPoint{Start: a.start, Series: a.series, DataPointsPerMinute: f.PerMinute})
	}
	return out, nil
}
