package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Cost rows (stream_costs, migrations 5, 7 and 9): the planner merges a batch's
// figures with the rows of their buckets (holdings.Costs) and the writer
// stores the result; reads load a schema's or a metric's streams and their
// rows (sqlstore.CostReader), and sqlstore works the figures out. Sketches cannot
// be merged in SQL, so nothing here adds them up.

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
	return scanCosts(ctx, h.conn, `SELECT `+prefixed("c.", sqlstore.CostColumns)+` FROM stream_costs c
		JOIN batch_keys k ON k.a = c.stream_id AND c.bucket = CAST(k.b AS TIMESTAMP)`, nil)
}

// prefixed qualifies each of a list of columns.
func prefixed(prefix, columns string) string {
	return prefix + strings.ReplaceAll(columns, ", ", ", "+prefix)
}

// writeCosts inserts the plan's new cost rows and replaces the others with
// their merged selves: the plan merged each with the row held (its first
// and last seen times too), so every column is the merge's.
func writeCosts(conn *sql.Conn, rows []catalog.CostWrite) error {
	var costs split
	for _, w := range rows {
		blob, err := w.Distinct.MarshalBinary()
		if err != nil {
			return fmt.Errorf("stream_costs: %w", err)
		}
		costs.add(w.New, []driver.Value{w.StreamID, w.Bucket, int8(w.Field.Source), w.Field.Name, int8(w.Field.Type), blob, w.DataPoints,
			sqlstore.EncodeValues(w.Values), int8(w.State), w.FirstSeen.UTC(), w.LastSeen.UTC(), w.LogBytes})
	}
	if err := appendRows(conn, `INSERT INTO stream_costs SELECT * FROM appended_data`, "stream_costs", costs.fresh); err != nil {
		return err
	}
	return appendRows(conn, `INSERT INTO stream_costs SELECT * FROM appended_data
		ON CONFLICT (stream_id, bucket, source, name, value_type) DO UPDATE SET distinct_values = excluded.distinct_values,
		data_points = excluded.data_points, example_values = excluded.example_values, values_state = excluded.values_state,
		first_seen = excluded.first_seen, last_seen = excluded.last_seen, log_bytes = excluded.log_bytes`,
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

// scanCosts reads cost rows of a query selecting sqlstore.CostColumns.
func scanCosts(ctx context.Context, q querier, query string, args []any) ([]catalog.CostRow, error) {
	var out sqlstore.CostRows
	err := scanRows(ctx, q, query, args, rowsOf(out.Scan))
	return out, err
}

// Now implements sqlstore.CostReader and sqlstore.VersionWriter: the
// store's clock.
func (s dialect) Now() time.Time { return s.now() }

// CostConfig implements sqlstore.CostReader.
func (s dialect) CostConfig() catalog.CostConfig { return s.cost }

// noValues is an empty list of example values as a DuckDB constant.
const noValues = `'[]'`

// EachCost implements sqlstore.CostReader; the ids are bound as one list.
func (s dialect) EachCost(ctx context.Context, streams []string, since time.Time, cr sqlstore.CostRead, fn func(*catalog.CostRow) error) error {
	query, args := costQuery(`stream_id IN (SELECT unnest(?::VARCHAR[]))`, []any{streams}, since, cr)
	err := scanRows(ctx, s.db, query, args, rowsOf(sqlstore.EachCostRow(fn)))
	if err != nil {
		return fmt.Errorf("read cost rows: %w", err)
	}
	return nil
}

// ActiveStreams implements sqlstore.CostReader.
func (s dialect) ActiveStreams(ctx context.Context, keys sqlstore.Cond, since time.Time, folded sqlstore.FoldedSpan) (sqlstore.KeyStreams, error) {
	active, args := costQueryOf("stream_id", "TRUE", nil, since, sqlstore.CostRead{SeriesOnly: true, Folded: folded})
	where := "TRUE"
	if keys.SQL != "" {
		where, args = `schema_key IN (SELECT schema_key FROM schema_keys WHERE `+keys.SQL+`)`, append(args, keys.Args...)
	}
	return s.scanKeyStreams(ctx, `schema_id IN (SELECT schema_id FROM schema_streams WHERE stream_id IN (`+active+`)) AND `+where, args)
}

// ListedCosts implements sqlstore.CostReader: the cost rows and the stream
// rows, read at once.
func (s dialect) ListedCosts(ctx context.Context, keys []string, since time.Time, cr sqlstore.CostRead) ([]sqlstore.KeyStream, []catalog.CostRow, error) {
	query, args := costQuery(`stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_key IN (SELECT unnest(?::VARCHAR[])))`,
		[]any{keys}, since, cr)
	var (
		streams sqlstore.KeyStreams
		rows    []catalog.CostRow
	)
	err := parallel(
		func() (err error) {
			rows, err = scanCosts(ctx, s.db, query, args)
			return err
		},
		func() (err error) {
			streams, err = s.scanKeyStreams(ctx, `schema_key IN (SELECT unnest(?::VARCHAR[]))`, []any{keys})
			return err
		},
	)
	return streams.Streams, rows, err
}

// SeriesOfKey implements sqlstore.CostReader: whether the key was seen
// first, and its rows only when it was.
func (s dialect) SeriesOfKey(ctx context.Context, key string, since time.Time) (bool, []sqlstore.KeyStream, []catalog.CostRow, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, key).Scan(&n); err != nil || n == 0 {
		return false, nil, nil, err
	}
	streams, rows, err := s.ListedCosts(ctx, []string{key}, since, sqlstore.CostRead{SeriesOnly: true})
	return true, streams, rows, err
}

// MetricTypes implements sqlstore.CostReader.
func (s dialect) MetricTypes(ctx context.Context, keys []string) (sqlstore.MetricTypes, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	types := sqlstore.MetricTypes{}
	err := scanRows(ctx, s.db, `SELECT schema_key, metric_type FROM schema_keys WHERE schema_key IN (`+placeholders(len(args))+`)`, args,
		rowsOf(types.Scan))
	return types, err
}

// scanKeyStreams reads the stream rows that pass where, and the ids of
// their streams.
func (s *Store) scanKeyStreams(ctx context.Context, where string, args []any) (sqlstore.KeyStreams, error) {
	var ks sqlstore.KeyStreams
	err := scanRows(ctx, s.db, `SELECT `+sqlstore.KeyStreamColumns+` FROM schema_streams WHERE `+where, args, rowsOf(ks.Scan))
	if err != nil {
		return sqlstore.KeyStreams{}, fmt.Errorf("read streams: %w", err)
	}
	return ks, nil
}
