package duckdb

import (
	"context"
	"database/sql"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// flagConn is the writer's connection as the key flags' flows run it
// (sqlstore.FlagWriter): lists are bound as one list parameter, which
// DuckDB joins faster than it binds a parameter per text.
type flagConn struct{ conn *sql.Conn }

func (f flagConn) Exec(ctx context.Context, query string, args ...any) error {
	_, err := f.conn.ExecContext(ctx, query, args...)
	return err
}

func (f flagConn) Scan(ctx context.Context, query string, args []any, fn func(sqlstore.Row) error) error {
	return scanRows(ctx, f.conn, query, args, rowsOf(fn))
}

func (flagConn) In(column string, _ int) string {
	return column + ` IN (SELECT unnest(?::VARCHAR[]))`
}

// fillKeyFlags is migration 13's Go step (sqlstore.FillKeyFlags).
func fillKeyFlags(ctx context.Context, conn *sql.Conn) error {
	return sqlstore.FillKeyFlags(ctx, flagConn{conn})
}
