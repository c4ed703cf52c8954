package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Cost reads: they load a schema's or a metric's streams and their cost
// rows, and the catalog works the figures out (sqlstore.SchemaCost,
// KeyCosts, Top, SeriesHistory, FieldCosts). Sketches cannot be merged in
// SQL, so nothing here adds them up.

// readCostColumns are stream_costs' columns in the order scanCostRow reads
// them.
const readCostColumns = `stream_id, bucket, source, name, value_type, distinct_values, data_points, example_values, values_state`

// countCostColumns are readCostColumns without the example values, for
// reads that only count: decoding values is most of the cost of reading a
// row.
var countCostColumns = strings.Replace(readCostColumns, "example_values", "'[]'::TEXT", 1)

// scanCostRow reads one row of a query selecting readCostColumns.
func scanCostRow(rows pgx.Rows) (catalog.CostRow, error) {
	var (
		r           catalog.CostRow
		src, vt, st int16
		blob        []byte
		values      string
	)
	if err := rows.Scan(&r.StreamID, &r.Bucket, &src, &r.Field.Name, &vt, &blob, &r.DataPoints, &values, &st); err != nil {
		return r, err
	}
	r.Bucket = r.Bucket.UTC()
	r.Field.Source, r.Field.Type, r.State = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt), tallycatv1.ExampleValuesState(st)
	if err := r.Distinct.UnmarshalBinary(blob); err != nil {
		return r, fmt.Errorf("stream_costs of %s: %w", r.StreamID, err)
	}
	var err error
	r.Values, err = sqlstore.DecodeValues(values)
	return r, err
}

// costRead says which cost rows a read wants: all, those of the series
// alone, or those of the fields alone; with their example values or
// without.
type costRead struct{ seriesOnly, fieldsOnly, values bool }

// costQuerySQL is the query of the cost rows since a bucket of the streams
// cond selects (a condition on stream_id whose arguments, args, come
// first), and its arguments.
func costQuerySQL(cond string, args []any, since time.Time, r costRead) (string, []any) {
	a := argList(slices.Clone(args))
	where := `bucket >= ` + a.add(utc(since)) + ` AND ` + cond
	switch {
	case r.seriesOnly:
		where += ` AND source = 0`
	case r.fieldsOnly:
		where += ` AND source <> 0`
	}
	columns := countCostColumns
	if r.values {
		columns = readCostColumns
	}
	return `SELECT ` + columns + ` FROM stream_costs WHERE ` + where, a
}

// queueCosts queues the read of the cost rows since since of the streams
// cond selects (see costQuerySQL).
func queueCosts(r *reads, cond string, args []any, since time.Time, cr costRead) *[]catalog.CostRow {
	out := new([]catalog.CostRow)
	query, a := costQuerySQL(cond, args, since, cr)
	r.each(query, a, func(rows pgx.Rows) error {
		row, err := scanCostRow(rows)
		if err != nil {
			return err
		}
		*out = append(*out, row)
		return nil
	})
	return out
}

// eachCost hands fn, as they are read, the cost rows since since of the
// given streams, the ids bound as one array; each row is fn's to keep.
func (s *Store) eachCost(ctx context.Context, streams []string, since time.Time, cr costRead, fn func(*catalog.CostRow) error) error {
	if len(streams) == 0 {
		return nil
	}
	query, args := costQuerySQL(`stream_id = ANY($1)`, []any{streams}, since, cr)
	err := eachRow(ctx, s.pool, query, args, func(rows pgx.Rows) error {
		row, err := scanCostRow(rows)
		if err != nil {
			return err
		}
		return fn(&row)
	})
	if err != nil {
		return fmt.Errorf("read cost rows: %w", err)
	}
	return nil
}

// keyScope limits a read across metrics: to listed keys (a page of
// them, one metric), or to those passing a condition on schema_streams'
// schema_key whose arguments, args, are its $1 onwards (every key when
// where is empty).
type keyScope struct {
	keys  []string
	where string
	args  []any
}

// everyKey is no limit.
var everyKey = keyScope{}

// keysIn limits a read to a few keys.
func keysIn(keys ...string) keyScope { return keyScope{keys: keys} }

// activeCosts reads what figures across metrics need, for the keys in
// scope: stream rows, and cost rows since since as r says. Listed keys
// are read whole, their stream rows by key and their cost rows through
// them, in one batch. Otherwise only the schemas that have a stream with
// series rows since since are read: streams that sent nothing in the
// window (most of a large catalog's, at any time) are neither read nor
// worked on, while a schema's other rows are, since which of its streams
// count depends on all of them (sqlstore.Counted).
func (s *Store) activeCosts(ctx context.Context, scope keyScope, since time.Time, r costRead) ([]sqlstore.KeyStream, []catalog.CostRow, error) {
	if scope.keys != nil {
		var b reads
		l := queueListedCosts(&b, scope.keys, since, r)
		if err := b.send(ctx, s); err != nil {
			return nil, nil, fmt.Errorf("read cost rows: %w", err)
		}
		streams, rows := l.result()
		return streams, rows, nil
	}
	streams, ids, err := s.activeStreams(ctx, scope, since)
	if err != nil || len(streams) == 0 {
		return nil, nil, err
	}
	var rows []catalog.CostRow
	err = s.eachCost(ctx, ids, since, r, func(row *catalog.CostRow) error {
		rows = append(rows, *row)
		return nil
	})
	return streams, rows, err
}

// activeStreams reads the stream rows of the schemas, of keys in scope
// by its condition, that have a stream with series rows since since, and
// the ids of their streams (see activeCosts).
func (s *Store) activeStreams(ctx context.Context, scope keyScope, since time.Time) ([]sqlstore.KeyStream, []string, error) {
	a := argList(slices.Clone(scope.args))
	where := `schema_id IN (SELECT schema_id FROM schema_streams WHERE stream_id IN (
		SELECT stream_id FROM stream_costs WHERE bucket >= ` + a.add(utc(since)) + ` AND source = 0))`
	if scope.where != "" {
		where += ` AND ` + scope.where
	}
	var ks keyStreams
	if err := eachRow(ctx, s.pool, keyStreamQuery+where, a, ks.add); err != nil {
		return nil, nil, fmt.Errorf("read streams: %w", err)
	}
	return ks.streams, ks.ids, nil
}

// queueListedCosts queues what activeCosts reads for listed keys: their
// cost rows, through their streams, and their stream rows. Its result is
// read once the batch is sent.
func queueListedCosts(r *reads, keys []string, since time.Time, cr costRead) *listedCosts {
	l := &listedCosts{rows: queueCosts(r, `stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_key = ANY($1))`, []any{keys}, since, cr)}
	r.each(keyStreamQuery+`schema_key = ANY($1)`, []any{keys}, l.streams.add)
	return l
}

// listedCosts is what queueListedCosts reads.
type listedCosts struct {
	streams keyStreams
	rows    *[]catalog.CostRow
}

// result is the stream rows and cost rows read; when there are no cost
// rows, the streams are no use to anyone and come back empty too.
func (l *listedCosts) result() ([]sqlstore.KeyStream, []catalog.CostRow) {
	if len(*l.rows) == 0 {
		return nil, nil
	}
	return l.streams.streams, *l.rows
}

// keyStreamQuery selects the stream rows a condition appended to it
// passes, as keyStreams.add reads them.
const keyStreamQuery = `SELECT schema_key, schema_id, stream_id, description, superseded_by, service_namespace,
	service_name, service_version, data_point_count, last_seen FROM schema_streams WHERE `

// keyStreams gathers stream rows and the distinct ids of their streams.
type keyStreams struct {
	streams []sqlstore.KeyStream
	ids     []string
	seen    map[string]bool
}

func (ks *keyStreams) add(rows pgx.Rows) error {
	var k sqlstore.KeyStream
	if err := rows.Scan(&k.Key, &k.SchemaID, &k.StreamID, &k.Description, &k.SupersededBy, &k.Release.ServiceNamespace,
		&k.Release.ServiceName, &k.Release.ServiceVersion, &k.DataPoints, &k.LastSeen); err != nil {
		return err
	}
	ks.streams = append(ks.streams, k)
	if ks.seen == nil {
		ks.seen = map[string]bool{}
	}
	if !ks.seen[k.StreamID] {
		ks.seen[k.StreamID] = true
		ks.ids = append(ks.ids, k.StreamID)
	}
	return nil
}

// keyCosts is the cost of each key in scope that had data in the window.
func (s *Store) keyCosts(ctx context.Context, scope keyScope, q sqlstore.CostQuery) (map[string]catalog.Cost, error) {
	streams, series, err := s.activeCosts(ctx, scope, q.Since(), costRead{seriesOnly: true})
	if err != nil || len(streams) == 0 {
		return map[string]catalog.Cost{}, err
	}
	return sqlstore.KeyCosts(streams, series, q)
}

// costQuery is a read's query over window w, now.
func (s *Store) costQuery(w tallycatv1.Window) sqlstore.CostQuery {
	return sqlstore.CostQuery{Window: w, Now: s.now(), Config: s.cost}
}

// ListTopSeries implements catalog.Store.
func (s *Store) ListTopSeries(ctx context.Context, w tallycatv1.Window, limit int) (*catalog.TopSeries, error) {
	q := s.costQuery(w)
	streams, rows, err := s.activeCosts(ctx, everyKey, q.Since(), costRead{})
	if err != nil {
		return nil, fmt.Errorf("list top series: %w", err)
	}
	top, err := sqlstore.Top(streams, rows, q, limit)
	if err != nil || len(top.Metrics) == 0 {
		return top, err
	}
	keys := make([]string, len(top.Metrics))
	index := map[string]int{}
	for i, m := range top.Metrics {
		keys[i], index[m.Key] = m.Key, i
	}
	err = eachRow(ctx, s.pool, `SELECT schema_key, metric_type FROM schema_keys WHERE schema_key = ANY($1)`, []any{keys},
		func(rows pgx.Rows) error {
			var key string
			var mt int16
			if err := rows.Scan(&key, &mt); err != nil {
				return err
			}
			top.Metrics[index[key]].Type = tallycatv1.MetricType(mt)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list top series: %w", err)
	}
	return top, nil
}

// GetSeriesHistory implements catalog.Store. Whether the name was ever
// seen is asked in the same batch as its rows.
func (s *Store) GetSeriesHistory(ctx context.Context, schemaKey string) ([]catalog.SeriesPoint, error) {
	now := s.now()
	var r reads
	var known int64
	r.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{schemaKey}, &known)
	l := queueListedCosts(&r, []string{schemaKey}, cardinality.BucketOf(now.Add(-catalog.HistorySpan)), costRead{seriesOnly: true})
	if err := r.send(ctx, s); err != nil {
		return nil, fmt.Errorf("series history of %q: %w", schemaKey, err)
	}
	if known == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no metric named %q has been seen", schemaKey)
	}
	streams, series := l.result()
	return sqlstore.SeriesHistory(streams, series, now)
}
