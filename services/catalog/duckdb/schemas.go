package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
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
	var out []catalog.Schema
	err := scanRows(ctx, s.db, `SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description,
		first_seen, last_seen, data_point_count, current_streams FROM schemas WHERE `+where, whereArgs, func(rows *sql.Rows) error {
		var (
			sc       catalog.Schema
			mt, temp int8
			current  int
		)
		if err := rows.Scan(&sc.ID, &sc.Key, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description,
			&sc.FirstSeen, &sc.LastSeen, &sc.DataPoints, &current); err != nil {
			return err
		}
		sc.Type, sc.Temporality, sc.Superseded = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp), current == 0
		out = append(out, sc)
		return nil
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	slices.SortFunc(out, func(a, b catalog.Schema) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.ID, b.ID))
	})
	in := `IN (` + placeholders(len(out)) + `)`
	args := make([]any, len(out))
	for i, sc := range out {
		args[i] = sc.ID
	}

	// Independent reads, run at once, each into its own result, merged
	// below.
	var (
		members   = map[string][]membership{}
		versions  = map[string]*catalog.Version{}
		seqs      = map[string]int64{}
		unions    = map[string][]schemaid.Attribute{}
		variants  = map[string][]catalog.Variant{}
		instances = map[string]map[string][2]time.Time{} // schema → producer → first, last
		pfields   = map[string][]producerField{}
	)
	err = parallel(
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, description, superseded_by, service_namespace, service_name, service_version,
				last_seen FROM schema_streams WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id string
				var m membership
				if err := rows.Scan(&id, &m.description, &m.supersededBy, &m.release.ServiceNamespace, &m.release.ServiceName,
					&m.release.ServiceVersion, &m.last); err != nil {
					return err
				}
				members[id] = append(members[id], m)
				return nil
			})
		},
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
				unions[id] = append(unions[id], a)
				return nil
			})
		},
		func() (err error) {
			variants, err = s.loadVariants(ctx, in, args)
			return err
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, producer_id, first_seen, last_seen FROM schema_producers WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id, pid string
				var span [2]time.Time
				if err := rows.Scan(&id, &pid, &span[0], &span[1]); err != nil {
					return err
				}
				if instances[id] == nil {
					instances[id] = map[string][2]time.Time{}
				}
				instances[id][pid] = span
				return nil
			})
		},
		func() error {
			return scanRows(ctx, s.db, `SELECT schema_id, producer_id, source, name, value_type FROM producer_fields WHERE schema_id `+in, args, func(rows *sql.Rows) error {
				var id string
				var f producerField
				var src, vt int8
				if err := rows.Scan(&id, &f.producer, &src, &f.name, &vt); err != nil {
					return err
				}
				f.source, f.vt = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt)
				pfields[id] = append(pfields[id], f)
				return nil
			})
		},
	)
	if err != nil {
		return nil, err
	}
	for i := range out {
		sc := &out[i]
		applyMemberships(sc, members[sc.ID])
		sc.CurrentVersion = versions[sc.ID]
		sc.ProducerCount = len(instances[sc.ID])
		fields := catalog.DataPointFields(schemaid.NormalizeAttributes(unions[sc.ID]), variants[sc.ID])
		fields = append(fields, catalog.InstanceFields(countFields(pfields[sc.ID], instances[sc.ID]), len(instances[sc.ID]))...)
		sc.TypeConflict = catalog.SortFields(fields)
		sc.Fields = fields
	}
	return out, nil
}

// membership is a stream's row on a schema, with the stream's release.
type membership struct {
	release      catalog.ReleaseIdentity
	description  string
	supersededBy string
	last         time.Time
}

// applyMemberships fills what a schema's streams say of it: how many
// releases produce it now, where the others went, and whether they
// describe it alike.
func applyMemberships(sc *catalog.Schema, ms []membership) {
	current := map[catalog.ReleaseIdentity]bool{}
	descriptions := map[string]bool{}
	for _, m := range ms {
		if m.supersededBy == "" {
			current[m.release] = true
		} else if !slices.Contains(sc.SupersededBy, m.supersededBy) {
			sc.SupersededBy = append(sc.SupersededBy, m.supersededBy)
		}
		if m.description != "" {
			descriptions[m.description] = true
		}
	}
	slices.Sort(sc.SupersededBy)
	sc.ReleaseCount = len(current)
	sc.DescriptionConflict = len(descriptions) > 1
}

// releaseSuccessors says, for each release of a schema's streams, the
// schema it moved to: empty while any of its streams is current there.
func releaseSuccessors(ms []membership) map[catalog.ReleaseIdentity]string {
	out := map[catalog.ReleaseIdentity]string{}
	latest := map[catalog.ReleaseIdentity]time.Time{}
	for _, m := range ms {
		prev, seen := out[m.release]
		switch {
		case seen && prev == "":
		case m.supersededBy == "":
			out[m.release] = ""
		case !seen || m.last.After(latest[m.release]):
			out[m.release], latest[m.release] = m.supersededBy, m.last
		}
	}
	return out
}

// producerField is a resource or scope field of one instance.
type producerField struct {
	producer, name string
	source         tallycatv1.FieldSource
	vt             tallycatv1.ValueType
}

// countFields counts, for each resource and scope field, the instances that
// carried it and the span in which they were seen.
func countFields(fields []producerField, instances map[string][2]time.Time) []catalog.FieldCount {
	type key struct {
		source tallycatv1.FieldSource
		name   string
		vt     tallycatv1.ValueType
	}
	byKey := map[key]*catalog.FieldCount{}
	var order []key
	for _, f := range fields {
		k := key{f.source, f.name, f.vt}
		c := byKey[k]
		if c == nil {
			c = &catalog.FieldCount{Source: f.source, Name: f.name, Type: f.vt}
			byKey[k] = c
			order = append(order, k)
		}
		c.Instances++
		span := instances[f.producer]
		if c.FirstSeen.IsZero() || span[0].Before(c.FirstSeen) {
			c.FirstSeen = span[0]
		}
		if span[1].After(c.LastSeen) {
			c.LastSeen = span[1]
		}
	}
	out := make([]catalog.FieldCount, len(order))
	for i, k := range order {
		out[i] = *byKey[k]
	}
	return out
}

// loadVariants reads the variants of the schemas whose ids match in, pooled
// over the streams that sent them, most data points first.
func (s *Store) loadVariants(ctx context.Context, in string, args []any) (map[string][]catalog.Variant, error) {
	out := map[string][]catalog.Variant{}
	err := scanRows(ctx, s.db, `SELECT schema_id, variant_id, any_value(attributes), sum(data_point_count)::UBIGINT, min(first_seen), max(last_seen)
		FROM variants WHERE schema_id `+in+` GROUP BY schema_id, variant_id
		ORDER BY 4 DESC, variant_id`, args, func(rows *sql.Rows) error {
		var id, attrs string
		var v catalog.Variant
		if err := rows.Scan(&id, &v.ID, &attrs, &v.DataPoints, &v.FirstSeen, &v.LastSeen); err != nil {
			return err
		}
		var err error
		if v.Attributes, err = catalog.DecodeAttributes(attrs); err != nil {
			return err
		}
		out[id] = append(out[id], v)
		return nil
	})
	return out, err
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
	var n int64
	if err := s.db.QueryRowContext(ctx, countQuery, arg).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, format, arg)
	}
	return nil
}

// limitOf is a list's LIMIT: a limit of 0 lists everything (see
// catalog.Store); paging and its defaults are the API's.
func limitOf(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}
