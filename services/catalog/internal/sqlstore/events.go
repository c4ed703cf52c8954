package sqlstore

import (
	"context"
	"fmt"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// EventReader is a store as ListSchemaEvents reads it, in its SQL.
type EventReader interface {
	// KeyEvents hands key's timeline to each, newest first (then by
	// seq, latest first), from offset and at most limit rows, selected
	// by SelectEvents; known is false when key was never seen, and
	// what was handed is then dropped.
	KeyEvents(ctx context.Context, key string, offset, limit int, each func(Row) error) (known bool, err error)
}

// ListSchemaEvents implements catalog.Store.ListSchemaEvents on r.
func ListSchemaEvents(ctx context.Context, r EventReader, key string, offset, limit int) ([]catalog.Event, error) {
	var out []catalog.Event
	known, err := r.KeyEvents(ctx, key, offset, LimitOf(limit), func(row Row) error {
		e, err := ScanEvent(row, key)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", catalog.DescribeKey(key), err)
	}
	if !known {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no %s has been seen", catalog.DescribeKey(key))
	}
	return out, nil
}

// SelectEvents is the start of a query of events, up to its WHERE, in
// both stores' SQL: schema_events e with the producer and the version it
// names, as ScanEvent reads them. An event names its instance by producer
// id where it has one, and carries the identity itself where it names a
// release (a move, a release joining a schema), which has no producers
// row; events written before releases were named carry only a producer id.
const SelectEvents = `SELECT e.schema_id, e.kind, e.occurred_at, e.actor, e.previous_description, e.description,
		coalesce(p.service_name, e.service_name), coalesce(p.service_namespace, e.service_namespace),
		coalesce(p.service_version, e.service_version), coalesce(p.service_instance_id, e.service_instance_id),
		e.target_schema_id, e.added,
		v.version, v.status, v.reason, v.actor, v.assigned_at
	FROM schema_events e
	LEFT JOIN producers p ON p.producer_id = e.producer_id AND e.producer_id <> ''
	LEFT JOIN schema_versions v ON v.seq = e.version_seq`

// ScanEvent reads one event of key selected as SelectEvents selects it.
func ScanEvent(r Row, key string) (catalog.Event, error) {
	var (
		e                      = catalog.Event{Key: key}
		kind                   Enum
		p                      catalog.ProducerIdentity
		added                  string
		version, reason, actor *string
		status                 *Enum
		at                     *time.Time
	)
	if err := r.Scan(&e.SchemaID, &kind, &e.At, &e.Actor, &e.PreviousDescription, &e.Description,
		&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID, &e.TargetSchemaID, &added,
		&version, &status, &reason, &actor, &at); err != nil {
		return e, err
	}
	e.Kind = tallycatv1.SchemaEventKind(kind)
	e.Signal, e.Name = catalog.ParseStoredKey(key)
	if p != (catalog.ProducerIdentity{}) {
		e.Producer = &p
	}
	if added != "" {
		var err error
		if e.Added, err = catalog.DecodeAttributes(added); err != nil {
			return e, err
		}
	}
	if version != nil {
		e.Version = &catalog.Version{SchemaID: e.SchemaID, Version: *version, Status: tallycatv1.VersionStatus(deref(status)),
			Reason: deref(reason), Actor: deref(actor), AssignedAt: deref(at)}
	}
	return e, nil
}

// deref is what p points to, or the zero value for nil (a column of a
// left join that found nothing).
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
