package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Dismissals implements sqlstore.VersionReader.
func (v dialect) Dismissals(ctx context.Context, key string, each func(sqlstore.Row) error) error {
	return scanRows(ctx, v.db, `SELECT schema_id, schema_key, proposed_version, reason, actor, dismissed_at
		FROM proposal_dismissals WHERE ? = '' OR schema_key = ?
		ORDER BY dismissed_at, schema_id, proposed_version`, []any{key, key}, rowsOf(each))
}
