package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyVersions implements sqlstore.KeyDetailReader.
func (s dialect) KeyVersions(ctx context.Context, keys []string, each func(sqlstore.Row) error) error {
	return scanRows(ctx, s.db, `
		SELECT v.schema_key, v.schema_id, v.version, v.status, coalesce(s.current_streams, 0) = 0
		FROM (
			SELECT schema_id, any_value(schema_key) AS schema_key, arg_max(version, seq) AS version, arg_max(status, seq) AS status
			FROM schema_versions WHERE schema_key IN (SELECT unnest(?::VARCHAR[])) GROUP BY schema_id
		) v LEFT JOIN schemas s USING (schema_id)`, []any{keys}, rowsOf(each))
}
