package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// recheckDivergence works out again, from their members as they are now,
// whether the keys diverge, and writes it (see sqlstore.KeyMembersQuery).
func recheckDivergence(ctx context.Context, tx pgx.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	members := sqlstore.KeyMembers{}
	if err := eachRow(ctx, tx, sqlstore.KeyMembersQuery(`ss.schema_key = ANY($1)`), []any{keys}, rowsOf(members.Scan)); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	_, err := tx.Exec(ctx, `UPDATE schema_keys SET diverging = schema_key = ANY($1) WHERE schema_key = ANY($2)`, members.Diverging(keys), keys)
	if err != nil {
		return fmt.Errorf("write divergence of keys: %w", err)
	}
	return nil
}

// markNotSelf writes that keys are no longer TallyCat's alone.
func markNotSelf(ctx context.Context, tx pgx.Tx, notSelf []string) error {
	if len(notSelf) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE schema_keys SET self_only = false WHERE self_only AND schema_key = ANY($1)`, notSelf); err != nil {
		return fmt.Errorf("mark keys sent by others: %w", err)
	}
	return nil
}

// fillKeyFlags is migration 9's Go step: every key's divergence, worked
// out from its members, and whether only TallyCat's own services sent it.
func fillKeyFlags(ctx context.Context, tx pgx.Tx) error {
	// Two updates rather than a NOT IN, which PostgreSQL runs as a scan
	// of the list per key once the list outgrows its hash memory.
	for _, q := range []string{`UPDATE schema_keys SET self_only = true`,
		`UPDATE schema_keys SET self_only = false WHERE schema_key IN (` + sqlstore.NotSelfKeys() + `)`} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	var keys sqlstore.Strings
	if err := eachRow(ctx, tx, `SELECT schema_key FROM schema_keys`, nil, rowsOf(keys.Scan)); err != nil {
		return err
	}
	members := sqlstore.KeyMembers{}
	if err := eachRow(ctx, tx, sqlstore.KeyMembersQuery("TRUE"), nil, rowsOf(members.Scan)); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	_, err := tx.Exec(ctx, `UPDATE schema_keys SET diverging = true WHERE schema_key = ANY($1)`, members.Diverging(keys))
	return err
}
