package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Cost reads: the dialect, as sqlstore.CostReader, loads a schema's or a
// metric's streams and their cost rows, in as few round trips as it can,
// and sqlstore works the figures out. Sketches cannot be merged in SQL, so nothing here adds them
// up.

// noValues is an empty list of example values as a PostgreSQL constant.
const noValues = `'[]'::TEXT`

// costQuerySQL is the query of the cost rows since a bucket of the streams
// cond selects (a condition on stream_id whose arguments, args, come
// first), and its arguments: the folded span's hours from the rollups,
// the other buckets from stream_costs (see cost_rollups.go).
func costQuerySQL(cond string, args []any, since time.Time, cr sqlstore.CostRead) (string, []any) {
	return costQueryOf(cr.Columns(noValues), cond, args, since, cr)
}

// queueCosts queues the read of the cost rows since since of the streams
// cond selects (see costQuerySQL).
func queueCosts(r *reads, cond string, args []any, since time.Time, cr sqlstore.CostRead) *sqlstore.CostRows {
	out := new(sqlstore.CostRows)
	query, a := costQuerySQL(cond, args, since, cr)
	r.each(query, a, rowsOf(out.Scan))
	return out
}

// Now implements sqlstore.CostReader and sqlstore.VersionWriter: the
// store's clock.
func (s dialect) Now() time.Time { return s.now() }

// CostConfig implements sqlstore.CostReader.
func (s dialect) CostConfig() catalog.CostConfig { return s.cost }

// EachCost implements sqlstore.CostReader; the ids are bound as one array.
func (s dialect) EachCost(ctx context.Context, streams []string, since time.Time, cr sqlstore.CostRead, fn func(*catalog.CostRow) error) error {
	query, args := costQuerySQL(`stream_id = ANY($1)`, []any{streams}, since, cr)
	err := eachRow(ctx, s.pool, query, args, rowsOf(sqlstore.EachCostRow(fn)))
	if err != nil {
		return fmt.Errorf("read cost rows: %w", err)
	}
	return nil
}

// ActiveStreams implements sqlstore.CostReader. The condition's arguments
// are its $1 onwards.
func (s dialect) ActiveStreams(ctx context.Context, keys sqlstore.Cond, since time.Time, folded sqlstore.FoldedSpan) (sqlstore.KeyStreams, error) {
	active, args := costQueryOf("stream_id", "TRUE", keys.Args, since, sqlstore.CostRead{SeriesOnly: true, Folded: folded})
	a := argList(args)
	where := `schema_id IN (SELECT schema_id FROM schema_streams WHERE stream_id IN (` + active + `))`
	if keys.SQL != "" {
		where += ` AND schema_key IN (SELECT schema_key FROM schema_keys WHERE ` + keys.SQL + `)`
	}
	var ks sqlstore.KeyStreams
	if err := eachRow(ctx, s.pool, keyStreamQuery+where, a, rowsOf(ks.Scan)); err != nil {
		return sqlstore.KeyStreams{}, fmt.Errorf("read streams: %w", err)
	}
	return ks, nil
}

// ListedCosts implements sqlstore.CostReader: the cost rows and the stream
// rows in one batch.
func (s dialect) ListedCosts(ctx context.Context, keys []string, since time.Time, cr sqlstore.CostRead) ([]sqlstore.KeyStream, []catalog.CostRow, error) {
	var r reads
	l := queueListedCosts(&r, keys, since, cr)
	if err := r.send(ctx, s.Store); err != nil {
		return nil, nil, fmt.Errorf("read cost rows: %w", err)
	}
	return l.streams.Streams, *l.rows, nil
}

// SeriesOfKey implements sqlstore.CostReader: whether the name was ever
// seen is asked in the same batch as its rows.
func (s dialect) SeriesOfKey(ctx context.Context, key string, since time.Time) (bool, []sqlstore.KeyStream, []catalog.CostRow, error) {
	var r reads
	var known int64
	r.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{key}, &known)
	l := queueListedCosts(&r, []string{key}, since, sqlstore.CostRead{SeriesOnly: true})
	if err := r.send(ctx, s.Store); err != nil {
		return false, nil, nil, err
	}
	return known > 0, l.streams.Streams, *l.rows, nil
}

// MetricTypes implements sqlstore.CostReader.
func (s dialect) MetricTypes(ctx context.Context, keys []string) (sqlstore.MetricTypes, error) {
	types := sqlstore.MetricTypes{}
	err := eachRow(ctx, s.pool, `SELECT schema_key, metric_type FROM schema_keys WHERE schema_key = ANY($1)`, []any{keys}, rowsOf(types.Scan))
	return types, err
}

// queueListedCosts queues what ListedCosts reads: the keys' cost rows,
// through their streams, and their stream rows. Its fields are read once
// the batch is sent.
func queueListedCosts(r *reads, keys []string, since time.Time, cr sqlstore.CostRead) *listedCosts {
	l := &listedCosts{rows: queueCosts(r, `stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_key = ANY($1))`, []any{keys}, since, cr)}
	r.each(keyStreamQuery+`schema_key = ANY($1)`, []any{keys}, rowsOf(l.streams.Scan))
	return l
}

// listedCosts is what queueListedCosts reads.
type listedCosts struct {
	streams sqlstore.KeyStreams
	rows    *sqlstore.CostRows
}

// keyStreamQuery selects the stream rows a condition appended to it
// passes, as sqlstore.KeyStreams reads them.
const keyStreamQuery = `SELECT ` + sqlstore.KeyStreamColumns + ` FROM schema_streams WHERE `
