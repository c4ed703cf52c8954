package duckdb

import (
	"context"
	"database/sql"
	"errors"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// WriteVersions implements sqlstore.VersionWriter.
func (v dialect) WriteVersions(ctx context.Context, fn func(sqlstore.VersionTx) error) error {
	return v.inTx(ctx, func(tx *sql.Tx) error { return fn(versionTx{tx}) })
}

// versionTx is a write transaction's versioning SQL.
type versionTx struct{ tx *sql.Tx }

// KeyOf implements sqlstore.VersionTx.
func (t versionTx) KeyOf(ctx context.Context, schemaID string) (string, error) {
	var key string
	err := t.tx.QueryRowContext(ctx, `SELECT schema_key FROM schemas WHERE schema_id = ?`, schemaID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return key, err
}

// Holder implements sqlstore.VersionTx.
func (t versionTx) Holder(ctx context.Context, key, version, schemaID string) (string, error) {
	var holder string
	err := t.tx.QueryRowContext(ctx, `SELECT schema_id FROM schema_versions
		WHERE schema_key = ? AND version = ? AND schema_id <> ? LIMIT 1`, key, version, schemaID).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return holder, err
}

// Current implements sqlstore.VersionTx.
func (t versionTx) Current(ctx context.Context, schemaID string) (*catalog.Version, error) {
	v, err := sqlstore.ScanVersion(t.tx.QueryRowContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE schema_id = ? ORDER BY seq DESC LIMIT 1`, schemaID))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil // no version yet
		}
		return nil, err
	}
	return &v, nil
}

// Append adds the history row, then its timeline event, which names it
// by its seq.
func (t versionTx) Append(ctx context.Context, key string, v catalog.Version, kind tallycatv1.SchemaEventKind) error {
	var seq int64
	if err := t.tx.QueryRowContext(ctx, `INSERT INTO schema_versions VALUES (nextval('schema_versions_seq'), ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		v.SchemaID, key, v.Version, int8(v.Status), v.Reason, v.Actor, v.AssignedAt).Scan(&seq); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
		VALUES (nextval('schema_events_seq'), ?, ?, ?, ?, ?, '', ?, '', '')`, key, v.SchemaID, int8(kind), v.AssignedAt, v.Actor, seq)
	return err
}

// Dismiss implements sqlstore.VersionTx.
func (t versionTx) Dismiss(ctx context.Context, key string, d catalog.Dismissal) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO proposal_dismissals
		(schema_id, proposed_version, schema_key, actor, reason, dismissed_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.SchemaID, d.Version, key, d.Actor, d.Reason, d.At)
	return err
}

// Versions implements sqlstore.VersionReader.
func (v dialect) Versions(ctx context.Context, schemaID, key string, each func(sqlstore.Row) error) (bool, error) {
	column, arg, count := "schema_id", schemaID, `SELECT count(*) FROM schemas WHERE schema_id = ?`
	if schemaID == "" {
		column, arg, count = "schema_key", key, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`
	}
	if known, err := v.exists(ctx, count, arg); err != nil || !known {
		return false, err
	}
	return true, scanRows(ctx, v.db, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE `+column+` = ? ORDER BY seq DESC`, []any{arg}, rowsOf(each))
}
