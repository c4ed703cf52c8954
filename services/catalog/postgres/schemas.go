package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads send their queries as one pgx.Batch wherever the queries do not
// need each other's answers: one round trip, on one pooled connection,
// where DuckDB ran them at once on connections of their own. A read of a
// schema's facts selects every table's rows by a condition on schema_id
// (a sqlstore.Cond) rather than by the ids a first query found, so that the
// schema rows and their facts travel together.
//
// Text is ordered and compared with COLLATE "C" wherever an order is
// visible (names, pages, keyset paging): byte order, as DuckDB and the
// catalog's Go sorts have it, whatever the database's default collation.
// The text columns are declared "C" too, so that their indexes serve
// these orders; the queries say it as well, so that their order does not
// hang on the schema alone (TestReadsOrderNamesByteByByte holds both).

// reads is a batch of read queries, each with what to do with its rows.
type reads struct{ b pgx.Batch }

// each queues a query whose rows fn takes one at a time.
func (r *reads) each(query string, args []any, fn func(pgx.Rows) error) {
	r.b.Queue(query, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// one queues a query of one row, scanned into dest.
func (r *reads) one(query string, args []any, dest ...any) {
	r.b.Queue(query, args...).QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
}

// send runs the queued queries and their callbacks, in order.
func (r *reads) send(ctx context.Context, s *Store) error {
	if r.b.Len() == 0 {
		return nil
	}
	return storageError(s.pool.SendBatch(ctx, &r.b).Close())
}

// eachRow runs one query and hands each row to fn.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return storageError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return storageError(rows.Err())
}

// rowsOf is fn, which takes a row of either driver, as reads and eachRow
// take it.
func rowsOf(fn func(sqlstore.Row) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error { return fn(rows) }
}

// argList numbers a query's arguments as they are added, so that
// conditions can be composed without counting placeholders by hand.
type argList []any

// add appends v and returns its placeholder.
func (a *argList) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// schemasByID selects schemas by id.
func schemasByID(ids []string) sqlstore.Cond {
	return sqlstore.Cond{SQL: `schema_id = ANY($1)`, Args: []any{ids}}
}

// currentOfKeys selects the current schemas of the given metric names.
func currentOfKeys(keys []string) sqlstore.Cond {
	return sqlstore.Cond{SQL: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = ANY($1) AND current_streams > 0)`, Args: []any{keys}}
}

// ofKey selects a metric name's schemas: its current ones, or all of them.
func ofKey(key string, includeSuperseded bool) sqlstore.Cond {
	if includeSuperseded {
		return sqlstore.Cond{SQL: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = $1)`, Args: []any{key}}
	}
	return sqlstore.Cond{SQL: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = $1 AND current_streams > 0)`, Args: []any{key}}
}

// queueSchemaFacts queues the reads of the schemas sel selects (a
// condition on schema_id) into a new set, the schema rows first; a
// schema's current version is its history row with the highest seq.
func queueSchemaFacts(r *reads, sel sqlstore.Cond) *sqlstore.SchemaSet {
	x := sqlstore.NewSchemaSet()
	sr := x.SchemaRead()
	r.each(sr.Query+sel.SQL, sel.Args, rowsOf(sr.Scan))
	r.each(`SELECT DISTINCT ON (schema_id) schema_id, seq, version, status, reason, actor, assigned_at FROM schema_versions
		WHERE `+sel.SQL+` ORDER BY schema_id, seq DESC`, sel.Args, rowsOf(x.ScanCurrentVersion))
	for _, rr := range x.RowReads() {
		r.each(rr.Query+sel.SQL, sel.Args, rowsOf(rr.Scan))
	}
	return x
}

// SchemasByID implements sqlstore.SchemaReader.
func (r dialect) SchemasByID(ctx context.Context, ids []string) (*sqlstore.SchemaSet, error) {
	var b reads
	x := queueSchemaFacts(&b, schemasByID(ids))
	return x, b.send(ctx, r.Store)
}

// SchemasOfKey asks whether the key was ever seen in the same batch as its
// schemas.
func (r dialect) SchemasOfKey(ctx context.Context, key string, includeSuperseded bool) (bool, *sqlstore.SchemaSet, error) {
	var b reads
	var known int64
	b.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{key}, &known)
	x := queueSchemaFacts(&b, ofKey(key, includeSuperseded))
	err := b.send(ctx, r.Store)
	return known > 0, x, err
}
