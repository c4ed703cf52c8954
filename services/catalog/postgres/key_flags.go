package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// flagTx is the writer's transaction as the key flags' flows run it
// (sqlstore.FlagWriter).
type flagTx struct{ tx pgx.Tx }

func (f flagTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := f.tx.Exec(ctx, query, args...)
	return err
}

func (f flagTx) Scan(ctx context.Context, query string, args []any, fn func(sqlstore.Row) error) error {
	return eachRow(ctx, f.tx, query, args, rowsOf(fn))
}

func (flagTx) In(column string, n int) string {
	return fmt.Sprintf("%s = ANY($%d)", column, n)
}

// fillKeyFlags is migration 9's Go step (sqlstore.FillKeyFlags).
func fillKeyFlags(ctx context.Context, tx pgx.Tx) error {
	return sqlstore.FillKeyFlags(ctx, flagTx{tx})
}
