package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads send their queries as one pgx.Batch wherever the queries do not
// need each other's answers: one round trip, on one pooled connection,
// where DuckDB ran them at once on connections of their own. A read of a
// schema's facts selects every table's rows by a condition on schema_id
// (schemaSel) rather than by the ids a first query found, so that the
// schema rows and their facts travel together.
//
// Text is ordered and compared with COLLATE "C" wherever an order is
// visible (names, pages, keyset paging): byte order, as DuckDB and the
// catalog's Go sorts have it, whatever the database's default collation.
// The text columns are declared "C" too, so that their indexes serve
// these orders; the queries say it as well, so that their order does not
// hang on the schema alone (TestReadsOrderNamesByteByByte holds both).

// reads is a batch of read queries, each with what to do with its rows.
type reads struct{ b pgx.Batch }

// each queues a query whose rows fn takes one at a time.
func (r *reads) each(query string, args []any, fn func(pgx.Rows) error) {
	r.b.Queue(query, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// one queues a query of one row, scanned into dest.
func (r *reads) one(query string, args []any, dest ...any) {
	r.b.Queue(query, args...).QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
}

// send runs the queued queries and their callbacks, in order.
func (r *reads) send(ctx context.Context, s *Store) error {
	if r.b.Len() == 0 {
		return nil
	}
	return storageError(s.pool.SendBatch(ctx, &r.b).Close())
}

// eachRow runs one query and hands each row to fn.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return storageError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return storageError(rows.Err())
}

// argList numbers a query's arguments as they are added, so that
// conditions can be composed without counting placeholders by hand.
type argList []any

// add appends v and returns its placeholder.
func (a *argList) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// schemaSel is a condition on a table's schema_id column, with its
// arguments, that selects the schemas a read is about.
type schemaSel struct {
	cond string
	args []any
}

// schemasByID selects schemas by id.
func schemasByID(ids []string) schemaSel {
	return schemaSel{cond: `schema_id = ANY($1)`, args: []any{ids}}
}

// currentOfKeys selects the current schemas of the given metric names.
func currentOfKeys(keys []string) schemaSel {
	return schemaSel{cond: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = ANY($1) AND current_streams > 0)`, args: []any{keys}}
}

// ofKey selects a metric name's schemas: its current ones, or all of them.
func ofKey(key string, includeSuperseded bool) schemaSel {
	if includeSuperseded {
		return schemaSel{cond: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = $1)`, args: []any{key}}
	}
	return schemaSel{cond: `schema_id IN (SELECT schema_id FROM schemas WHERE schema_key = $1 AND current_streams > 0)`, args: []any{key}}
}

// loaded is what a schema's figures were worked out from.
type loaded struct {
	facts    *sqlstore.SchemaFacts
	variants []catalog.Variant
}

// schemaFacts collects, from a batch, the schemas a selection names and
// the rows their figures are worked out from.
type schemaFacts struct {
	schemas  []catalog.Schema
	facts    map[string]*sqlstore.SchemaFacts
	versions map[string]*catalog.Version
}

// queueSchemaFacts queues the reads of the selected schemas: their rows,
// current versions (the history row with the highest seq), data point
// fields, streams, variants, instances and the instances' resource and
// scope fields. The schema rows come first, so that the rows after them
// are kept only for schemas that were read: a write committed between two
// queries of the batch may add others.
func queueSchemaFacts(r *reads, sel schemaSel) *schemaFacts {
	x := &schemaFacts{facts: map[string]*sqlstore.SchemaFacts{}, versions: map[string]*catalog.Version{}}
	r.each(`SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description, first_seen, last_seen
		FROM schemas WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		// Counts and whether it is superseded come from its streams
		// (sqlstore.SchemaFacts.Apply), not from the schema's own row.
		var sc catalog.Schema
		var mt, temp int16
		if err := rows.Scan(&sc.ID, &sc.Key, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description, &sc.FirstSeen, &sc.LastSeen); err != nil {
			return err
		}
		sc.Type, sc.Temporality = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp)
		x.schemas = append(x.schemas, sc)
		x.facts[sc.ID] = &sqlstore.SchemaFacts{}
		return nil
	})
	r.each(`SELECT DISTINCT ON (schema_id) schema_id, version, status, reason, actor, assigned_at FROM schema_versions
		WHERE `+sel.cond+` ORDER BY schema_id, seq DESC`, sel.args, func(rows pgx.Rows) error {
		var v catalog.Version
		var status int16
		if err := rows.Scan(&v.SchemaID, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt); err != nil {
			return err
		}
		v.Status = tallycatv1.VersionStatus(status)
		x.versions[v.SchemaID] = &v
		return nil
	})
	r.each(`SELECT schema_id, name, value_type FROM schema_fields WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		var id string
		var a schemaid.Attribute
		var vt int16
		if err := rows.Scan(&id, &a.Key, &vt); err != nil {
			return err
		}
		a.Type = tallycatv1.ValueType(vt)
		if f := x.facts[id]; f != nil {
			f.Union = append(f.Union, a)
		}
		return nil
	})
	r.each(`SELECT schema_id, stream_id, description, superseded_by, service_namespace, service_name, service_version,
		data_point_count, last_seen FROM schema_streams WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		var id string
		var st sqlstore.SchemaStream
		if err := rows.Scan(&id, &st.StreamID, &st.Description, &st.SupersededBy, &st.Release.ServiceNamespace, &st.Release.ServiceName,
			&st.Release.ServiceVersion, &st.DataPoints, &st.LastSeen); err != nil {
			return err
		}
		if f := x.facts[id]; f != nil {
			f.Streams = append(f.Streams, st)
		}
		return nil
	})
	r.each(`SELECT schema_id, stream_id, variant_id, attributes, data_point_count, first_seen, last_seen
		FROM variants WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		var id, attrs string
		var v sqlstore.VariantRow
		if err := rows.Scan(&id, &v.StreamID, &v.ID, &attrs, &v.DataPoints, &v.FirstSeen, &v.LastSeen); err != nil {
			return err
		}
		f := x.facts[id]
		if f == nil {
			return nil
		}
		var err error
		if v.Attributes, err = catalog.DecodeAttributes(attrs); err != nil {
			return err
		}
		f.Variants = append(f.Variants, v)
		return nil
	})
	index := map[[2]string]int{} // schema, producer → position in its facts' Instances
	r.each(`SELECT schema_id, producer_id, service_namespace, service_name, service_version, first_seen, last_seen
		FROM schema_producers WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		var id string
		var in sqlstore.InstanceRow
		if err := rows.Scan(&id, &in.ProducerID, &in.Release.ServiceNamespace, &in.Release.ServiceName, &in.Release.ServiceVersion,
			&in.FirstSeen, &in.LastSeen); err != nil {
			return err
		}
		if f := x.facts[id]; f != nil {
			index[[2]string{id, in.ProducerID}] = len(f.Instances)
			f.Instances = append(f.Instances, in)
		}
		return nil
	})
	r.each(`SELECT schema_id, producer_id, source, name, value_type FROM producer_fields WHERE `+sel.cond, sel.args, func(rows pgx.Rows) error {
		var id, producer string
		var pf catalog.PairField
		var src, vt int16
		if err := rows.Scan(&id, &producer, &src, &pf.Name, &vt); err != nil {
			return err
		}
		pf.Source, pf.Type = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt)
		if i, ok := index[[2]string{id, producer}]; ok {
			in := &x.facts[id].Instances[i]
			in.Fields = append(in.Fields, pf)
		}
		return nil
	})
	return x
}

// finish works the schemas' figures out of their facts (SchemaFacts.Apply)
// and orders them by name, then first seen, as ListSchemas lists them.
func (x *schemaFacts) finish() ([]catalog.Schema, map[string]loaded) {
	slices.SortFunc(x.schemas, func(a, b catalog.Schema) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.ID, b.ID))
	})
	detail := make(map[string]loaded, len(x.schemas))
	for i := range x.schemas {
		sc := &x.schemas[i]
		f := x.facts[sc.ID]
		detail[sc.ID] = loaded{facts: f, variants: f.Apply(sc)}
		sc.CurrentVersion = x.versions[sc.ID]
	}
	return x.schemas, detail
}

// loadSchemas reads the selected schemas with their figures, in one
// round trip.
func (s *Store) loadSchemas(ctx context.Context, sel schemaSel) ([]catalog.Schema, error) {
	var r reads
	x := queueSchemaFacts(&r, sel)
	if err := r.send(ctx, s); err != nil {
		return nil, err
	}
	out, _ := x.finish()
	return out, nil
}

// ListSchemas implements catalog.Store. Whether the name was ever seen is
// asked in the same batch as its schemas.
func (s *Store) ListSchemas(ctx context.Context, schemaKey string, includeSuperseded bool) ([]catalog.Schema, error) {
	var r reads
	var known int64
	r.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{schemaKey}, &known)
	x := queueSchemaFacts(&r, ofKey(schemaKey, includeSuperseded))
	if err := r.send(ctx, s); err != nil {
		return nil, fmt.Errorf("list schemas of %q: %w", schemaKey, err)
	}
	if known == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no metric named %q has been seen", schemaKey)
	}
	out, _ := x.finish()
	return out, nil
}

// GetSchemas implements catalog.Store.
func (s *Store) GetSchemas(ctx context.Context, schemaIDs ...string) ([]catalog.Schema, error) {
	if len(schemaIDs) == 0 {
		return []catalog.Schema{}, nil
	}
	loaded, err := s.loadSchemas(ctx, schemasByID(schemaIDs))
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

// limitOf is a list's LIMIT: a limit of 0 lists everything (see
// catalog.Store); paging and its defaults are the API's.
func limitOf(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}
