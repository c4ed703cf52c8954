package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// DismissProposal implements catalog.Store.
func (s *Store) DismissProposal(ctx context.Context, d catalog.Dismissal) error {
	return sqlstore.DismissProposal(ctx, versions{s}, d)
}

// ListDismissals implements catalog.Store.
func (s *Store) ListDismissals(ctx context.Context, schemaKey string) ([]catalog.Dismissal, error) {
	return sqlstore.ListDismissals(ctx, versions{s}, schemaKey)
}

// Dismissals implements sqlstore.VersionReader.
func (v versions) Dismissals(ctx context.Context, key string, each func(sqlstore.Row) error) error {
	return scanRows(ctx, v.s.db, `SELECT schema_id, schema_key, proposed_version, reason, actor, dismissed_at
		FROM proposal_dismissals WHERE ? = '' OR schema_key = ?
		ORDER BY dismissed_at, schema_id, proposed_version`, []any{key, key}, rowsOf(each))
}
