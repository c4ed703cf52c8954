package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// GetSchema implements catalog.Store. The schema, its facts, instances,
// releases, scopes, history and cost rows are independent point reads:
// they go to the database as one batch, so that a schema page costs one
// round trip. The cost rows are selected through the schema's streams in
// the database rather than by ids read first.
func (s *Store) GetSchema(ctx context.Context, schemaID string, w tallycatv1.Window) (*catalog.SchemaDetail, error) {
	d := &catalog.SchemaDetail{}
	q := sqlstore.QueryOf(costReader{s}, w)
	var r reads
	x := queueSchemaFacts(&r, schemasByID([]string{schemaID}))
	producers := queueProducers(&r, "sp.schema_id = $1", []any{schemaID},
		catalog.ProducerFilter{MostRecentFirst: true, Limit: catalog.MaxDetailProducers}, "max(sp.last_seen) DESC, ")
	r.each(`SELECT service_namespace, service_name, service_version, count(*), min(first_seen), max(last_seen)
		FROM schema_producers WHERE schema_id = $1 GROUP BY service_namespace, service_name, service_version`, []any{schemaID},
		func(rows pgx.Rows) error {
			var rl catalog.Release
			if err := rows.Scan(&rl.ServiceNamespace, &rl.ServiceName, &rl.ServiceVersion, &rl.Instances, &rl.FirstSeen, &rl.LastSeen); err != nil {
				return err
			}
			d.Releases = append(d.Releases, rl)
			return nil
		})
	r.each(`SELECT scope_name, scope_version, min(first_seen), max(last_seen) FROM schema_streams
		WHERE schema_id = $1 GROUP BY scope_name, scope_version ORDER BY scope_name COLLATE "C", scope_version COLLATE "C"`, []any{schemaID},
		func(rows pgx.Rows) error {
			var sc catalog.Scope
			if err := rows.Scan(&sc.Name, &sc.Version, &sc.FirstSeen, &sc.LastSeen); err != nil {
				return err
			}
			d.Scopes = append(d.Scopes, sc)
			return nil
		})
	r.each(`SELECT schema_id, version, status, reason, actor, assigned_at FROM schema_versions
		WHERE schema_id = $1 ORDER BY seq DESC`, []any{schemaID}, func(rows pgx.Rows) error {
		var v catalog.Version
		var status int16
		if err := rows.Scan(&v.SchemaID, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt); err != nil {
			return err
		}
		v.Status = tallycatv1.VersionStatus(status)
		d.Versions = append(d.Versions, v)
		return nil
	})
	costs := queueCosts(&r, `stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_id = $1)`, []any{schemaID},
		q.Since(), sqlstore.CostRead{Values: true})
	if err := r.send(ctx, s); err != nil {
		return nil, fmt.Errorf("get schema %s: %w", schemaID, err)
	}
	schemas, facts := x.Finish()
	if len(schemas) == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", schemaID)
	}
	d.Schema, d.Variants, d.Producers = schemas[0], facts[schemaID].Variants, *producers
	streams := facts[schemaID].Facts.Streams
	releases := sqlstore.Releases(streams)
	for i := range d.Releases {
		f := releases[d.Releases[i].ReleaseIdentity]
		d.Releases[i].SupersededBy, d.Releases[i].DataPoints = f.SupersededBy, f.DataPoints
	}
	for i := range d.Producers {
		d.Producers[i].SupersededBy = releases[d.Producers[i].Release()].SupersededBy
	}
	if err := sqlstore.SchemaCost(d, streams, *costs, q); err != nil {
		return nil, fmt.Errorf("get schema %s: %w", schemaID, err)
	}
	// Current releases (no successor) first, then the most recently seen.
	slices.SortFunc(d.Releases, func(a, b catalog.Release) int {
		return cmp.Or(cmp.Compare(len(a.SupersededBy), len(b.SupersededBy)), b.LastSeen.Compare(a.LastSeen),
			cmp.Compare(a.ReleaseIdentity.String(), b.ReleaseIdentity.String()))
	})
	return d, nil
}

// ListProducers implements catalog.Store. A filter naming a schema or a
// metric name checks, in the same batch, that it exists.
func (s *Store) ListProducers(ctx context.Context, f catalog.ProducerFilter) ([]catalog.Producer, error) {
	var r reads
	where, args := "TRUE", []any(nil)
	var known int64 = 1
	notFound := ""
	switch {
	case f.SchemaID != "":
		r.one(`SELECT count(*) FROM schemas WHERE schema_id = $1`, []any{f.SchemaID}, &known)
		where, args, notFound = "sp.schema_id = $1", []any{f.SchemaID}, fmt.Sprintf("schema %s not found", f.SchemaID)
	case f.SchemaKey != "":
		r.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{f.SchemaKey}, &known)
		where, args, notFound = "sp.schema_key = $1", []any{f.SchemaKey}, fmt.Sprintf("no metric named %q has been seen", f.SchemaKey)
	case f.ServiceName != "":
		where, args = "p.service_name = $1", []any{f.ServiceName}
	}
	order := ""
	if f.MostRecentFirst {
		order = "max(sp.last_seen) DESC, "
	}
	out := queueProducers(&r, where, args, f, order)
	if err := r.send(ctx, s); err != nil {
		return nil, fmt.Errorf("list producers: %w", err)
	}
	if known == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "%s", notFound)
	}
	return *out, nil
}

// queueProducers queues the read of the producers matching where (its
// arguments are args), paged by f, in order (an ORDER BY prefix, or ""
// for by identity). With a schema filter, first and last seen are those
// of the producer's emission of that schema; otherwise the producer's own
// across its schemas. A producer's id is the hash of its identity, so
// grouping by it groups by the identity.
func queueProducers(r *reads, where string, args []any, f catalog.ProducerFilter, order string) *[]catalog.Producer {
	a := argList(slices.Clone(args))
	query := `
		SELECT p.service_name, p.service_namespace, p.service_version, p.service_instance_id,
			min(sp.first_seen), max(sp.last_seen), count(DISTINCT sp.schema_id)
		FROM producers p JOIN schema_producers sp USING (producer_id)
		WHERE ` + where + `
		GROUP BY p.producer_id
		ORDER BY ` + order + `p.service_name COLLATE "C", p.service_namespace COLLATE "C", p.service_version COLLATE "C",
			p.service_instance_id COLLATE "C"
		LIMIT ` + a.add(sqlstore.LimitOf(f.Limit)) + ` OFFSET ` + a.add(f.Offset)
	out := new([]catalog.Producer)
	r.each(query, a, func(rows pgx.Rows) error {
		var p catalog.Producer
		if err := rows.Scan(&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID, &p.FirstSeen, &p.LastSeen, &p.SchemaCount); err != nil {
			return err
		}
		*out = append(*out, p)
		return nil
	})
	return out
}

// ListServices implements catalog.Store.
func (s *Store) ListServices(ctx context.Context, offset, limit int) ([]catalog.Service, error) {
	var out []catalog.Service
	err := eachRow(ctx, s.pool, `SELECT service_name, count(DISTINCT (service_namespace, service_version)), count(*), min(first_seen), max(last_seen)
		FROM producers GROUP BY service_name ORDER BY service_name COLLATE "C" LIMIT $1 OFFSET $2`, []any{sqlstore.LimitOf(limit), offset},
		func(rows pgx.Rows) error {
			var sv catalog.Service
			if err := rows.Scan(&sv.Name, &sv.Releases, &sv.Instances, &sv.FirstSeen, &sv.LastSeen); err != nil {
				return err
			}
			out = append(out, sv)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}
