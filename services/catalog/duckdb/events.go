package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// ListSchemaEvents implements catalog.Store.
func (s *Store) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]*tallycatv1.SchemaEvent, error) {
	if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = catalog.DefaultPageSize
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT e.schema_id, e.kind, e.occurred_at, e.actor, e.previous_description, e.description,
			p.service_name, p.service_namespace, p.service_version, p.service_instance_id, p.first_seen, p.last_seen,
			v.version, v.status, v.reason, v.actor, v.assigned_at
		FROM schema_events e
		LEFT JOIN producers p ON p.producer_id = e.producer_id
		LEFT JOIN schema_versions v ON v.seq = e.version_seq
		WHERE e.schema_key = ?
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT ? OFFSET ?`, schemaKey, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list events of %q: %w", schemaKey, err)
	}
	defer rows.Close()
	var out []*tallycatv1.SchemaEvent
	for rows.Next() {
		var (
			e                      = tallycatv1.SchemaEvent{SchemaKey: schemaKey}
			kind                   int8
			at                     time.Time
			svc, ns, ver, inst     sql.NullString
			pFirst, pLast, vAt     sql.NullTime
			version, reason, actor sql.NullString
			status                 sql.NullInt16
		)
		if err := rows.Scan(&e.SchemaId, &kind, &at, &e.Actor, &e.PreviousDescription, &e.Description,
			&svc, &ns, &ver, &inst, &pFirst, &pLast, &version, &status, &reason, &actor, &vAt); err != nil {
			return nil, err
		}
		e.Kind, e.OccurredAt = tallycatv1.SchemaEventKind(kind), timestamppb.New(at)
		if svc.Valid {
			e.Producer = &tallycatv1.Producer{ServiceName: svc.String, ServiceNamespace: ns.String, ServiceVersion: ver.String,
				ServiceInstanceId: inst.String, FirstSeen: timestamppb.New(pFirst.Time), LastSeen: timestamppb.New(pLast.Time)}
		}
		if version.Valid {
			e.Version = &tallycatv1.SchemaVersion{SchemaId: e.SchemaId, Version: version.String, Status: tallycatv1.VersionStatus(status.Int16),
				Reason: reason.String, Actor: actor.String, AssignedAt: timestamppb.New(vAt.Time)}
		}
		e.Summary = catalog.SummarizeEvent(&e)
		out = append(out, &e)
	}
	return out, rows.Err()
}
