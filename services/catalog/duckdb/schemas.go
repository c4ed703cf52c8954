package duckdb

import (
	"context"
	"database/sql"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// SchemasByID implements sqlstore.SchemaReader.
func (r dialect) SchemasByID(ctx context.Context, ids []string) (*sqlstore.SchemaSet, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return r.readSchemas(ctx, `schema_id IN (`+placeholders(len(ids))+`)`, args...)
}

// SchemasOfKey asks whether the key was seen first, and reads its
// schemas only when it was.
func (r dialect) SchemasOfKey(ctx context.Context, key string, includeSuperseded bool) (bool, *sqlstore.SchemaSet, error) {
	if known, err := r.exists(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, key); err != nil || !known {
		return false, nil, err
	}
	where := `schema_key = ? AND current_streams > 0`
	if includeSuperseded {
		where = `schema_key = ?`
	}
	x, err := r.readSchemas(ctx, where, key)
	return true, x, err
}

// readSchemas reads the schemas matching where into a set, with the rows
// their figures are worked out from. where must be answerable from an
// index of schemas (or, for a range, its zone maps). It makes small
// queries rather than one that joins: each finds its rows through an index
// on schema_id (the ids go in as a constant list, which DuckDB answers from
// the index; a join or subquery makes it scan), and the ones after the
// first run at once, each on a connection of its own.
func (s *Store) readSchemas(ctx context.Context, where string, whereArgs ...any) (*sqlstore.SchemaSet, error) {
	x := sqlstore.NewSchemaSet()
	sr := x.SchemaRead()
	if err := scanRows(ctx, s.db, sr.Query+where, whereArgs, rowsOf(sr.Scan)); err != nil {
		return nil, err
	}
	ids := x.IDs()
	if len(ids) == 0 {
		return x, nil
	}
	in, args := idsIn(ids)
	reads := []func() error{func() error {
		return scanRows(ctx, s.db, `SELECT schema_id, seq, version, status, reason, actor, assigned_at FROM schema_versions
			WHERE schema_id `+in, args, rowsOf(x.ScanCurrentVersion))
	}}
	for _, rr := range x.RowReads() {
		reads = append(reads, func() error { return scanRows(ctx, s.db, rr.Query+`schema_id `+in, args, rowsOf(rr.Scan)) })
	}
	return x, parallel(reads...)
}

// manyIDs is how many schemas readSchemas still reads by a constant list
// of ids; past it (a page of a full judging, ListJudging), the ids go in as
// one comma-separated string that the query splits, which DuckDB joins by
// scanning each table once: cheaper than preparing, binding and probing
// thousands of constants, or binding a list value by value.
const manyIDs = 256

// idsIn is the condition on schema_id, after the column, that selects the
// schemas by id, and its arguments. (Schema ids are hex digits: no commas.)
func idsIn(ids []string) (string, []any) {
	if len(ids) > manyIDs {
		return `IN (SELECT unnest(string_split(?, ',')))`, []any{strings.Join(ids, ",")}
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return `IN (` + placeholders(len(ids)) + `)`, args
}

// scanRows runs a query and hands each row to fn.
func scanRows(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowsOf is fn, which takes a row of either driver, as scanRows takes it.
func rowsOf(fn func(sqlstore.Row) error) func(*sql.Rows) error {
	return func(rows *sql.Rows) error { return fn(rows) }
}

// parallel runs fns at once and returns the first error, once all are done.
func parallel(fns ...func() error) error {
	var g errgroup.Group
	for _, fn := range fns {
		g.Go(fn)
	}
	return g.Wait()
}

// exists reports whether countQuery, a count with arg as its one
// argument, counts anything.
func (s *Store) exists(ctx context.Context, countQuery string, arg any) (bool, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, countQuery, arg).Scan(&n)
	return n > 0, err
}
