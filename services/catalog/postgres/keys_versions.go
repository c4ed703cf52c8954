package postgres

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyVersions implements sqlstore.KeyDetailReader: a schema's current
// version is its history row with the highest seq, which
// schema_versions_by_schema serves.
func (s dialect) KeyVersions(ctx context.Context, keys []string, each func(sqlstore.Row) error) error {
	return eachRow(ctx, s.pool, `
		SELECT v.schema_key, v.schema_id, v.version, v.status, coalesce(s.current_streams, 0) = 0
		FROM (
			SELECT DISTINCT ON (schema_id) schema_id, schema_key, version, status FROM schema_versions
			WHERE schema_key = ANY($1) ORDER BY schema_id, seq DESC
		) v LEFT JOIN schemas s USING (schema_id)`, []any{keys}, rowsOf(each))
}
