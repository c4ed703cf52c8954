package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// AssignVersion implements catalog.Store.
func (s *Store) AssignVersion(ctx context.Context, c catalog.VersionChange) (catalog.Version, error) {
	c = c.ForAssign()
	var out catalog.Version
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		key, err := schemaKeyOf(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		var holder string
		err = tx.QueryRowContext(ctx, `SELECT schema_id FROM schema_versions
			WHERE schema_key = ? AND version = ? AND schema_id <> ? LIMIT 1`, key, c.Version, c.SchemaID).Scan(&holder)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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

// appendVersion adds a history row and its timeline event.
func (s *Store) appendVersion(ctx context.Context, tx *sql.Tx, key string, c catalog.VersionChange, kind tallycatv1.SchemaEventKind) (catalog.Version, error) {
	at := catalog.Stamp(c.At, s.now())
	var seq int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO schema_versions VALUES (nextval('schema_versions_seq'), ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		c.SchemaID, key, c.Version, int8(c.Status), c.Reason, c.Actor, at).Scan(&seq); err != nil {
		return catalog.Version{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
		VALUES (nextval('schema_events_seq'), ?, ?, ?, ?, ?, '', ?, '', '')`, key, c.SchemaID, int8(kind), at, c.Actor, seq); err != nil {
		return catalog.Version{}, err
	}
	return catalog.Version{SchemaID: c.SchemaID, Version: c.Version, Status: c.Status, Reason: c.Reason, Actor: c.Actor, AssignedAt: at}, nil
}

func schemaKeyOf(ctx context.Context, q querier, schemaID string) (string, error) {
	var key string
	err := q.QueryRowContext(ctx, `SELECT schema_key FROM schemas WHERE schema_id = ?`, schemaID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return key, err
}

func currentVersion(ctx context.Context, q querier, schemaID string) (*catalog.Version, error) {
	vs, err := scanVersions(q.QueryContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE schema_id = ? ORDER BY seq DESC LIMIT 1`, schemaID))
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
		if err := s.mustExist(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
			return nil, err
		}
	} else if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_id = ?`, schemaID, "schema %s not found"); err != nil {
		return nil, err
	}
	vs, err := scanVersions(s.db.QueryContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE `+column+` = ? ORDER BY seq DESC`, arg))
	return vs, wrap("list versions", err)
}

func scanVersions(rows *sql.Rows, err error) ([]catalog.Version, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Version
	for rows.Next() {
		var v catalog.Version
		var status int8
		if err := rows.Scan(&v.SchemaID, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt); err != nil {
			return nil, err
		}
		v.Status = tallycatv1.VersionStatus(status)
		out = append(out, v)
	}
	return out, rows.Err()
}

// wrap adds context to infrastructure errors and leaves domain errors as they
// are, since their messages are written for the people who read them.
func wrap(what string, err error) error {
	var e *catalog.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
