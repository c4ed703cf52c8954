package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
)

// DismissProposal implements catalog.Store. The dismissal is filed under
// the key the schema has in the catalog, whatever d.SchemaKey says, so
// that ListDismissals by key finds it. A second dismissal of the same
// version of the same schema keeps the first (ON CONFLICT DO NOTHING).
func (s *Store) DismissProposal(ctx context.Context, d catalog.Dismissal) error {
	at := catalog.Stamp(d.At, s.now())
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		key, err := schemaKeyOf(ctx, tx, d.SchemaID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO proposal_dismissals (schema_id, proposed_version, schema_key, actor, reason, dismissed_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (schema_id, proposed_version) DO NOTHING`,
			d.SchemaID, d.Version, key, d.Actor, d.Reason, at)
		return err
	})
	return wrap("dismiss proposal", err)
}

// ListDismissals implements catalog.Store.
func (s *Store) ListDismissals(ctx context.Context, schemaKey string) ([]catalog.Dismissal, error) {
	rows, err := s.pool.Query(ctx, `SELECT schema_id, schema_key, proposed_version, reason, actor, dismissed_at
		FROM proposal_dismissals WHERE $1 = '' OR schema_key = $1
		ORDER BY dismissed_at, schema_id, proposed_version`, schemaKey)
	if err != nil {
		return nil, wrap("list dismissals", storageError(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (catalog.Dismissal, error) {
		var d catalog.Dismissal
		err := row.Scan(&d.SchemaID, &d.SchemaKey, &d.Version, &d.Reason, &d.Actor, &d.At)
		return d, err
	})
	return out, wrap("list dismissals", storageError(err))
}
