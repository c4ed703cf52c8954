package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tallycat/tallycat/services/catalog/storecopy"
)

// The store's side of `tallycat-catalog copy` (see storecopy): its rows
// in and out as the Kinds storecopy names, whatever DuckDB types hold them.

var _ storecopy.Store = (*Store)(nil)

// Export implements storecopy.Store: one read transaction, which DuckDB
// gives a snapshot of the database.
func (s *Store) Export(ctx context.Context, fn func(storecopy.Exporter) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(exporter{tx})
}

// exporter reads tables in one transaction.
type exporter struct{ q querier }

// ExportRows implements storecopy.Exporter.
func (e exporter) ExportRows(ctx context.Context, t storecopy.Table, fn func(row []any) error) error {
	rows, err := e.q.QueryContext(ctx, `SELECT `+t.ColumnNames()+` FROM `+t.Name+` ORDER BY `+t.Order)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		raw := make([]any, len(t.Columns))
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make([]any, len(raw))
		for i, c := range t.Columns {
			if row[i], err = storecopy.Value(c.Kind, raw[i]); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name, c.Name, err)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ImportRows implements storecopy.Store. DuckDB's appender wants each
// value in its column's own Go type (int8 for a TINYINT), so the table's
// column types are read first.
func (s *Store) ImportRows(ctx context.Context, t storecopy.Table, rows [][]any) error {
	types, err := s.columnTypes(ctx, t.Name)
	if err != nil {
		return err
	}
	out := make([][]driver.Value, len(rows))
	for r, row := range rows {
		vals := make([]driver.Value, len(row))
		for i, c := range t.Columns {
			if vals[i], err = imported(types[c.Name], row[i]); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name, c.Name, err)
			}
		}
		out[r] = vals
	}
	return s.inConnTx(ctx, func(conn *sql.Conn) error {
		return appendRows(conn, `INSERT INTO `+t.Name+` (`+t.ColumnNames()+`) SELECT * FROM appended_data`, t.Name, out)
	})
}

// columnTypes returns DuckDB's type of each column of table.
func (s *Store) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		types[name] = typ
	}
	return types, rows.Err()
}

// imported converts a value of a column's Kind to the Go type of DuckDB's
// column type typ.
func imported(typ string, v any) (driver.Value, error) {
	switch n := v.(type) {
	case int64:
		return intAs(typ, n)
	case uint64:
		if typ == "UBIGINT" {
			return n, nil
		}
		return intAs(typ, int64(n))
	case []int64:
		elem := strings.TrimSuffix(typ, "[]")
		out := make([]any, len(n))
		for i, e := range n {
			x, err := intAs(elem, e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case []string:
		out := make([]any, len(n))
		for i, e := range n {
			out[i] = e
		}
		return out, nil
	}
	return v, nil
}

func intAs(typ string, n int64) (driver.Value, error) {
	switch typ {
	case "TINYINT":
		return int8(n), nil
	case "SMALLINT":
		return int16(n), nil
	case "INTEGER":
		return int32(n), nil
	case "BIGINT":
		return n, nil
	case "UBIGINT":
		return uint64(n), nil
	}
	return nil, fmt.Errorf("an integer for a %s column", typ)
}

// Identity implements storecopy.Store: the file's absolute path, its
// links resolved; an in-memory database is one of its own.
func (s *Store) Identity(context.Context) (string, error) {
	if s.path == "" || s.path == ":memory:" {
		return fmt.Sprintf("duckdb:memory:%p", s), nil
	}
	abs, err := filepath.Abs(s.path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return "duckdb:" + abs, nil
}

// CountRows implements storecopy.Store.
func (s *Store) CountRows(ctx context.Context, t storecopy.Table) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&n)
	return n, err
}

// ClearTables implements storecopy.Store.
func (s *Store) ClearTables(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range storecopy.Tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.Name); err != nil {
				return err
			}
		}
		return nil
	})
	s.writeMu.Lock()
	s.known = nil // the writer's memory of ids no longer holds
	s.writeMu.Unlock()
	return err
}

// FinishImport implements storecopy.Store. DuckDB cannot set a sequence's
// value, so each is drawn from as many times as the highest seq imported,
// which takes it past that seq wherever it stood; and the writer's memory
// of ids is dropped, to be loaded afresh.
func (s *Store) FinishImport(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.known = nil
		for _, seq := range []struct{ sequence, table string }{
			{"schema_versions_seq", "schema_versions"}, {"schema_events_seq", "schema_events"},
		} {
			if _, err := tx.ExecContext(ctx, `SELECT max(nextval('`+seq.sequence+`')) FROM range(
				(SELECT coalesce(max(seq), 0) FROM `+seq.table+`))`); err != nil {
				return fmt.Errorf("%s: %w", seq.sequence, err)
			}
		}
		return nil
	})
}
