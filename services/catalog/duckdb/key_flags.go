package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// recheckDivergence works out again, from their members as they are now,
// whether the keys diverge, and writes it (see sqlstore.KeyMembersQuery).
func recheckDivergence(ctx context.Context, conn *sql.Conn, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	members := sqlstore.KeyMembers{}
	if err := scanRows(ctx, conn, sqlstore.KeyMembersQuery(`ss.schema_key IN (SELECT unnest(?::VARCHAR[]))`), []any{keys},
		rowsOf(members.Scan)); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	_, err := conn.ExecContext(ctx, `UPDATE schema_keys SET diverging = schema_key IN (SELECT unnest(?::VARCHAR[]))
		WHERE schema_key IN (SELECT unnest(?::VARCHAR[]))`, members.Diverging(keys), keys)
	if err != nil {
		return fmt.Errorf("write divergence of keys: %w", err)
	}
	return nil
}

// markSelfOnly writes which keys only TallyCat's own services sent
// (selfOnly, new keys), and which are no longer so (notSelf).
func markSelfOnly(ctx context.Context, conn *sql.Conn, selfOnly, notSelf []string) error {
	if len(selfOnly) > 0 {
		if _, err := conn.ExecContext(ctx, `UPDATE schema_keys SET self_only = true WHERE schema_key IN (SELECT unnest(?::VARCHAR[]))`, selfOnly); err != nil {
			return fmt.Errorf("mark keys TallyCat's own: %w", err)
		}
	}
	if len(notSelf) > 0 {
		if _, err := conn.ExecContext(ctx, `UPDATE schema_keys SET self_only = false WHERE self_only AND schema_key IN (SELECT unnest(?::VARCHAR[]))`, notSelf); err != nil {
			return fmt.Errorf("mark keys sent by others: %w", err)
		}
	}
	return nil
}

// fillKeyFlags is migration 13's Go step: every key's divergence, worked
// out from its members, and whether only TallyCat's own services sent it.
func fillKeyFlags(ctx context.Context, conn *sql.Conn) error {
	// Two updates rather than a NOT IN, as PostgreSQL's migration does.
	for _, q := range []string{`UPDATE schema_keys SET self_only = true`,
		`UPDATE schema_keys SET self_only = false WHERE schema_key IN (` + sqlstore.NotSelfKeys() + `)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var keys sqlstore.Strings
	if err := scanRows(ctx, conn, `SELECT schema_key FROM schema_keys`, nil, rowsOf(keys.Scan)); err != nil {
		return err
	}
	members := sqlstore.KeyMembers{}
	if err := scanRows(ctx, conn, sqlstore.KeyMembersQuery("TRUE"), nil, rowsOf(members.Scan)); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	_, err := conn.ExecContext(ctx, `UPDATE schema_keys SET diverging = schema_key IN (SELECT unnest(?::VARCHAR[]))`, members.Diverging(keys))
	return err
}
