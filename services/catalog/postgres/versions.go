package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// WriteVersions implements sqlstore.VersionWriter.
func (v dialect) WriteVersions(ctx context.Context, fn func(sqlstore.VersionTx) error) error {
	return v.inTx(ctx, func(tx pgx.Tx) error { return fn(versionTx{tx}) })
}

// versionTx is a write transaction's versioning SQL.
type versionTx struct{ tx pgx.Tx }

// KeyOf implements sqlstore.VersionTx.
func (t versionTx) KeyOf(ctx context.Context, schemaID string) (string, error) {
	var key string
	err := t.tx.QueryRow(ctx, `SELECT schema_key FROM schemas WHERE schema_id = $1`, schemaID).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return key, err
}

// Holder implements sqlstore.VersionTx.
func (t versionTx) Holder(ctx context.Context, key, version, schemaID string) (string, error) {
	var holder string
	err := t.tx.QueryRow(ctx, `SELECT schema_id FROM schema_versions
		WHERE schema_key = $1 AND version = $2 AND schema_id <> $3 LIMIT 1`, key, version, schemaID).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return holder, err
}

// Current implements sqlstore.VersionTx.
func (t versionTx) Current(ctx context.Context, schemaID string) (*catalog.Version, error) {
	v, err := sqlstore.ScanVersion(t.tx.QueryRow(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE schema_id = $1 ORDER BY seq DESC LIMIT 1`, schemaID))
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil // no version yet
		}
		return nil, err
	}
	return &v, nil
}

// Append adds the history row and its timeline event in one round trip.
func (t versionTx) Append(ctx context.Context, key string, v catalog.Version, kind tallycatv1.SchemaEventKind) error {
	var seq int64
	return t.tx.QueryRow(ctx, `WITH v AS (
			INSERT INTO schema_versions (schema_id, schema_key, version, status, reason, actor, assigned_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq),
		e AS (
			INSERT INTO schema_events (schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
			SELECT $2, $1, $8, $7, $6, '', seq, '', '' FROM v)
		SELECT seq FROM v`,
		v.SchemaID, key, v.Version, int16(v.Status), v.Reason, v.Actor, v.AssignedAt, int16(kind)).Scan(&seq)
}

// Dismiss implements sqlstore.VersionTx.
func (t versionTx) Dismiss(ctx context.Context, key string, d catalog.Dismissal) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO proposal_dismissals (schema_id, proposed_version, schema_key, actor, reason, dismissed_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (schema_id, proposed_version) DO NOTHING`,
		d.SchemaID, d.Version, key, d.Actor, d.Reason, d.At)
	return err
}

// Versions implements sqlstore.VersionReader.
func (v dialect) Versions(ctx context.Context, schemaID, key string, each func(sqlstore.Row) error) (bool, error) {
	column, arg, count := "schema_id", schemaID, `SELECT count(*) FROM schemas WHERE schema_id = $1`
	if schemaID == "" {
		column, arg, count = "schema_key", key, `SELECT count(*) FROM schema_keys WHERE schema_key = $1`
	}
	if known, err := exists(ctx, v.pool, count, arg); err != nil || !known {
		return false, err
	}
	return true, eachRow(ctx, v.pool, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE `+column+` = $1 ORDER BY seq DESC`, []any{arg}, rowsOf(each))
}
