package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// ListSchemaEvents implements catalog.Store. Whether the name was ever
// seen is asked in the same batch as its timeline.
func (s *Store) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]catalog.Event, error) {
	var r reads
	var known int64
	r.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{schemaKey}, &known)
	// An event names its instance by producer id where it has one, and
	// carries the identity itself where it names a release (a move, a
	// release joining a schema), which has no producers row.
	var out []catalog.Event
	r.each(`
		SELECT e.schema_id, e.kind, e.occurred_at, e.actor, e.previous_description, e.description,
			coalesce(p.service_name, e.service_name), coalesce(p.service_namespace, e.service_namespace),
			coalesce(p.service_version, e.service_version), coalesce(p.service_instance_id, e.service_instance_id),
			e.target_schema_id, e.added,
			v.version, v.status, v.reason, v.actor, v.assigned_at
		FROM schema_events e
		LEFT JOIN producers p ON p.producer_id = e.producer_id AND e.producer_id <> ''
		LEFT JOIN schema_versions v ON v.seq = e.version_seq
		WHERE e.schema_key = $1
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT $2 OFFSET $3`, []any{schemaKey, limitOf(limit), offset}, func(rows pgx.Rows) error {
		var (
			e                      = catalog.Event{Key: schemaKey}
			kind                   int16
			p                      catalog.ProducerIdentity
			added                  string
			version, reason, actor *string
			status                 *int16
			vAt                    *time.Time
		)
		if err := rows.Scan(&e.SchemaID, &kind, &e.At, &e.Actor, &e.PreviousDescription, &e.Description,
			&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID, &e.TargetSchemaID, &added,
			&version, &status, &reason, &actor, &vAt); err != nil {
			return err
		}
		e.Kind = tallycatv1.SchemaEventKind(kind)
		if p != (catalog.ProducerIdentity{}) {
			e.Producer = &p
		}
		if added != "" {
			var err error
			if e.Added, err = catalog.DecodeAttributes(added); err != nil {
				return err
			}
		}
		if version != nil {
			e.Version = &catalog.Version{SchemaID: e.SchemaID, Version: *version, Status: tallycatv1.VersionStatus(deref(status)),
				Reason: deref(reason), Actor: deref(actor), AssignedAt: deref(vAt)}
		}
		out = append(out, e)
		return nil
	})
	if err := r.send(ctx, s); err != nil {
		return nil, fmt.Errorf("list events of %q: %w", schemaKey, err)
	}
	if known == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no metric named %q has been seen", schemaKey)
	}
	return out, nil
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
