package duckdb

import (
	"context"
	"database/sql"

	"github.com/tallycat/tallycat/services/catalog"
)

// DismissProposal implements catalog.Store. The dismissal is filed under
// the key the schema has in the catalog, whatever d.SchemaKey says, so
// that ListDismissals by key finds it.
func (s *Store) DismissProposal(ctx context.Context, d catalog.Dismissal) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		key, err := schemaKeyOf(ctx, tx, d.SchemaID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO proposal_dismissals
			(schema_id, proposed_version, schema_key, actor, reason, dismissed_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			d.SchemaID, d.Version, key, d.Actor, d.Reason, catalog.Stamp(d.At, s.now()))
		return err
	})
	return wrap("dismiss proposal", err)
}

// ListDismissals implements catalog.Store.
func (s *Store) ListDismissals(ctx context.Context, schemaKey string) ([]catalog.Dismissal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT schema_id, proposed_version, schema_key, actor, reason, dismissed_at
		FROM proposal_dismissals WHERE ? = '' OR schema_key = ?
		ORDER BY dismissed_at, schema_id, proposed_version`, schemaKey, schemaKey)
	if err != nil {
		return nil, wrap("list dismissals", err)
	}
	defer rows.Close()
	var out []catalog.Dismissal
	for rows.Next() {
		var d catalog.Dismissal
		if err := rows.Scan(&d.SchemaID, &d.Version, &d.SchemaKey, &d.Actor, &d.Reason, &d.At); err != nil {
			return nil, wrap("list dismissals", err)
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, wrap("list dismissals", rows.Err())
}
