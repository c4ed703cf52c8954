package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog/storecopy"
)

// The store's side of `tallycat-catalog copy` (see storecopy): its rows
// in and out as the Kinds storecopy names.

var _ storecopy.Store = (*Store)(nil)

// Export implements storecopy.Store: one REPEATABLE READ, read-only
// transaction, so that every table is read from one snapshot while
// replicas go on writing.
func (s *Store) Export(ctx context.Context, fn func(storecopy.Exporter) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return storageError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(exporter{tx})
}

// exporter reads tables in one transaction.
type exporter struct{ tx pgx.Tx }

// ExportRows implements storecopy.Exporter.
func (e exporter) ExportRows(ctx context.Context, t storecopy.Table, fn func(row []any) error) error {
	rows, err := e.tx.Query(ctx, `SELECT `+t.ColumnNames()+` FROM `+t.Name+` ORDER BY `+t.Order)
	if err != nil {
		return storageError(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		row := make([]any, len(vals))
		for i, c := range t.Columns {
			if row[i], err = storecopy.Value(c.Kind, vals[i]); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name, c.Name, err)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return storageError(rows.Err())
}

// ImportRows implements storecopy.Store, with COPY.
func (s *Store) ImportRows(ctx context.Context, t storecopy.Table, rows [][]any) error {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	for _, row := range rows {
		for i, v := range row {
			switch v := v.(type) {
			case uint64:
				row[i] = int64(v) // the uint64's bits, as the store keeps them
			case time.Time:
				row[i] = utc(v)
			}
		}
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, names, pgx.CopyFromRows(rows))
		return err
	})
}

// Identity implements storecopy.Store: the server's system identifier
// (the same whatever host name or address reaches it) and the database;
// the address the pool reached when the role may not read the identifier.
func (s *Store) Identity(ctx context.Context) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT system_identifier::text || '/' || current_database() FROM pg_control_system()`).Scan(&id)
	if err != nil {
		err = s.pool.QueryRow(ctx, `SELECT coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0) || '/' || current_database()`).Scan(&id)
	}
	return "postgres:" + id, storageError(err)
}

// CountRows implements storecopy.Store.
func (s *Store) CountRows(ctx context.Context, t storecopy.Table) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM `+t.Name).Scan(&n)
	return n, storageError(err)
}

// ClearTables implements storecopy.Store.
func (s *Store) ClearTables(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, t := range storecopy.Tables {
			if _, err := tx.Exec(ctx, `TRUNCATE `+t.Name); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinishImport implements storecopy.Store: the sequences continue past the
// highest seq imported.
func (s *Store) FinishImport(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, seq := range []struct{ sequence, table string }{
			{"schema_versions_seq", "schema_versions"}, {"schema_events_seq", "schema_events"},
		} {
			if _, err := tx.Exec(ctx, `SELECT setval('`+seq.sequence+`', coalesce((SELECT max(seq) FROM `+seq.table+`), 0) + 1, false)`); err != nil {
				return fmt.Errorf("%s: %w", seq.sequence, err)
			}
		}
		return nil
	})
}
