package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyEvents asks whether the key was seen first, and reads its timeline
// only when it was.
func (r dialect) KeyEvents(ctx context.Context, key string, offset, limit int, each func(sqlstore.Row) error) (bool, error) {
	if known, err := r.exists(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, key); err != nil || !known {
		return false, err
	}
	return true, scanRows(ctx, r.db, sqlstore.SelectEvents+`
		WHERE e.schema_key = ?
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT ? OFFSET ?`, []any{key, limit, offset}, rowsOf(each))
}
