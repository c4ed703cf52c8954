package sqlstore

import (
	"context"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// The rules of versioning, and the flows that apply them inside the
// transaction that writes the change: a version's check and the row that
// takes it must see the same database, so every read a flow makes goes
// through the store's write transaction, under its write lock.

// VersionTx is what the versioning flows read and write inside a store's
// write transaction, in the store's SQL. Its errors are the database's, or
// ENOTFOUND from KeyOf; the store maps the database's when the transaction
// ends.
type VersionTx interface {
	// KeyOf is the key of a schema, or ENOTFOUND.
	KeyOf(ctx context.Context, schemaID string) (string, error)
	// Holder is another schema of key that holds or held version, or
	// "" when none does.
	Holder(ctx context.Context, key, version, schemaID string) (string, error)
	// Current is a schema's latest version row, or nil when it has
	// none.
	Current(ctx context.Context, schemaID string) (*catalog.Version, error)
	// Append adds v as its schema's latest history row, and the
	// timeline event of kind that records it.
	Append(ctx context.Context, key string, v catalog.Version, kind tallycatv1.SchemaEventKind) error
	// Dismiss files d under key, keeping an earlier dismissal of the
	// same version of the same schema when there is one.
	Dismiss(ctx context.Context, key string, d catalog.Dismissal) error
}

// VersionWriter is a store as the versioning flows write to it.
type VersionWriter interface {
	// WriteVersions runs fn in a write transaction under the store's
	// write lock and commits it, mapping the database's errors to the
	// catalog's as the store does for every write; fn's domain errors
	// come back as they are.
	WriteVersions(ctx context.Context, fn func(VersionTx) error) error
	// Now is the store's clock, which stamps a change given no time.
	Now() time.Time
}

// AssignVersion implements catalog.Store.AssignVersion on w. The check
// that no other schema of the key holds the version and the row that
// takes it are in one transaction under the write lock, so of two writers
// assigning one version to two schemas at once, the second sees the
// first's row and gets ECONFLICT.
func AssignVersion(ctx context.Context, w VersionWriter, c catalog.VersionChange) (catalog.Version, error) {
	c = c.ForAssign()
	var out catalog.Version
	err := w.WriteVersions(ctx, func(tx VersionTx) error {
		key, err := tx.KeyOf(ctx, c.SchemaID)
		if err != nil {
			return err
		}
		holder, err := tx.Holder(ctx, key, c.Version, c.SchemaID)
		if err != nil {
			return err
		}
		cur, err := tx.Current(ctx, c.SchemaID)
		if err != nil {
			return err
		}
		if unchanged, err := catalog.CheckAssign(key, c, holder, cur); err != nil || unchanged {
			if cur != nil {
				out = *cur
			}
			return err
		}
		out, err = appendVersion(ctx, tx, w.Now(), key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED)
		return err
	})
	if err != nil {
		return catalog.Version{}, Wrap("assign version", err)
	}
	return out, nil
}

// SetVersionStatus implements catalog.Store.SetVersionStatus on w: the
// schema's current version keeps its number and takes the new status.
func SetVersionStatus(ctx context.Context, w VersionWriter, c catalog.VersionChange) (catalog.Version, error) {
	var out catalog.Version
	err := w.WriteVersions(ctx, func(tx VersionTx) error {
		key, err := tx.KeyOf(ctx, c.SchemaID)
		if err != nil {
			return err
		}
		cur, err := tx.Current(ctx, c.SchemaID)
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
		out, err = appendVersion(ctx, tx, w.Now(), key, c, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED)
		return err
	})
	if err != nil {
		return catalog.Version{}, Wrap("set version status", err)
	}
	return out, nil
}

// appendVersion records c as its schema's latest version, stamped with now
// when c has no time, and returns it as it was written.
func appendVersion(ctx context.Context, tx VersionTx, now time.Time, key string, c catalog.VersionChange, kind tallycatv1.SchemaEventKind) (catalog.Version, error) {
	v := catalog.Version{SchemaID: c.SchemaID, Version: c.Version, Status: c.Status, Reason: c.Reason, Actor: c.Actor, AssignedAt: catalog.Stamp(c.At, now)}
	if err := tx.Append(ctx, key, v, kind); err != nil {
		return catalog.Version{}, err
	}
	return v, nil
}

// DismissProposal implements catalog.Store.DismissProposal on w. The
// dismissal is filed under the key the schema has in the catalog, whatever
// d.SchemaKey says, so that ListDismissals by key finds it; a second
// dismissal of the same version of the same schema keeps the first.
func DismissProposal(ctx context.Context, w VersionWriter, d catalog.Dismissal) error {
	err := w.WriteVersions(ctx, func(tx VersionTx) error {
		key, err := tx.KeyOf(ctx, d.SchemaID)
		if err != nil {
			return err
		}
		d.At = catalog.Stamp(d.At, w.Now())
		return tx.Dismiss(ctx, key, d)
	})
	return Wrap("dismiss proposal", err)
}

// VersionReader is a store as ListVersions and ListDismissals read it, in
// its SQL.
type VersionReader interface {
	// Versions hands each history row of the schema schemaID, or with
	// schemaID empty of every schema of key, latest first, to each,
	// selected as ScanVersion reads it; known is false, and nothing is
	// handed, when that schema or key does not exist.
	Versions(ctx context.Context, schemaID, key string, each func(Row) error) (known bool, err error)
	// Dismissals hands each dismissal filed under key, or with key
	// empty every dismissal, to each, selected as ScanDismissal reads
	// it, in the order they were made (then by schema and version).
	Dismissals(ctx context.Context, key string, each func(Row) error) error
}

// ListVersions implements catalog.Store.ListVersions on r.
func ListVersions(ctx context.Context, r VersionReader, schemaID, key string) ([]catalog.Version, error) {
	var out []catalog.Version
	known, err := r.Versions(ctx, schemaID, key, func(row Row) error {
		v, err := ScanVersion(row)
		out = append(out, v)
		return err
	})
	switch {
	case err != nil:
		return nil, Wrap("list versions", err)
	case !known && schemaID == "":
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no %s has been seen", catalog.DescribeKey(key))
	case !known:
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	return out, nil
}

// ListDismissals implements catalog.Store.ListDismissals on r.
func ListDismissals(ctx context.Context, r VersionReader, key string) ([]catalog.Dismissal, error) {
	var out []catalog.Dismissal
	err := r.Dismissals(ctx, key, func(row Row) error {
		d, err := ScanDismissal(row)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, Wrap("list dismissals", err)
	}
	return out, nil
}

// ScanVersion reads a version row selected as schema_id, version, status,
// reason, actor, assigned_at.
func ScanVersion(r Row) (catalog.Version, error) {
	var v catalog.Version
	var status Enum
	err := r.Scan(&v.SchemaID, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt)
	v.Status = tallycatv1.VersionStatus(status)
	return v, err
}

// ScanDismissal reads a dismissal selected as schema_id, schema_key,
// proposed_version, reason, actor, dismissed_at.
func ScanDismissal(r Row) (catalog.Dismissal, error) {
	var d catalog.Dismissal
	err := r.Scan(&d.SchemaID, &d.SchemaKey, &d.Version, &d.Reason, &d.Actor, &d.At)
	d.At = d.At.UTC()
	return d, err
}
