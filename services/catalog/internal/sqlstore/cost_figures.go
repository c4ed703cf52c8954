package sqlstore

import (
	"maps"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// How cost rows become figures. A figure counts the streams Counted says
// (a schema's current streams, or all of them once it is superseded); a
// stream that left a schema is counted there only up to the bucket it was
// last seen in on it, so that a superseded schema shows what it cost while
// it was produced, not what its successor costs now. Each stream's buckets
// in the window are merged, then estimated; streams' series are disjoint,
// so their estimates add up.

// costIndex holds cost rows by stream and field.
type costIndex map[string]map[catalog.CostField][]*catalog.CostRow

func indexCosts(rows []catalog.CostRow) costIndex {
	ix := costIndex{}
	for i := range rows {
		r := &rows[i]
		if ix[r.StreamID] == nil {
			ix[r.StreamID] = map[catalog.CostField][]*catalog.CostRow{}
		}
		ix[r.StreamID][r.Field] = append(ix[r.StreamID][r.Field], r)
	}
	return ix
}

// costStreams is which of a schema's (or a release's) streams its cost
// counts, each with the last bucket counted: the zero time for all of them.
func costStreams(streams []SchemaStream) map[string]time.Time {
	out := map[string]time.Time{}
	for _, s := range Counted(streams) {
		until := time.Time{}
		if s.SupersededBy != "" {
			until = cardinality.BucketOf(s.LastSeen)
		}
		widen(out, s.StreamID, until)
	}
	return out
}

// widen counts stream up to until in set, or further if it already is.
func widen(set map[string]time.Time, stream string, until time.Time) {
	if prev, ok := set[stream]; !ok || (!prev.IsZero() && (until.IsZero() || until.After(prev))) {
		set[stream] = until
	}
}

// counts reports whether a bucket is counted for a stream counted up to until.
func counts(bucket, until time.Time) bool { return until.IsZero() || !bucket.After(until) }

// sumCost is the cost of the streams over the window of length d ending at
// now.
func (ix costIndex) sumCost(streams map[string]time.Time, now time.Time, d time.Duration) (catalog.Cost, error) {
	var c catalog.Cost
	for _, id := range slices.Sorted(maps.Keys(streams)) {
		if len(ix[id][catalog.CostField{}]) == 0 {
			continue // nothing in the window: most streams, at any time
		}
		var plain []cardinality.Bucket
		var series cardinality.Distinct
		var bytes uint64
		for _, r := range ix[id][catalog.CostField{}] {
			if !counts(r.Bucket, streams[id]) {
				continue
			}
			plain = append(plain, cardinality.Bucket{Start: r.Bucket, FirstSeen: r.FirstSeen, LastSeen: r.LastSeen, DataPoints: r.DataPoints})
			if cardinality.InWindow(r.Bucket, now, d) {
				if err := series.Merge(&r.Distinct); err != nil {
					return catalog.Cost{}, err
				}
				bytes += r.LogBytes
			}
		}
		// Data points and their rate as the shared rule has them; the
		// series merged here, so that few of them stay exact; a log's
		// bytes at its records' rate.
		f, err := cardinality.Window(plain, now, d)
		if err != nil {
			return catalog.Cost{}, err
		}
		c.Series += series.Estimate()
		c.DataPoints += f.DataPoints
		c.DataPointsPerMinute += f.PerMinute
		c.LogBytes += bytes
		c.LogBytesPerMinute += logBytesRate(f, bytes)
	}
	return c, nil
}

// field merges one field's rows over the streams and the window.
func (ix costIndex) field(streams map[string]time.Time, match func(catalog.CostField) bool, now time.Time, d time.Duration, maxValues int) (catalog.CostRow, error) {
	var rows []catalog.CostRow
	for id, until := range streams {
		for f, rs := range ix[id] {
			if f.IsSeries() || !match(f) {
				continue
			}
			for _, r := range rs {
				if counts(r.Bucket, until) && cardinality.InWindow(r.Bucket, now, d) {
					rows = append(rows, *r)
				}
			}
		}
	}
	return catalog.MergeCostRows(rows, maxValues)
}

// distinct merges one field's distinct values over the streams and the
// window, which is all Top needs of a field: cheaper than field.
func (ix costIndex) distinct(streams map[string]time.Time, match func(catalog.CostField) bool, now time.Time, d time.Duration) (cardinality.Distinct, error) {
	var out cardinality.Distinct
	for id, until := range streams {
		for f, rs := range ix[id] {
			if f.IsSeries() || !match(f) {
				continue
			}
			for _, r := range rs {
				if counts(r.Bucket, until) && cardinality.InWindow(r.Bucket, now, d) {
					if err := out.Merge(&r.Distinct); err != nil {
						return cardinality.Distinct{}, err
					}
				}
			}
		}
	}
	return out, nil
}

// hasData reports whether a stream counted up to until has a series row in
// the window.
func (ix costIndex) hasData(stream string, until, now time.Time, d time.Duration) bool {
	for _, r := range ix[stream][catalog.CostField{}] {
		if counts(r.Bucket, until) && cardinality.InWindow(r.Bucket, now, d) {
			return true
		}
	}
	return false
}

// SchemaCost fills a schema's cost figures from its streams and their cost
// rows since q.Since(): the schema's cost, each release's (its streams
// Counted as Releases counts them), and each field's distinct values,
// high cardinality (over the last hour, whatever the window) and example
// values, merged over the counted streams: a field's values are shared
// between releases. A span's or a log's schema gets its rate and count,
// a log's its bytes, with no series (they have none: see planCosts), and
// the monthly estimate of its signal's price (see finishOf); its fields
// get figures as a metric's do, but for those whose values are not
// counted (see setFieldCost).
func SchemaCost(d *catalog.SchemaDetail, streams []SchemaStream, rows []catalog.CostRow, q CostQuery) error {
	w, span := q.Span()
	sig := d.Schema.Signal
	ix := indexCosts(rows)
	counted := costStreams(streams)
	c, err := ix.sumCost(counted, q.Now, span)
	if err != nil {
		return err
	}
	q.finishOf(&c, w, sig)
	d.Schema.Cost = &c
	releases := byRelease(streams)
	for i := range d.Releases {
		rc, err := ix.sumCost(costStreams(releases[d.Releases[i].ReleaseIdentity]), q.Now, span)
		if err != nil {
			return err
		}
		q.finishOf(&rc, w, sig)
		d.Releases[i].Cost = &rc
	}
	for i := range d.Schema.Fields {
		if err := fieldCost(&d.Schema.Fields[i], ix, counted, q, span); err != nil {
			return err
		}
	}
	return nil
}

func fieldCost(f *catalog.Field, ix costIndex, counted map[string]time.Time, q CostQuery, span time.Duration) error {
	match := func(c catalog.CostField) bool {
		return c == catalog.CostField{Source: f.Source, Name: f.Name, Type: f.Type}
	}
	in, err := ix.field(counted, match, q.Now, span, q.Config.MaxValues)
	if err != nil {
		return err
	}
	hour := in.Distinct
	if span != time.Hour { // the last hour's distinct values, without its values
		if hour, err = ix.distinct(counted, match, q.Now, time.Hour); err != nil {
			return err
		}
	}
	setFieldCost(f, &in, &hour, q)
	return nil
}

// setFieldCost fills a field's figures from its rows merged over the
// window (in) and its distinct values over the last hour: the item's own
// fields (a metric data point's, a span's or a log record's attributes)
// and a log's severity fields with their examples; resource and scope
// fields without (NOT_DATA_POINT); the fields whose values are never
// counted (a log body's, a span event's or link's: see
// forward.countedField) as NOT_COUNTED, with no figures, which are
// unknown, not zero.
func setFieldCost(f *catalog.Field, in *catalog.CostRow, hour *cardinality.Distinct, q CostQuery) {
	switch f.Source {
	case tallycatv1.FieldSource_FIELD_SOURCE_BODY, tallycatv1.FieldSource_FIELD_SOURCE_EVENT, tallycatv1.FieldSource_FIELD_SOURCE_LINK:
		f.Distinct, f.HighCardinality, f.Examples = 0, false, nil
		f.ExamplesState = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED
		return
	}
	f.Distinct = in.Distinct.Estimate()
	f.HighCardinality = hour.Estimate() > q.Config.HighCardinality
	switch f.Source {
	case tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY:
		f.ExamplesState = in.State
		f.Examples = shares(in.Values)
	default:
		f.ExamplesState = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT
	}
}

// shares are values with their shares of the data points that carried any.
func shares(values []catalog.ValueCount) []cardinality.Share {
	var total uint64
	for _, v := range values {
		total += v.DataPoints
	}
	out := make([]cardinality.Share, len(values))
	for i, v := range values {
		out[i] = cardinality.Share{Value: v.Value, DataPoints: v.DataPoints}
		if total > 0 {
			out[i].Share = float64(v.DataPoints) / float64(total)
		}
	}
	return out
}

// keyCostStreams is, per key, which streams its cost counts: those Counted
// for any of its schemas, each as far as any schema counts it.
func keyCostStreams(streams []KeyStream) map[string]map[string]time.Time {
	bySchema := map[string][]SchemaStream{}
	keyOf := map[string]string{}
	for _, s := range streams {
		bySchema[s.SchemaID] = append(bySchema[s.SchemaID], s.SchemaStream)
		keyOf[s.SchemaID] = s.Key
	}
	out := map[string]map[string]time.Time{}
	for id, ss := range bySchema {
		key := keyOf[id]
		if out[key] == nil {
			out[key] = map[string]time.Time{}
		}
		for stream, until := range costStreams(ss) {
			widen(out[key], stream, until)
		}
	}
	return out
}

// KeyCosts works out each key's cost from its schemas' streams and their
// series rows since q.Since(); a key without rows costs nothing. A span's
// or a log's key is priced by its signal's price (see finishOf).
func KeyCosts(streams []KeyStream, series []catalog.CostRow, q CostQuery) (map[string]catalog.Cost, error) {
	w, span := q.Span()
	ix := indexCosts(series)
	out := map[string]catalog.Cost{}
	for key, counted := range keyCostStreams(streams) {
		c, err := ix.sumCost(counted, q.Now, span)
		if err != nil {
			return nil, err
		}
		sig, _ := catalog.ParseStoredKey(key)
		q.finishOf(&c, w, sig)
		out[key] = c
	}
	return out, nil
}
