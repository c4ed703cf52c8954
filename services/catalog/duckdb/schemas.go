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

// currentVersions is the latest history row of every schema: its current
// version and status.
const currentVersions = `SELECT schema_id, arg_max(version, seq) AS version, arg_max(status, seq) AS status,
	arg_max(reason, seq) AS reason, arg_max(actor, seq) AS actor, arg_max(assigned_at, seq) AS assigned_at
	FROM schema_versions`

// loadSchemas returns the schemas with the given ids, in name-then-first-seen
// order, with fields, producer counts and current versions filled in. The
// ids go into the queries as a constant list, which DuckDB answers from its
// indexes; a subquery would make it scan whole tables.
func (s *Store) loadSchemas(ctx context.Context, ids []string) ([]*tallycatv1.Schema, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	idsQuery := placeholders(len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT s.schema_id, s.schema_key, s.metric_type, s.unit, s.temporality, s.monotonic, s.description,
			s.first_seen, s.last_seen, s.data_point_count,
			coalesce(p.producers, 0), coalesce(p.descriptions, 0) > 1,
			v.version, v.status, v.reason, v.actor, v.assigned_at
		FROM schemas s
		LEFT JOIN (SELECT schema_id, count(*) AS producers, count(DISTINCT nullif(description, '')) AS descriptions
			FROM schema_producers WHERE schema_id IN (`+idsQuery+`) GROUP BY schema_id) p USING (schema_id)
		LEFT JOIN (`+currentVersions+` WHERE schema_id IN (`+idsQuery+`) GROUP BY schema_id) v USING (schema_id)
		WHERE s.schema_id IN (`+idsQuery+`)
		ORDER BY s.schema_key, s.first_seen, s.schema_id`, append(append(append([]any{}, args...), args...), args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tallycatv1.Schema
	byID := map[string]*tallycatv1.Schema{}
	for rows.Next() {
		var (
			sc                     tallycatv1.Schema
			mt, temp               int8
			first, last            time.Time
			version, reason, actor sql.NullString
			status                 sql.NullInt16
			assignedAt             sql.NullTime
			producers              int64
		)
		if err := rows.Scan(&sc.SchemaId, &sc.SchemaKey, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description,
			&first, &last, &sc.DataPointCount, &producers, &sc.DescriptionConflict,
			&version, &status, &reason, &actor, &assignedAt); err != nil {
			return nil, err
		}
		sc.MetricType = tallycatv1.MetricType(mt)
		sc.Temporality = tallycatv1.Temporality(temp)
		sc.FirstSeen, sc.LastSeen = timestamppb.New(first), timestamppb.New(last)
		sc.ProducerCount = uint32(producers)
		if version.Valid {
			sc.CurrentVersion = &tallycatv1.SchemaVersion{SchemaId: sc.SchemaId, Version: version.String,
				Status: tallycatv1.VersionStatus(status.Int16), Reason: reason.String, Actor: actor.String,
				AssignedAt: timestamppb.New(assignedAt.Time)}
		}
		out = append(out, &sc)
		byID[sc.SchemaId] = &sc
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}

	// Data point fields are the schema's own; resource and scope fields are
	// the union over its producers.
	frows, err := s.db.QueryContext(ctx, `
		SELECT schema_id, 3 AS source, name, value_type FROM schema_fields WHERE schema_id IN (`+idsQuery+`)
		UNION
		SELECT DISTINCT schema_id, source, name, value_type FROM producer_fields WHERE schema_id IN (`+idsQuery+`)
		ORDER BY schema_id, source, name, value_type`, append(append([]any{}, args...), args...)...)
	if err != nil {
		return nil, err
	}
	defer frows.Close()
	for frows.Next() {
		var id, name string
		var source, vt int8
		if err := frows.Scan(&id, &source, &name, &vt); err != nil {
			return nil, err
		}
		if sc := byID[id]; sc != nil {
			sc.Fields = append(sc.Fields, &tallycatv1.Field{Name: name, Source: tallycatv1.FieldSource(source), ValueType: tallycatv1.ValueType(vt)})
		}
	}
	return out, frows.Err()
}

// ListSchemas implements catalog.Store.
func (s *Store) ListSchemas(ctx context.Context, schemaKey string) ([]*tallycatv1.Schema, error) {
	var ids []string
	rows, err := s.db.QueryContext(ctx, `SELECT schema_id FROM schemas WHERE schema_key = ?`, schemaKey)
	if err != nil {
		return nil, fmt.Errorf("list schemas of %q: %w", schemaKey, err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	out, err := s.loadSchemas(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list schemas of %q: %w", schemaKey, err)
	}
	if len(out) == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no metric named %q has been seen", schemaKey)
	}
	return out, nil
}

// GetSchema implements catalog.Store.
func (s *Store) GetSchema(ctx context.Context, schemaID string) (*catalog.SchemaDetail, error) {
	schemas, err := s.loadSchemas(ctx, []string{schemaID})
	if err != nil {
		return nil, fmt.Errorf("get schema %s: %w", schemaID, err)
	}
	if len(schemas) == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	d := &catalog.SchemaDetail{Schema: schemas[0]}
	if d.Producers, err = s.ListProducers(ctx, catalog.ProducerFilter{SchemaID: schemaID}); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT scope_name, scope_version, first_seen, last_seen FROM schema_scopes
		WHERE schema_id = ? ORDER BY scope_name, scope_version`, schemaID)
	if err != nil {
		return nil, fmt.Errorf("get schema %s scopes: %w", schemaID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc tallycatv1.Scope
		var first, last time.Time
		if err := rows.Scan(&sc.Name, &sc.Version, &first, &last); err != nil {
			return nil, err
		}
		sc.FirstSeen, sc.LastSeen = timestamppb.New(first), timestamppb.New(last)
		d.Scopes = append(d.Scopes, &sc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if d.Versions, err = s.ListVersions(ctx, schemaID, ""); err != nil {
		return nil, err
	}
	return d, nil
}

// GetSchemas implements catalog.Store.
func (s *Store) GetSchemas(ctx context.Context, schemaIDs ...string) ([]*tallycatv1.Schema, error) {
	loaded, err := s.loadSchemas(ctx, schemaIDs)
	if err != nil {
		return nil, fmt.Errorf("get schemas: %w", err)
	}
	byID := make(map[string]*tallycatv1.Schema, len(loaded))
	for _, sc := range loaded {
		byID[sc.SchemaId] = sc
	}
	out := make([]*tallycatv1.Schema, len(schemaIDs))
	for i, id := range schemaIDs {
		if out[i] = byID[id]; out[i] == nil {
			return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", id)
		}
	}
	return out, nil
}

// ListProducers implements catalog.Store.
func (s *Store) ListProducers(ctx context.Context, f catalog.ProducerFilter) ([]*tallycatv1.Producer, error) {
	where, arg := "TRUE", any(nil)
	switch {
	case f.SchemaID != "":
		if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_id = ?`, f.SchemaID, "schema %s not found"); err != nil {
			return nil, err
		}
		where, arg = "sp.schema_id = ?", f.SchemaID
	case f.SchemaKey != "":
		if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_key = ?`, f.SchemaKey, "no metric named %q has been seen"); err != nil {
			return nil, err
		}
		where, arg = "sp.schema_key = ?", f.SchemaKey
	case f.ServiceName != "":
		where, arg = "p.service_name = ?", f.ServiceName
	}
	args := []any{}
	if arg != nil {
		args = append(args, arg)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1 << 31
	}
	args = append(args, limit, f.Offset)
	// With a schema filter, first and last seen are those of the producer's
	// emission of that schema; otherwise the producer's own.
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.service_name, p.service_namespace, p.service_version, p.service_instance_id,
			min(sp.first_seen), max(sp.last_seen), count(DISTINCT sp.schema_id)
		FROM producers p JOIN schema_producers sp USING (producer_id)
		WHERE `+where+`
		GROUP BY ALL
		ORDER BY p.service_name, p.service_namespace, p.service_version, p.service_instance_id
		LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list producers: %w", err)
	}
	defer rows.Close()
	var out []*tallycatv1.Producer
	for rows.Next() {
		var p tallycatv1.Producer
		var first, last time.Time
		var n int64
		if err := rows.Scan(&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceId, &first, &last, &n); err != nil {
			return nil, err
		}
		p.FirstSeen, p.LastSeen, p.SchemaCount = timestamppb.New(first), timestamppb.New(last), uint32(n)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// mustExist returns ENOTFOUND with the formatted message when the count query
// counts nothing.
func (s *Store) mustExist(ctx context.Context, countQuery string, arg any, format string) error {
	var n int64
	if err := s.db.QueryRowContext(ctx, countQuery, arg).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, format, arg)
	}
	return nil
}
