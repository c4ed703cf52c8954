package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// AssignVersion implements catalog.Store.
func (s *Store) AssignVersion(ctx context.Context, c catalog.VersionChange) (*tallycatv1.SchemaVersion, error) {
	if c.Status == tallycatv1.VersionStatus_VERSION_STATUS_UNSPECIFIED {
		c.Status = tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE
	}
	var out *tallycatv1.SchemaVersion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		key, err := schemaKeyOf(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		var holder string
		err = tx.QueryRowContext(ctx, `SELECT schema_id FROM schema_versions
			WHERE schema_key = ? AND version = ? AND schema_id <> ? LIMIT 1`, key, c.Version, c.SchemaID).Scan(&holder)
		switch {
		case err == nil:
			return catalog.Errorf(catalog.ECONFLICT, "version %s of metric %q is already held by schema %s", c.Version, key, holder)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		cur, err := currentVersion(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		if cur != nil && cur.Version == c.Version && cur.Status == c.Status && cur.Reason == c.Reason {
			out = cur // Asking again for what is already so changes nothing.
			return nil
		}
		out, err = s.appendVersion(ctx, tx, key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED)
		return err
	})
	if err != nil {
		return nil, wrap("assign version", err)
	}
	return out, nil
}

// SetVersionStatus implements catalog.Store.
func (s *Store) SetVersionStatus(ctx context.Context, c catalog.VersionChange) (*tallycatv1.SchemaVersion, error) {
	var out *tallycatv1.SchemaVersion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		key, err := schemaKeyOf(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		cur, err := currentVersion(ctx, tx, c.SchemaID)
		if err != nil {
			return err
		}
		if cur == nil {
			return catalog.Errorf(catalog.EFAILEDPRECONDITION, "schema %s has no version yet: assign one first", c.SchemaID)
		}
		if cur.Status == c.Status && cur.Reason == c.Reason {
			out = cur
			return nil
		}
		c.Version = cur.Version
		out, err = s.appendVersion(ctx, tx, key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED)
		return err
	})
	if err != nil {
		return nil, wrap("set version status", err)
	}
	return out, nil
}

// appendVersion adds a history row and its timeline event.
func (s *Store) appendVersion(ctx context.Context, tx *sql.Tx, key string, c catalog.VersionChange, kind tallycatv1.SchemaEventKind) (*tallycatv1.SchemaVersion, error) {
	at := c.At
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Microsecond)
	var seq int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO schema_versions VALUES (nextval('schema_versions_seq'), ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		c.SchemaID, key, c.Version, int8(c.Status), c.Reason, c.Actor, at).Scan(&seq); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
		VALUES (nextval('schema_events_seq'), ?, ?, ?, ?, ?, '', ?, '', '')`, key, c.SchemaID, int8(kind), at, c.Actor, seq); err != nil {
		return nil, err
	}
	return &tallycatv1.SchemaVersion{SchemaId: c.SchemaID, Version: c.Version, Status: c.Status, Reason: c.Reason,
		Actor: c.Actor, AssignedAt: timestamppb.New(at)}, nil
}

func schemaKeyOf(ctx context.Context, q querier, schemaID string) (string, error) {
	var key string
	err := q.QueryRowContext(ctx, `SELECT schema_key FROM schemas WHERE schema_id = ?`, schemaID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return key, err
}

func currentVersion(ctx context.Context, q querier, schemaID string) (*tallycatv1.SchemaVersion, error) {
	vs, err := scanVersions(q.QueryContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE schema_id = ? ORDER BY seq DESC LIMIT 1`, schemaID))
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return vs[0], nil
}

// ListVersions implements catalog.Store.
func (s *Store) ListVersions(ctx context.Context, schemaID, schemaKey string) ([]*tallycatv1.SchemaVersion, error) {
	column, arg := "schema_id", schemaID
	if schemaID == "" {
		column, arg = "schema_key", schemaKey
		if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
			return nil, err
		}
	} else if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_id = ?`, schemaID, "schema %s not found"); err != nil {
		return nil, err
	}
	vs, err := scanVersions(s.db.QueryContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
		FROM schema_versions WHERE `+column+` = ? ORDER BY seq DESC`, arg))
	return vs, wrap("list versions", err)
}

func scanVersions(rows *sql.Rows, err error) ([]*tallycatv1.SchemaVersion, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tallycatv1.SchemaVersion
	for rows.Next() {
		var v tallycatv1.SchemaVersion
		var status int8
		var at time.Time
		if err := rows.Scan(&v.SchemaId, &v.Version, &status, &v.Reason, &v.Actor, &at); err != nil {
			return nil, err
		}
		v.Status, v.AssignedAt = tallycatv1.VersionStatus(status), timestamppb.New(at)
		out = append(out, &v)
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
