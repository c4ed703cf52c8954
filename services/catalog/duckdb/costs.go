package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Cost rows (stream_costs, migration 5): the planner merges a batch's
// figures with the rows of their buckets (holdings.Costs) and the writer
// stores the result; reads load a schema's or a metric's streams and their
// rows, and the catalog works the figures out (sqlstore.SchemaCost,
// KeyCosts, Top, SeriesHistory). Sketches cannot be merged in SQL, so
// nothing here adds them up.

// costColumns are stream_costs' columns in the order scanCosts reads them.
const costColumns = `stream_id, bucket, source, name, value_type, distinct_values, data_points, example_values, values_state`

// countColumns are costColumns without the example values, for reads that
// only count: decoding values is most of the cost of reading a row.
var countColumns = strings.Replace(costColumns, "example_values", "'[]'", 1)

// bucketLayout writes a bucket as DuckDB reads a TIMESTAMP from text.
const bucketLayout = "2006-01-02 15:04:05"

// Costs implements catalog.Holdings. Streams the writer knows not to exist
// have no rows: only the others are looked up.
func (h holdings) Costs(ctx context.Context, buckets []catalog.StreamBucket) ([]catalog.CostRow, error) {
	var keys [][]driver.Value
	for _, b := range buckets {
		if h.known != nil {
			if _, ok := h.known.streams[raw(b.StreamID)]; !ok {
				continue
			}
		}
		keys = append(keys, []driver.Value{b.StreamID, b.Bucket.UTC().Format(bucketLayout), ""})
	}
	if len(keys) == 0 {
		return nil, nil
	}
	if err := fillKeys(ctx, h.conn, keys); err != nil {
		return nil, err
	}
	return scanCosts(ctx, h.conn, `SELECT `+prefixed("c.", costColumns)+` FROM stream_costs c
		JOIN batch_keys k ON k.a = c.stream_id AND c.bucket = CAST(k.b AS TIMESTAMP)`, nil)
}

// prefixed qualifies each of a list of columns.
func prefixed(prefix, columns string) string {
	return prefix + strings.ReplaceAll(columns, ", ", ", "+prefix)
}

// writeCosts inserts the plan's new cost rows and replaces the others with
// their merged selves.
func writeCosts(conn *sql.Conn, rows []catalog.CostWrite) error {
	var costs split
	for _, w := range rows {
		blob, err := w.Distinct.MarshalBinary()
		if err != nil {
			return fmt.Errorf("stream_costs: %w", err)
		}
		costs.add(w.New, []driver.Value{w.StreamID, w.Bucket, int8(w.Field.Source), w.Field.Name, int8(w.Field.Type), blob, w.DataPoints,
			sqlstore.EncodeValues(w.Values), int8(w.State)})
	}
	if err := appendRows(conn, `INSERT INTO stream_costs SELECT * FROM appended_data`, "stream_costs", costs.fresh); err != nil {
		return err
	}
	return appendRows(conn, `INSERT INTO stream_costs SELECT * FROM appended_data
		ON CONFLICT (stream_id, bucket, source, name, value_type) DO UPDATE SET distinct_values = excluded.distinct_values,
		data_points = excluded.data_points, example_values = excluded.example_values, values_state = excluded.values_state`,
		"stream_costs", costs.known)
}

// pruneCosts deletes the cost rows past their retention, once a bucket: the
// first write of each bucket does it. Only the writer calls it.
func (s *Store) pruneCosts(ctx context.Context, conn *sql.Conn) error {
	now := s.now()
	if b := cardinality.BucketOf(now); !b.After(s.prunedAt) {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM stream_costs WHERE bucket < ?`, sqlstore.PruneBefore(now)); err != nil {
		return fmt.Errorf("prune cost rows: %w", err)
	}
	s.prunedAt = cardinality.BucketOf(now)
	return nil
}

// scanCosts reads cost rows of a query selecting costColumns.
func scanCosts(ctx context.Context, q querier, query string, args []any) ([]catalog.CostRow, error) {
	var out []catalog.CostRow
	err := eachCostRow(ctx, q, query, args, func(r *catalog.CostRow) error {
		out = append(out, *r)
		return nil
	})
	return out, err
}

// eachCostRow hands fn each cost row of a query selecting costColumns, as
// it reads them; the row is fn's to keep.
func eachCostRow(ctx context.Context, q querier, query string, args []any, fn func(*catalog.CostRow) error) error {
	return scanRows(ctx, q, query, args, func(rows *sql.Rows) error {
		var (
			r           catalog.CostRow
			src, vt, st int8
			blob        []byte
			values      string
		)
		if err := rows.Scan(&r.StreamID, &r.Bucket, &src, &r.Field.Name, &vt, &blob, &r.DataPoints, &values, &st); err != nil {
			return err
		}
		r.Bucket = r.Bucket.UTC()
		r.Field.Source, r.Field.Type, r.State = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt), tallycatv1.ExampleValuesState(st)
		if err := r.Distinct.UnmarshalBinary(blob); err != nil {
			return fmt.Errorf("stream_costs of %s: %w", r.StreamID, err)
		}
		var err error
		if r.Values, err = sqlstore.DecodeValues(values); err != nil {
			return err
		}
		return fn(&r)
	})
}

// costRead says which cost rows a read wants: all, those of the series
// alone, or those of the fields alone; with their example values or
// without.
type costRead struct{ seriesOnly, fieldsOnly, values bool }

// loadCosts reads the cost rows since since of the given streams, the ids
// bound as one list.
func (s *Store) loadCosts(ctx context.Context, streams []string, since time.Time, r costRead) ([]catalog.CostRow, error) {
	var out []catalog.CostRow
	err := s.eachCost(ctx, streams, since, r, func(row *catalog.CostRow) error {
		out = append(out, *row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachCost is loadCosts handing each row to fn as it is read.
func (s *Store) eachCost(ctx context.Context, streams []string, since time.Time, r costRead, fn func(*catalog.CostRow) error) error {
	if len(streams) == 0 {
		return nil
	}
	where := `bucket >= ? AND stream_id IN (SELECT unnest(?::VARCHAR[]))`
	switch {
	case r.seriesOnly:
		where += ` AND source = 0`
	case r.fieldsOnly:
		where += ` AND source <> 0`
	}
	columns := countColumns
	if r.values {
		columns = costColumns
	}
	if err := eachCostRow(ctx, s.db, `SELECT `+columns+` FROM stream_costs WHERE `+where, []any{since, streams}, fn); err != nil {
		return fmt.Errorf("read cost rows: %w", err)
	}
	return nil
}

// keyScope limits a read across metrics: to listed keys (a page of
// them, one metric), or to those passing a condition on schema_streams'
// schema_key with its arguments (every key when where is empty).
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
// them. Otherwise only the schemas that have a stream with series rows
// since since are read: streams that sent nothing in the window (most of
// a large catalog's, at any time) are neither read nor worked on, while a
// schema's other rows are, since which of its streams count depends on
// all of them (sqlstore.Counted). Lists are bound as one parameter.
func (s *Store) activeCosts(ctx context.Context, scope keyScope, since time.Time, r costRead) ([]sqlstore.KeyStream, []catalog.CostRow, error) {
	if scope.keys != nil {
		return s.listedCosts(ctx, scope.keys, since, r)
	}
	streams, ids, err := s.activeStreams(ctx, scope, since)
	if err != nil || len(streams) == 0 {
		return nil, nil, err
	}
	rows, err := s.loadCosts(ctx, ids, since, r)
	return streams, rows, err
}

// activeStreams reads the stream rows of the schemas, of keys in scope
// by its condition, that have a stream with series rows since since, and
// the ids of their streams (see activeCosts).
func (s *Store) activeStreams(ctx context.Context, scope keyScope, since time.Time) ([]sqlstore.KeyStream, []string, error) {
	where, args := "TRUE", []any{since}
	if scope.where != "" {
		where, args = scope.where, append(args, scope.args...)
	}
	return s.scanKeyStreams(ctx, `schema_id IN (SELECT schema_id FROM schema_streams WHERE stream_id IN (
		SELECT stream_id FROM stream_costs WHERE bucket >= ? AND source = 0)) AND `+where, args)
}

// listedCosts is activeCosts for listed keys: their cost rows and their
// stream rows, read at once.
func (s *Store) listedCosts(ctx context.Context, keys []string, since time.Time, r costRead) ([]sqlstore.KeyStream, []catalog.CostRow, error) {
	where := `bucket >= ? AND stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_key IN (SELECT unnest(?::VARCHAR[])))`
	if r.seriesOnly {
		where += ` AND source = 0`
	}
	columns := countColumns
	if r.values {
		columns = costColumns
	}
	var (
		streams []sqlstore.KeyStream
		rows    []catalog.CostRow
	)
	err := parallel(
		func() (err error) {
			rows, err = scanCosts(ctx, s.db, `SELECT `+columns+` FROM stream_costs WHERE `+where, []any{since, keys})
			return err
		},
		func() (err error) {
			streams, _, err = s.scanKeyStreams(ctx, `schema_key IN (SELECT unnest(?::VARCHAR[]))`, []any{keys})
			return err
		},
	)
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	return streams, rows, nil
}

// scanKeyStreams reads the stream rows that pass where, and the ids of
// their streams.
func (s *Store) scanKeyStreams(ctx context.Context, where string, args []any) ([]sqlstore.KeyStream, []string, error) {
	var streams []sqlstore.KeyStream
	var ids []string
	seen := map[string]bool{}
	err := scanRows(ctx, s.db, `SELECT schema_key, schema_id, stream_id, description, superseded_by, service_namespace,
		service_name, service_version, data_point_count, last_seen FROM schema_streams WHERE `+where, args, func(r *sql.Rows) error {
		var k sqlstore.KeyStream
		if err := r.Scan(&k.Key, &k.SchemaID, &k.StreamID, &k.Description, &k.SupersededBy, &k.Release.ServiceNamespace,
			&k.Release.ServiceName, &k.Release.ServiceVersion, &k.DataPoints, &k.LastSeen); err != nil {
			return err
		}
		streams = append(streams, k)
		if !seen[k.StreamID] {
			seen[k.StreamID] = true
			ids = append(ids, k.StreamID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read streams: %w", err)
	}
	return streams, ids, nil
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

// schemaCost fills a schema's cost figures from its streams.
func (s *Store) schemaCost(ctx context.Context, d *catalog.SchemaDetail, streams []sqlstore.SchemaStream, w tallycatv1.Window) error {
	q := s.costQuery(w)
	ids := make([]string, len(streams))
	for i, st := range streams {
		ids[i] = st.StreamID
	}
	rows, err := s.loadCosts(ctx, ids, q.Since(), costRead{values: true})
	if err != nil {
		return err
	}
	return sqlstore.SchemaCost(d, streams, rows, q)
}

// ListTopSeries implements catalog.Store.
func (s *Store) ListTopSeries(ctx context.Context, w tallycatv1.Window, limit int) (*catalog.TopSeries, error) {
	q := s.costQuery(w)
	streams, rows, err := s.activeCosts(ctx, everyKey, q.Since(), costRead{})
	if err != nil {
		return nil, err
	}
	top, err := sqlstore.Top(streams, rows, q, limit)
	if err != nil || len(top.Metrics) == 0 {
		return top, err
	}
	args := make([]any, len(top.Metrics))
	index := map[string]int{}
	for i, m := range top.Metrics {
		args[i], index[m.Key] = m.Key, i
	}
	err = scanRows(ctx, s.db, `SELECT schema_key, metric_type FROM schema_keys WHERE schema_key IN (`+placeholders(len(args))+`)`, args,
		func(rows *sql.Rows) error {
			var key string
			var mt int8
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

// GetSeriesHistory implements catalog.Store.
func (s *Store) GetSeriesHistory(ctx context.Context, schemaKey string) ([]catalog.SeriesPoint, error) {
	if err := s.mustExist(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
		return nil, err
	}
	now := s.now()
	streams, series, err := s.activeCosts(ctx, keysIn(schemaKey), cardinality.BucketOf(now.Add(-catalog.HistorySpan)), costRead{seriesOnly: true})
	if err != nil {
		return nil, err
	}
	return sqlstore.SeriesHistory(streams, series, now)
}
