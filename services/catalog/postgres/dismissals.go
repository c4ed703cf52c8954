package postgres

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Dismissals implements sqlstore.VersionReader.
func (v dialect) Dismissals(ctx context.Context, key string, each func(sqlstore.Row) error) error {
	return eachRow(ctx, v.pool, `SELECT schema_id, schema_key, proposed_version, reason, actor, dismissed_at
		FROM proposal_dismissals WHERE $1 = '' OR schema_key = $1
		ORDER BY dismissed_at, schema_id, proposed_version`, []any{key}, rowsOf(each))
}
