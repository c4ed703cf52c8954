package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// AssignVersion implements catalog.Store. The check that no other schema
// of the key holds the version and the row that takes it are in one
// transaction under the write lock, so of two replicas assigning one
// version to two schemas at once, the second sees the first's row and
// gets ECONFLICT.
func (s *Store) AssignVersion(ctx context.Context, c catalog.VersionChange) (catalog.Version, error) {
	c = c.ForAssign()
	var out catalog.Version
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		key, err := schemaKeyOf(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		var holder string
		err = tx.QueryRow(ctx, `SELECT schema_id FROM schema_versions
			WHERE schema_key = $1 AND version = $2 AND schema_id <> $3 LIMIT 1`, key, c.Version, c.SchemaID).Scan(&holder)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		cur, err := currentVersion(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		if unchanged, err := catalog.CheckAssign(key, c, holder, cur); err != nil || unchanged {
			if cur != nil {
				out = *cur
			}
			return err
		}
		out, err = s.appendVersion(ctx, tx, key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED)
		return err
	})
	if err != nil {
		return catalog.Version{}, wrap("assign version", err)
	}
	return out, nil
}

// SetVersionStatus implements catalog.Store.
func (s *Store) SetVersionStatus(ctx context.Context, c catalog.VersionChange) (catalog.Version, error) {
	var out catalog.Version
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		key, err := schemaKeyOf(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		cur, err := currentVersion(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		if unchanged, err := catalog.CheckStatus(c, cur); err != nil || unchanged {
			if cur != nil {
				out = *cur
			}
			return err
		}
		c.Version = cur.Version
		out, err = s.appendVersion(ctx, tx, key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED)
		return err
	})
	if err != nil {
		return catalog.Version{}, wrap("set version status", err)
	}
	return out, nil
}

// appendVersion adds a history row and its timeline event, in one round
// trip.
func (s *Store) appendVersion(ctx context.Context, tx pgx.Tx, key string, c catalog.VersionChange, kind tallycatv1.SchemaEventKind) (catalog.Version, error) {
	at := catalog.Stamp(c.At, s.now())
	var seq int64
	err := tx.QueryRow(ctx, `WITH v AS (
			INSERT INTO schema_versions (schema_id, schema_key, version, status, reason, actor, assigned_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq),
		e AS (
			INSERT INTO schema_events (schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
			SELECT $2, $1, $8, $7, $6, '', seq, '', '' FROM v)
		SELECT seq FROM v`,
		c.SchemaID, key, c.Version, int16(c.Status), c.Reason, c.Actor, at, int16(kind)).Scan(&seq)
	if err != nil {
		return catalog.Version{}, err
	}
	return catalog.Version{SchemaID: c.SchemaID, Version: c.Version, Status: c.Status, Reason: c.Reason, Actor: c.Actor, AssignedAt: at}, nil
}

// schemaKeyOf is the key of a schema, or ENOTFOUND.
func schemaKeyOf(ctx context.Context, q querier, schemaID string) (string, error) {
	var key string
	err := q.QueryRow(ctx, `SELECT schema_key FROM schemas WHERE schema_id = $1`, schemaID).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return key, err
}

// currentVersion is a schema's latest version row, or nil.
func currentVersion(ctx context.Context, q querier, schemaID string) (*catalog.Version, error) {
	vs, err := scanVersions(ctx, q, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE schema_id = $1 ORDER BY seq DESC LIMIT 1`, schemaID)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}

// ListVersions implements catalog.Store.
func (s *Store) ListVersions(ctx context.Context, schemaID, schemaKey string) ([]catalog.Version, error) {
	column, arg := "schema_id", schemaID
	if schemaID == "" {
		column, arg = "schema_key", schemaKey
		if err := mustExist(ctx, s.pool, `SELECT count(*) FROM schema_keys WHERE schema_key = $1`, schemaKey, "no metric named %q has been seen"); err != nil {
			return nil, wrap("list versions", err)
		}
	} else if err := mustExist(ctx, s.pool, `SELECT count(*) FROM schemas WHERE schema_id = $1`, schemaID, "schema %s not found"); err != nil {
		return nil, wrap("list versions", err)
	}
	vs, err := scanVersions(ctx, s.pool, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE `+column+` = $1 ORDER BY seq DESC`, arg)
	return vs, wrap("list versions", storageError(err))
}

// scanVersions reads the versions a query selects, in its order.
func scanVersions(ctx context.Context, q querier, query string, args ...any) ([]catalog.Version, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (catalog.Version, error) {
		var v catalog.Version
		var status int16
		err := row.Scan(&v.SchemaID, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt)
		v.Status = tallycatv1.VersionStatus(status)
		return v, err
	})
}
