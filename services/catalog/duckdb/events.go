package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// ListSchemaEvents implements catalog.Store.
func (s *Store) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]catalog.Event, error) {
	return sqlstore.ListSchemaEvents(ctx, eventReader{s}, schemaKey, offset, limit)
}

// eventReader is the store as sqlstore.ListSchemaEvents reads it.
type eventReader struct{ s *Store }

// KeyEvents asks whether the key was seen first, and reads its timeline
// only when it was.
func (r eventReader) KeyEvents(ctx context.Context, key string, offset, limit int, each func(sqlstore.Row) error) (bool, error) {
	if known, err := r.s.exists(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, key); err != nil || !known {
		return false, err
	}
	return true, scanRows(ctx, r.s.db, sqlstore.SelectEvents+`
		WHERE e.schema_key = ?
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT ? OFFSET ?`, []any{key, limit, offset}, rowsOf(each))
}
