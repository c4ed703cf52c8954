package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// ListSchemaEvents implements catalog.Store.
func (s *Store) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]catalog.Event, error) {
	if err := s.mustExist(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
		return nil, err
	}
	limit = limitOf(limit)
	// Events written before releases were named carry only a producer id.
	var out []catalog.Event
	err := scanRows(ctx, s.db, `
		SELECT e.schema_id, e.kind, e.occurred_at, e.actor, e.previous_description, e.description,
			coalesce(p.service_name, e.service_name), coalesce(p.service_namespace, e.service_namespace),
			coalesce(p.service_version, e.service_version), coalesce(p.service_instance_id, e.service_instance_id),
			e.target_schema_id, e.added,
			v.version, v.status, v.reason, v.actor, v.assigned_at
		FROM schema_events e
		LEFT JOIN producers p ON p.producer_id = e.producer_id AND e.producer_id <> ''
		LEFT JOIN schema_versions v ON v.seq = e.version_seq
		WHERE e.schema_key = ?
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT ? OFFSET ?`, []any{schemaKey, limit, offset}, func(rows *sql.Rows) error {
		var (
			e                      = catalog.Event{Key: schemaKey}
			kind                   int8
			p                      catalog.ProducerIdentity
			added                  string
			version, reason, actor sql.NullString
			status                 sql.NullInt16
			vAt                    sql.NullTime
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
		if version.Valid {
			e.Version = &catalog.Version{SchemaID: e.SchemaID, Version: version.String, Status: tallycatv1.VersionStatus(status.Int16),
				Reason: reason.String, Actor: actor.String, AssignedAt: vAt.Time}
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list events of %q: %w", schemaKey, err)
	}
	return out, nil
}
