package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Cost reads: a store loads a schema's or a metric's streams and their cost
// rows in its own SQL (CostReader), and the flows here work the figures out
// (SchemaCost, KeyCosts, Top, SeriesHistory, FieldCosts). Sketches cannot
// be merged in SQL, so no store adds them up.

// Cond is a condition in a store's SQL dialect with its arguments, which
// only the store that made it reads: a flow passes it back untouched. The
// zero Cond is no condition.
type Cond struct {
	SQL  string
	Args []any
	// Indexed says an index in the list's name order serves the
	// condition alone (the signal every list of keys is kept to), so that
	// a store may read a page of it without reading every row.
	Indexed bool
}

// KeyScope limits a read across metrics: to listed keys (a page of them,
// one metric) when Keys is not nil, else to the keys whose schema_keys row
// passes Filter (every key when Filter is zero).
type KeyScope struct {
	Keys   []string
	Filter Cond
}

// CostRead says which cost rows a read wants, all of them or the series'
// alone, and whether with their example values: decoding values is most
// of the cost of reading a row, and counting needs none. Folded is the
// span of hours read from the hourly rollups, each a row dated at its
// hour, instead of their ten-minute rows (see FoldedSpan); the zero span
// reads ten-minute rows alone.
type CostRead struct {
	SeriesOnly, Values bool
	Folded             FoldedSpan
}

// CostColumns are stream_costs' columns in the order ScanCostRow reads
// them.
const CostColumns = `stream_id, bucket, source, name, value_type, distinct_values, data_points, example_values, values_state,
	first_seen, last_seen, log_bytes`

// Columns are the columns a read of cr selects, in ScanCostRow's order:
// CostColumns, with example_values replaced by noValues (an empty JSON
// array as the dialect writes a text constant) when cr wants no values.
func (cr CostRead) Columns(noValues string) string {
	if cr.Values {
		return CostColumns
	}
	return strings.Replace(CostColumns, "example_values", noValues, 1)
}

// ScanCostRow reads one row selecting CostColumns.
func ScanCostRow(row Row) (catalog.CostRow, error) {
	var (
		r           catalog.CostRow
		src, vt, st Enum
		blob        []byte
		values      string
	)
	if err := row.Scan(&r.StreamID, &r.Bucket, &src, &r.Field.Name, &vt, &blob, &r.DataPoints, &values, &st, &r.FirstSeen, &r.LastSeen, &r.LogBytes); err != nil {
		return r, err
	}
	r.Bucket, r.FirstSeen, r.LastSeen = r.Bucket.UTC(), r.FirstSeen.UTC(), r.LastSeen.UTC()
	r.Field.Source, r.Field.Type, r.State = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt), tallycatv1.ExampleValuesState(st)
	if err := r.Distinct.UnmarshalBinary(blob); err != nil {
		return r, fmt.Errorf("stream_costs of %s: %w", r.StreamID, err)
	}
	var err error
	r.Values, err = DecodeValues(values)
	return r, err
}

// EachCostRow is a scanner of rows selecting CostColumns that hands fn
// each row as it is read; the row is fn's to keep.
func EachCostRow(fn func(*catalog.CostRow) error) func(Row) error {
	return func(row Row) error {
		r, err := ScanCostRow(row)
		if err != nil {
			return err
		}
		return fn(&r)
	}
}

// CostRows gathers cost rows.
type CostRows []catalog.CostRow

// Scan reads one row selecting CostColumns.
func (c *CostRows) Scan(row Row) error {
	r, err := ScanCostRow(row)
	if err != nil {
		return err
	}
	*c = append(*c, r)
	return nil
}

// Add takes one row that a read handed over; it is c's to keep.
func (c *CostRows) Add(r *catalog.CostRow) error {
	*c = append(*c, *r)
	return nil
}

// KeyStreamColumns are schema_streams' columns in the order
// KeyStreams.Scan reads them.
const KeyStreamColumns = `schema_key, schema_id, stream_id, description, superseded_by, service_namespace,
	service_name, service_version, data_point_count, last_seen`

// KeyStreams gathers stream rows and the distinct ids of their streams,
// which the streams' cost rows are then read by.
type KeyStreams struct {
	Streams []KeyStream
	IDs     []string
	seen    map[string]bool
}

// Scan reads one row selecting KeyStreamColumns.
func (ks *KeyStreams) Scan(row Row) error {
	var k KeyStream
	if err := row.Scan(&k.Key, &k.SchemaID, &k.StreamID, &k.Description, &k.SupersededBy, &k.Release.ServiceNamespace,
		&k.Release.ServiceName, &k.Release.ServiceVersion, &k.DataPoints, &k.LastSeen); err != nil {
		return err
	}
	ks.Streams = append(ks.Streams, k)
	if ks.seen == nil {
		ks.seen = map[string]bool{}
	}
	if !ks.seen[k.StreamID] {
		ks.seen[k.StreamID] = true
		ks.IDs = append(ks.IDs, k.StreamID)
	}
	return nil
}

// MetricTypes is the metric type of each of a read's keys.
type MetricTypes map[string]tallycatv1.MetricType

// Scan reads one row selecting schema_key, metric_type.
func (m MetricTypes) Scan(row Row) error {
	var key string
	var mt Enum
	if err := row.Scan(&key, &mt); err != nil {
		return err
	}
	m[key] = tallycatv1.MetricType(mt)
	return nil
}

// CostReader is what the cost flows read, each method one read (or one
// batch of them) in the store's SQL. Lists are bound as one parameter.
type CostReader interface {
	// Now is the store's clock, which ends every window.
	Now() time.Time
	// CostConfig is how the store was told to judge fields.
	CostConfig() catalog.CostConfig
	// ActiveStreams reads the stream rows of the schemas, of the keys
	// whose schema_keys row passes keys (every key when it is zero), that
	// have a stream with series rows since since (in the rollups for the
	// folded span), and the ids of their streams (see ActiveCosts).
	ActiveStreams(ctx context.Context, keys Cond, since time.Time, folded FoldedSpan) (KeyStreams, error)
	// FoldedHours reads the hours folded into rollups since since, oldest
	// first.
	FoldedHours(ctx context.Context, since time.Time) ([]time.Time, error)
	// EachCost hands fn, as they are read, the cost rows since since of
	// the given streams (at least one) as cr says; each row is fn's to
	// keep.
	EachCost(ctx context.Context, streams []string, since time.Time, cr CostRead, fn func(*catalog.CostRow) error) error
	// ListedCosts reads the stream rows of the listed keys and, through
	// them, their cost rows since since as cr says.
	ListedCosts(ctx context.Context, keys []string, since time.Time, cr CostRead) ([]KeyStream, []catalog.CostRow, error)
	// SeriesOfKey reads whether key has ever been seen and, when it has,
	// what ListedCosts reads of its series rows since since.
	SeriesOfKey(ctx context.Context, key string, since time.Time) (known bool, streams []KeyStream, rows []catalog.CostRow, err error)
	// MetricTypes reads the metric type of each of the keys.
	MetricTypes(ctx context.Context, keys []string) (MetricTypes, error)
}

// QueryOf is a read's query over window w, now.
func QueryOf(r CostReader, w tallycatv1.Window) CostQuery {
	return CostQuery{Window: w, Now: r.Now(), Config: r.CostConfig()}
}

// LoadCosts reads the cost rows since since of the given streams as cr
// says; no streams, no read.
func LoadCosts(ctx context.Context, r CostReader, streams []string, since time.Time, cr CostRead) ([]catalog.CostRow, error) {
	if len(streams) == 0 {
		return nil, nil
	}
	var out CostRows
	if err := r.EachCost(ctx, streams, since, cr, out.Add); err != nil {
		return nil, err
	}
	return out, nil
}

// ActiveCosts reads what figures across metrics need, for the keys in
// scope: stream rows, and cost rows since since as cr says. Listed keys
// are read whole, their stream rows by key and their cost rows through
// them; when they have no cost rows, their streams are no use to anyone
// and come back empty too. Otherwise only the schemas that have a stream
// with series rows since since are read: streams that sent nothing in the
// window (most of a large catalog's, at any time) are neither read nor
// worked on, while a schema's other rows are, since which of its streams
// count depends on all of them (Counted). The streams superseded on a
// schema are read at ten minutes over cr's folded span too (see
// atTenMinutes).
func ActiveCosts(ctx context.Context, r CostReader, scope KeyScope, since time.Time, cr CostRead) ([]KeyStream, []catalog.CostRow, error) {
	if scope.Keys != nil {
		streams, rows, err := r.ListedCosts(ctx, scope.Keys, since, cr)
		if err == nil {
			rows, err = atTenMinutes(ctx, r, streams, rows, cr)
		}
		return listed(streams, rows, err)
	}
	ks, err := r.ActiveStreams(ctx, scope.Filter, since, cr.Folded)
	if err != nil || len(ks.Streams) == 0 {
		return nil, nil, err
	}
	plain, cut := splitCut(ks.IDs, cutStreams(ks.Streams))
	rows, err := LoadCosts(ctx, r, plain, since, cr)
	if err != nil {
		return nil, nil, err
	}
	tenMinutes := cr
	tenMinutes.Folded = FoldedSpan{}
	more, err := LoadCosts(ctx, r, cut, since, tenMinutes)
	return ks.Streams, append(rows, more...), err
}

// listed is what ListedCosts read, without the streams when there are no
// cost rows.
func listed(streams []KeyStream, rows []catalog.CostRow, err error) ([]KeyStream, []catalog.CostRow, error) {
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	return streams, rows, nil
}

// KeyCostsIn is the cost of each key in scope that had data in q's window
// (see KeyCosts).
func KeyCostsIn(ctx context.Context, r CostReader, scope KeyScope, q CostQuery) (map[string]catalog.Cost, error) {
	span, err := spanOf(ctx, r, q)
	if err != nil {
		return nil, err
	}
	streams, series, err := ActiveCosts(ctx, r, scope, q.Since(), CostRead{SeriesOnly: true, Folded: span})
	if err != nil || len(streams) == 0 {
		return map[string]catalog.Cost{}, err
	}
	return KeyCosts(streams, series, q)
}

// ListTopSeries implements catalog.Store.ListTopSeries on r: from the
// window's snapshot when the store keeps one (see SetCostFigureAge), else
// Top over every key's active streams (but TallyCat's own, when f
// excludes them), with the listed metrics' types.
func ListTopSeries(ctx context.Context, r CostReader, snaps *costSnapshots, f catalog.TopFilter) (*catalog.TopSeries, error) {
	q := QueryOf(r, f.Window)
	if f.Limit <= MaxTopLimit {
		s, err := snaps.snapshot(ctx, r, q)
		if err != nil {
			return nil, Wrap("list top series", err)
		}
		if s != nil {
			return s.topAt(f.ExcludeSelf, f.Limit), nil
		}
	}
	span, err := spanOf(ctx, r, q)
	if err != nil {
		return nil, Wrap("list top series", err)
	}
	streams, rows, err := ActiveCosts(ctx, r, KeyScope{}, q.Since(), CostRead{Folded: span})
	if err != nil {
		return nil, Wrap("list top series", err)
	}
	if f.ExcludeSelf {
		streams = slices.DeleteFunc(streams, func(s KeyStream) bool { return s.Release.IsSelf() })
	}
	top, err := topOf(ctx, r, streams, rows, q, f.Limit)
	return top, Wrap("list top series", err)
}

// GetSeriesHistory implements catalog.Store.GetSeriesHistory on r: the
// key's series rows of the last catalog.HistorySpan, or ENOTFOUND when
// the key was never seen.
func GetSeriesHistory(ctx context.Context, r CostReader, key string) ([]catalog.SeriesPoint, error) {
	now := r.Now()
	known, streams, series, err := r.SeriesOfKey(ctx, key, cardinality.BucketOf(now.Add(-catalog.HistorySpan)))
	if err == nil && !known {
		err = catalog.Errorf(catalog.ENOTFOUND, "no %s has been seen", catalog.DescribeKey(key))
	}
	if err != nil {
		return nil, Wrap("series history of "+catalog.DescribeKey(key), err)
	}
	streams, series, _ = listed(streams, series, nil)
	points, err := SeriesHistory(streams, series, now)
	return points, Wrap("series history of "+catalog.DescribeKey(key), err)
}

// ReadFieldCosts implements catalog.Store.ReadFieldCosts on r. It reads
// the rows of every stream of each schema that had data in the window,
// then those streams' cost rows (the series', for the schemas' own cost,
// and the fields' with their example values), the folded hours' from the
// rollups but for the streams superseded on a schema (see atTenMinutes),
// handing each to the figures as it comes rather than holding them all.
func ReadFieldCosts(ctx context.Context, r CostReader, w tallycatv1.Window) (catalog.FieldCosts, error) {
	q := QueryOf(r, w)
	span, err := spanOf(ctx, r, q)
	if err != nil {
		return nil, Wrap("read field costs", err)
	}
	ks, err := r.ActiveStreams(ctx, Cond{}, q.Since(), span)
	if err != nil {
		return nil, Wrap("read field costs", err)
	}
	c := NewFieldCosts(ks.Streams, q)
	plain, cut := splitCut(ks.IDs, cutStreams(ks.Streams))
	for _, read := range []struct {
		ids    []string
		folded FoldedSpan
	}{{plain, span}, {cut, FoldedSpan{}}} {
		if len(read.ids) == 0 {
			continue
		}
		if err := r.EachCost(ctx, read.ids, q.Since(), CostRead{Values: true, Folded: read.folded}, c.Add); err != nil {
			return nil, Wrap("read field costs", err)
		}
	}
	return c, nil
}
