package catalog

import (
	"context"
	"fmt"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// How a batch's cost figures become rows: every observation's series and
// fields go into its stream's bucket of LastObserved (a span's or a log's
// count, bytes and fields: see countRow); the batch is merged in memory first (a batch
// holds many observations of one stream: its variants, its instances, and
// what several replicas saw), then each row with the row the store holds,
// so that the store writes each row once.

// costKey identifies a cost row in memory; the bucket as Unix seconds,
// since equal times may differ in location.
type costKey struct {
	stream string
	bucket int64
	field  CostField
}

func keyOf(r *CostRow) costKey { return costKey{r.StreamID, r.Bucket.Unix(), r.Field} }

// planCosts returns the batch's cost rows merged with what h holds of
// their buckets. It returns EINVALID, naming the observation and field, for
// figures that are not well formed.
func planCosts(ctx context.Context, obs []Observation, streamOf []string, h Holdings, cfg CostConfig) ([]CostWrite, error) {
	parts := map[costKey][]CostRow{}
	var order []costKey
	buckets := map[StreamBucket]bool{}
	var bucketOrder []StreamBucket
	add := func(r CostRow) {
		k := keyOf(&r)
		if _, ok := parts[k]; !ok {
			order = append(order, k)
		}
		parts[k] = append(parts[k], r)
		if !buckets[r.StreamBucket] {
			buckets[r.StreamBucket] = true
			bucketOrder = append(bucketOrder, r.StreamBucket)
		}
	}
	for i := range obs {
		o := &obs[i]
		sb := StreamBucket{StreamID: streamOf[i], Bucket: cardinality.BucketOf(o.LastObserved)}
		first, last := seenOf(o)
		r, ok := countRow(o, sb)
		if !ok {
			continue
		}
		r.FirstSeen, r.LastSeen = first, last
		add(r)
		for j := range o.Fields {
			r, err := fieldRow(sb, o.Shape.Signal, &o.Fields[j])
			if err != nil {
				return nil, Errorf(EINVALID, "observations[%d].fields[%d] (%.100q): %v", i, j, o.Fields[j].Key, err)
			}
			r.FirstSeen, r.LastSeen = first, last
			add(r)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	held, err := h.Costs(ctx, bucketOrder)
	if err != nil {
		return nil, fmt.Errorf("read cost rows: %w", err)
	}
	stored := make(map[costKey]CostRow, len(held))
	for _, r := range held {
		stored[keyOf(&r)] = r
	}
	out := make([]CostWrite, len(order))
	for i, k := range order {
		rows := parts[k]
		prev, existed := stored[k]
		if existed {
			rows = append([]CostRow{prev}, rows...)
		}
		merged, err := MergeCostRows(rows, cfg.MaxValues)
		if err != nil {
			return nil, fmt.Errorf("merge cost rows of stream %s: %w", k.stream, err)
		}
		out[i] = CostWrite{New: !existed, CostRow: merged}
	}
	return out, nil
}

// countRow is an observation's row of its count in its stream's bucket:
// a metric's series and data points; a span's or a log's spans or log
// records and, for a log, their bytes, with no series (they have none), so
// that their rate is worked out as a metric's data point rate is. It
// reports false when the observation makes no rows: a metric's that
// carries no figures (its sender counts none), and a span's or a log's
// that counted nothing (a heartbeat), so that it does not stretch the
// time the rate runs over.
func countRow(o *Observation, sb StreamBucket) (CostRow, bool) {
	if o.Shape.Signal != schemaid.Metric {
		return CostRow{StreamBucket: sb, DataPoints: o.DataPoints, LogBytes: o.RecordBytes}, o.DataPoints > 0
	}
	return CostRow{StreamBucket: sb, Distinct: o.Series, DataPoints: o.DataPoints}, !o.Series.Empty() || len(o.Fields) > 0
}

// seenOf is when an observation's data points were seen, as its cost rows
// keep it. FirstSeen is FirstObserved even when that is before the bucket
// of LastObserved that the rows are filed under: the rows hold all the
// observation's data points, those seen before the bucket began too, so
// the rate must run over all the time they were seen in. Clamped to the
// bucket's start, an observation that spans a bucket's edge would count
// its points over only part of that time, and its rate would be too high.
// An observation that does not say when it started (an in-process caller;
// the API requires both times) is taken as seen at LastObserved.
func seenOf(o *Observation) (first, last time.Time) {
	first, last = o.FirstObserved.UTC(), o.LastObserved.UTC()
	if o.FirstObserved.IsZero() || first.After(last) {
		first = last
	}
	return first, last
}

// fieldRow is a field's figures, of an observation of signal sig, as a
// row of its bucket, with the rules on what the catalog keeps: figures of
// resource fields and of the signal's counted fields only (a metric's data
// point fields, a span's own attributes, a log record's own attributes and
// severity fields; never a log body's, whose values must not leave the
// ingest, nor a span event's or link's), an item's own fields kept as
// DATA_POINT as its shape fields are (see FieldSourceOf); values only of a
// scalar field of the item that an ingest kept (KEPT), never of one
// withheld, whatever a sender includes; a field whose sender said nothing
// of its values is taken as withheld.
func fieldRow(sb StreamBucket, sig schemaid.Signal, f *FieldFigures) (CostRow, error) {
	src := f.Source
	switch {
	case src == schemaid.APISource(sig, schemaid.Own):
		src = FieldSourceOf(schemaid.Own)
	case src == tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE:
	case src == tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY && sig == schemaid.Log:
	default:
		return CostRow{}, fmt.Errorf("source %v: a %s's resource fields and %s are counted", f.Source, sig, countedSources(sig))
	}
	switch {
	case f.Type == tallycatv1.ValueType_VALUE_TYPE_UNSPECIFIED:
		return CostRow{}, fmt.Errorf("no value type")
	case len(f.Values) > maxSentValues:
		return CostRow{}, fmt.Errorf("%d values: at most %d", len(f.Values), maxSentValues)
	}
	for _, v := range f.Values {
		if len(v.Value) > cardinality.MaxValueBytes {
			return CostRow{}, fmt.Errorf("a value of %d bytes: at most %d", len(v.Value), cardinality.MaxValueBytes)
		}
	}
	r := CostRow{StreamBucket: sb, Field: CostField{Source: src, Name: f.Key, Type: f.Type}, Distinct: f.Distinct, State: f.State}
	switch {
	case src == tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE:
		r.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT
	case !cardinality.Scalar(f.Type):
		r.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_SCALAR
	case f.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT:
		r.Values = f.Values
	case f.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED,
		f.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT:
		r.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD
	}
	return r, nil
}

// countedSources names, for an error, the fields of a signal whose values
// are counted.
func countedSources(sig schemaid.Signal) string {
	switch sig {
	case schemaid.Span:
		return "its own attributes (SPAN)"
	case schemaid.Log:
		return "its own attributes (LOG_RECORD) and severity (SEVERITY)"
	}
	return "its data point fields (DATA_POINT)"
}

// maxSentValues bounds the values one field's figures may carry, as the
// API's rules do; the catalog keeps at most CostConfig.MaxValues of them.
const maxSentValues = 1000

// stateRank orders example states for merging: the state of a merge is the
// highest of its parts', so that one withheld bucket withholds the field
// (its values must never be shown), a non-scalar one makes it so, and one
// with too many values makes the field not enum-like.
var stateRank = map[tallycatv1.ExampleValuesState]int{
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED:    0,
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT:           1,
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY:       2,
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_SCALAR:     3,
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT: 4,
	tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD:       5,
}

// MergeCostRows merges rows of one stream, bucket and field, or of one
// field across buckets and streams: the union of their distinct values, the
// sum of their data points and log bytes, the earliest time one was first
// seen and the latest one was last seen (a part that does not say, with
// zero times, says nothing of them), and the worst of their states (see stateRank), with the
// values of KEPT parts merged while there are at most maxValues of them
// (TOO_MANY, with none, past it).
func MergeCostRows(rows []CostRow, maxValues int) (CostRow, error) {
	if len(rows) == 0 {
		return CostRow{}, nil
	}
	if maxValues <= 0 {
		maxValues = cardinality.DefaultMaxValues
	}
	out := CostRow{StreamBucket: rows[0].StreamBucket, Field: rows[0].Field}
	for i := range rows {
		r := &rows[i]
		if err := out.Distinct.Merge(&r.Distinct); err != nil {
			return CostRow{}, err
		}
		out.DataPoints += r.DataPoints
		out.LogBytes += r.LogBytes
		if !r.FirstSeen.IsZero() && (out.FirstSeen.IsZero() || r.FirstSeen.Before(out.FirstSeen)) {
			out.FirstSeen = r.FirstSeen
		}
		if r.LastSeen.After(out.LastSeen) {
			out.LastSeen = r.LastSeen
		}
		if stateRank[r.State] > stateRank[out.State] {
			out.State = r.State
		}
	}
	if out.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		return out, nil
	}
	values := cardinality.NewValues(maxValues)
	for i := range rows {
		for _, v := range rows[i].Values {
			values.Add(v.Value, v.DataPoints)
		}
	}
	if values.Overflowed() {
		out.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY
		return out, nil
	}
	for _, s := range values.Shares() {
		out.Values = append(out.Values, ValueCount{Value: s.Value, DataPoints: s.DataPoints})
	}
	return out, nil
}
