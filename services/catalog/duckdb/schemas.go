package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
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
// order, with fields, producer counts and current versions filled in. It
// makes five small queries rather than one that joins: each finds its rows
// through an index on schema_id (the ids go in as a constant list, which
// DuckDB answers from the index; a join or subquery makes it scan), the
// aggregation of a handful of rows is cheaper here than DuckDB's planning of
// it, and the four after the first run at once.
func (s *Store) loadSchemas(ctx context.Context, ids []string) ([]*tallycatv1.Schema, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.loadSchemasWhere(ctx, `schema_id IN (`+placeholders(len(ids))+`)`, args...)
}

// loadSchemasWhere is loadSchemas for the schemas matching where, which
// must be answerable from an index of schemas.
func (s *Store) loadSchemasWhere(ctx context.Context, where string, whereArgs ...any) ([]*tallycatv1.Schema, error) {
	var out []*tallycatv1.Schema
	byID := map[string]*tallycatv1.Schema{}
	err := scanRows(ctx, s.db, `SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description,
		first_seen, last_seen, data_point_count FROM schemas WHERE `+where, whereArgs, func(rows *sql.Rows) error {
		var (
			sc          tallycatv1.Schema
			mt, temp    int8
			first, last time.Time
		)
		if err := rows.Scan(&sc.SchemaId, &sc.SchemaKey, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description,
			&first, &last, &sc.DataPointCount); err != nil {
			return err
		}
		sc.MetricType, sc.Temporality = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp)
		sc.FirstSeen, sc.LastSeen = timestamppb.New(first), timestamppb.New(last)
		out = append(out, &sc)
		byID[sc.SchemaId] = &sc
		return nil
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	in := `IN (` + placeholders(len(out)) + `)`
	args := make([]any, len(out))
	for i, sc := range out {
		args[i] = sc.SchemaId
	}
	slices.SortFunc(out, func(a, b *tallycatv1.Schema) int {
		return cmp.Or(cmp.Compare(a.SchemaKey, b.SchemaKey), a.FirstSeen.AsTime().Compare(b.FirstSeen.AsTime()), cmp.Compare(a.SchemaId, b.SchemaId))
	})

	// Producers, versions and fields: independent reads, run at once, each
	// into its own result, merged below.
	type fieldRow struct {
		id     string
		source int8
		name   string
		vt     int8
	}
	producers := map[string][]string{} // schema id → producers' descriptions
	versions := map[string]*tallycatv1.SchemaVersion{}
	seqs := map[string]int64{}
	var dpFields, producerFields []fieldRow
	err = parallel(
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, description FROM schema_producers WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id, desc string
				if err := rows.Scan(&id, &desc); err != nil {
					return err
				}
				producers[id] = append(producers[id], desc)
				return nil
			})
		},
		// The current version is the history row with the highest seq.
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, seq, version, status, reason, actor, assigned_at FROM schema_versions
				WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var v tallycatv1.SchemaVersion
				var seq int64
				var status int8
				var at time.Time
				if err := rows.Scan(&v.SchemaId, &seq, &v.Version, &status, &v.Reason, &v.Actor, &at); err != nil {
					return err
				}
				if prev, ok := seqs[v.SchemaId]; !ok || seq > prev {
					seqs[v.SchemaId] = seq
					v.Status, v.AssignedAt = tallycatv1.VersionStatus(status), timestamppb.New(at)
					versions[v.SchemaId] = &v
				}
				return nil
			})
		},
		// Data point fields are the schema's own; resource and scope fields
		// are the union over its producers.
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, name, value_type FROM schema_fields WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				f := fieldRow{source: int8(tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT)}
				if err := rows.Scan(&f.id, &f.name, &f.vt); err != nil {
					return err
				}
				dpFields = append(dpFields, f)
				return nil
			})
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT DISTINCT schema_id, source, name, value_type FROM producer_fields WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var f fieldRow
				if err := rows.Scan(&f.id, &f.source, &f.name, &f.vt); err != nil {
					return err
				}
				producerFields = append(producerFields, f)
				return nil
			})
		},
	)
	if err != nil {
		return nil, err
	}
	for id, descs := range producers {
		sc := byID[id]
		sc.ProducerCount = uint32(len(descs))
		distinct := map[string]bool{}
		for _, d := range descs {
			if d != "" {
				distinct[d] = true
			}
		}
		sc.DescriptionConflict = len(distinct) > 1
	}
	for id, v := range versions {
		byID[id].CurrentVersion = v
	}
	for _, f := range append(dpFields, producerFields...) {
		sc := byID[f.id]
		sc.Fields = append(sc.Fields, &tallycatv1.Field{Name: f.name, Source: tallycatv1.FieldSource(f.source), ValueType: tallycatv1.ValueType(f.vt)})
	}
	for _, sc := range out {
		slices.SortFunc(sc.Fields, func(a, b *tallycatv1.Field) int {
			return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ValueType, b.ValueType))
		})
	}
	return out, nil
}

// scanRows runs a query and hands each row to fn.
func scanRows(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListSchemas implements catalog.Store.
func (s *Store) ListSchemas(ctx context.Context, schemaKey string) ([]*tallycatv1.Schema, error) {
	out, err := s.loadSchemasWhere(ctx, `schema_key = ?`, schemaKey)
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
	// The schema, its producers, scopes and history are independent point
	// reads: they run at once, on connections of their own.
	d := &catalog.SchemaDetail{}
	var schemas []*tallycatv1.Schema
	err := parallel(
		func() (err error) { schemas, err = s.loadSchemas(ctx, []string{schemaID}); return err },
		func() (err error) {
			d.Producers, err = s.queryProducers(ctx, "sp.schema_id = ?", schemaID, catalog.ProducerFilter{})
			return err
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT scope_name, scope_version, first_seen, last_seen FROM schema_scopes
				WHERE schema_id = ? ORDER BY scope_name, scope_version`, []any{schemaID}, func(rows *sql.Rows) error {
				var sc tallycatv1.Scope
				var first, last time.Time
				if err := rows.Scan(&sc.Name, &sc.Version, &first, &last); err != nil {
					return err
				}
				sc.FirstSeen, sc.LastSeen = timestamppb.New(first), timestamppb.New(last)
				d.Scopes = append(d.Scopes, &sc)
				return nil
			})
		},
		func() (err error) {
			d.Versions, err = scanVersions(s.db.QueryContext(ctx, `SELECT schema_id, version, status, reason, actor, assigned_at
				FROM schema_versions WHERE schema_id = ? ORDER BY seq DESC`, schemaID))
			return err
		},
	)
	if err != nil {
		return nil, fmt.Errorf("get schema %s: %w", schemaID, err)
	}
	if len(schemas) == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	d.Schema = schemas[0]
	return d, nil
}

// parallel runs fns at once and returns the first error, once all are done.
func parallel(fns ...func() error) error {
	var g errgroup.Group
	for _, fn := range fns {
		g.Go(fn)
	}
	return g.Wait()
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
	return s.queryProducers(ctx, where, arg, f)
}

// queryProducers lists the producers matching where (with its one argument,
// or none when arg is nil), paged by f.
func (s *Store) queryProducers(ctx context.Context, where string, arg any, f catalog.ProducerFilter) ([]*tallycatv1.Producer, error) {
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
