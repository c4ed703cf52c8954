package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// loadSchemas returns the schemas with the given ids, in name-then-first-seen
// order, with fields (and their presence), producer and release counts,
// successors and current versions filled in. It makes small queries rather
// than one that joins: each finds its rows through an index on schema_id
// (the ids go in as a constant list, which DuckDB answers from the index; a
// join or subquery makes it scan), and the ones after the first run at once.
func (s *Store) loadSchemas(ctx context.Context, ids []string) ([]catalog.Schema, error) {
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
func (s *Store) loadSchemasWhere(ctx context.Context, where string, whereArgs ...any) ([]catalog.Schema, error) {
	out, _, err := s.loadSchemaFacts(ctx, where, whereArgs...)
	return out, err
}

// loadSchemaFacts is loadSchemasWhere that also returns what each schema's
// figures were worked out from, and its counted variants.
func (s *Store) loadSchemaFacts(ctx context.Context, where string, whereArgs ...any) ([]catalog.Schema, map[string]loaded, error) {
	var out []catalog.Schema
	err := scanRows(ctx, s.db, `SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description,
		first_seen, last_seen FROM schemas WHERE `+where, whereArgs, func(rows *sql.Rows) error {
		// Counts and whether it is superseded come from its streams
		// (sqlstore.SchemaFacts.Apply), not from the schema's own row.
		var (
			sc       catalog.Schema
			mt, temp int8
		)
		if err := rows.Scan(&sc.ID, &sc.Key, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description,
			&sc.FirstSeen, &sc.LastSeen); err != nil {
			return err
		}
		sc.Type, sc.Temporality = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp)
		out = append(out, sc)
		return nil
	})
	if err != nil || len(out) == 0 {
		return nil, nil, err
	}
	slices.SortFunc(out, func(a, b catalog.Schema) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.ID, b.ID))
	})
	in, args := idsIn(out)

	// Independent reads, run at once, each into its own result; the
	// catalog works the figures out of them (SchemaFacts.Apply).
	var (
		facts    = map[string]*sqlstore.SchemaFacts{}
		versions = map[string]*catalog.Version{}
		seqs     = map[string]int64{}
	)
	for _, sc := range out {
		facts[sc.ID] = &sqlstore.SchemaFacts{}
	}
	err = parallel(
		func() (err error) { return s.loadStreams(ctx, in, args, facts) },
		// The current version is the history row with the highest seq.
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, seq, version, status, reason, actor, assigned_at FROM schema_versions
				WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var v catalog.Version
				var seq int64
				var status int8
				if err := rows.Scan(&v.SchemaID, &seq, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt); err != nil {
					return err
				}
				if prev, ok := seqs[v.SchemaID]; !ok || seq > prev {
					seqs[v.SchemaID] = seq
					v.Status = tallycatv1.VersionStatus(status)
					versions[v.SchemaID] = &v
				}
				return nil
			})
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, name, value_type FROM schema_fields WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id string
				var a schemaid.Attribute
				var vt int8
				if err := rows.Scan(&id, &a.Key, &vt); err != nil {
					return err
				}
				a.Type = tallycatv1.ValueType(vt)
				facts[id].Union = append(facts[id].Union, a)
				return nil
			})
		},
		func() error { return s.loadVariants(ctx, in, args, facts) },
		func() error { return s.loadInstances(ctx, in, args, facts) },
	)
	if err != nil {
		return nil, nil, err
	}
	detail := make(map[string]loaded, len(out))
	for i := range out {
		sc := &out[i]
		detail[sc.ID] = loaded{facts: facts[sc.ID], variants: facts[sc.ID].Apply(sc)}
		sc.CurrentVersion = versions[sc.ID]
	}
	return out, detail, nil
}

// manyIDs is how many schemas loadSchemaFacts still reads by a constant
// list of ids; past it (a page of a full judging, ListJudging), the ids go
// in as one comma-separated string that the query splits, which DuckDB
// joins by scanning each table once: cheaper than preparing, binding and
// probing thousands of constants, or binding a list value by value.
const manyIDs = 256

// idsIn is the condition that selects the schemas' rows by id, and its
// arguments. (Schema ids are hex digits: no commas.)
func idsIn(schemas []catalog.Schema) (string, []any) {
	if len(schemas) > manyIDs {
		var ids strings.Builder
		for i, sc := range schemas {
			if i > 0 {
				ids.WriteByte(',')
			}
			ids.WriteString(sc.ID)
		}
		return `IN (SELECT unnest(string_split(?, ',')))`, []any{ids.String()}
	}
	args := make([]any, len(schemas))
	for i, sc := range schemas {
		args[i] = sc.ID
	}
	return `IN (` + placeholders(len(schemas)) + `)`, args
}

// loaded is what a schema's figures were worked out from.
type loaded struct {
	facts    *sqlstore.SchemaFacts
	variants []catalog.Variant
}

// loadStreams reads the streams of the schemas whose ids match in.
func (s *Store) loadStreams(ctx context.Context, in string, args []any, facts map[string]*sqlstore.SchemaFacts) error {
	return scanRows(ctx, s.db, `SELECT schema_id, stream_id, description, superseded_by, service_namespace, service_name, service_version,
		data_point_count, last_seen FROM schema_streams WHERE schema_id `+in, args, func(rows *sql.Rows) error {
		var id string
		var st sqlstore.SchemaStream
		if err := rows.Scan(&id, &st.StreamID, &st.Description, &st.SupersededBy, &st.Release.ServiceNamespace, &st.Release.ServiceName,
			&st.Release.ServiceVersion, &st.DataPoints, &st.LastSeen); err != nil {
			return err
		}
		facts[id].Streams = append(facts[id].Streams, st)
		return nil
	})
}

// loadInstances reads the instances of the schemas whose ids match in,
// with their releases and resource and scope fields.
func (s *Store) loadInstances(ctx context.Context, in string, args []any, facts map[string]*sqlstore.SchemaFacts) error {
	index := map[[2]string]int{} // schema, producer → position in its facts' Instances
	var fields []struct {
		schema, producer string
		f                catalog.PairField
	}
	err := parallel(
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, producer_id, service_namespace, service_name, service_version,
				first_seen, last_seen FROM schema_producers WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id string
				var in sqlstore.InstanceRow
				if err := rows.Scan(&id, &in.ProducerID, &in.Release.ServiceNamespace, &in.Release.ServiceName, &in.Release.ServiceVersion,
					&in.FirstSeen, &in.LastSeen); err != nil {
					return err
				}
				index[[2]string{id, in.ProducerID}] = len(facts[id].Instances)
				facts[id].Instances = append(facts[id].Instances, in)
				return nil
			})
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, producer_id, source, name, value_type FROM producer_fields WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var r struct {
					schema, producer string
					f                catalog.PairField
				}
				var src, vt int8
				if err := rows.Scan(&r.schema, &r.producer, &src, &r.f.Name, &vt); err != nil {
					return err
				}
				r.f.Source, r.f.Type = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt)
				fields = append(fields, r)
				return nil
			})
		},
	)
	if err != nil {
		return err
	}
	for _, r := range fields {
		if i, ok := index[[2]string{r.schema, r.producer}]; ok {
			in := &facts[r.schema].Instances[i]
			in.Fields = append(in.Fields, r.f)
		}
	}
	return nil
}

// loadVariants reads the variants of the schemas whose ids match in, as
// each stream sent them.
func (s *Store) loadVariants(ctx context.Context, in string, args []any, facts map[string]*sqlstore.SchemaFacts) error {
	return scanRows(ctx, s.db, `SELECT schema_id, stream_id, variant_id, attributes, data_point_count, first_seen, last_seen
		FROM variants WHERE schema_id `+in, args, func(rows *sql.Rows) error {
		var id, attrs string
		var v sqlstore.VariantRow
		if err := rows.Scan(&id, &v.StreamID, &v.ID, &attrs, &v.DataPoints, &v.FirstSeen, &v.LastSeen); err != nil {
			return err
		}
		var err error
		if v.Attributes, err = catalog.DecodeAttributes(attrs); err != nil {
			return err
		}
		facts[id].Variants = append(facts[id].Variants, v)
		return nil
	})
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

// parallel runs fns at once and returns the first error, once all are done.
func parallel(fns ...func() error) error {
	var g errgroup.Group
	for _, fn := range fns {
		g.Go(fn)
	}
	return g.Wait()
}

// ListSchemas implements catalog.Store.
func (s *Store) ListSchemas(ctx context.Context, schemaKey string, includeSuperseded bool) ([]catalog.Schema, error) {
	if err := s.mustExist(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, schemaKey, "no metric named %q has been seen"); err != nil {
		return nil, err
	}
	where := `schema_key = ? AND current_streams > 0`
	if includeSuperseded {
		where = `schema_key = ?`
	}
	out, err := s.loadSchemasWhere(ctx, where, schemaKey)
	if err != nil {
		return nil, fmt.Errorf("list schemas of %q: %w", schemaKey, err)
	}
	return out, nil
}

// GetSchemas implements catalog.Store.
func (s *Store) GetSchemas(ctx context.Context, schemaIDs ...string) ([]catalog.Schema, error) {
	loaded, err := s.loadSchemas(ctx, schemaIDs)
	if err != nil {
		return nil, fmt.Errorf("get schemas: %w", err)
	}
	byID := make(map[string]catalog.Schema, len(loaded))
	for _, sc := range loaded {
		byID[sc.ID] = sc
	}
	out := make([]catalog.Schema, len(schemaIDs))
	for i, id := range schemaIDs {
		sc, ok := byID[id]
		if !ok {
			return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", id)
		}
		out[i] = sc
	}
	return out, nil
}

// mustExist returns ENOTFOUND with the formatted message when the count query
// counts nothing.
func (s *Store) mustExist(ctx context.Context, countQuery string, arg any, format string) error {
	known, err := s.exists(ctx, countQuery, arg)
	if err == nil && !known {
		return catalog.Errorf(catalog.ENOTFOUND, format, arg)
	}
	return err
}

// exists reports whether countQuery, a count with arg as its one
// argument, counts anything.
func (s *Store) exists(ctx context.Context, countQuery string, arg any) (bool, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, countQuery, arg).Scan(&n)
	return n > 0, err
}

// limitOf is a list's LIMIT: a limit of 0 lists everything (see
// catalog.Store); paging and its defaults are the API's.
func limitOf(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}
