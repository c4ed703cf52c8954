package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// GetSchema implements catalog.Store.
func (s *Store) GetSchema(ctx context.Context, schemaID string, w tallycatv1.Window) (*catalog.SchemaDetail, error) {
	return sqlstore.GetSchema(ctx, detailReader{costReader{s}}, schemaID, w)
}

// detailReader is the store as sqlstore.GetSchema reads it.
type detailReader struct{ costReader }

// ReadDetail sends the schema's independent point reads as one batch, so
// that a schema page costs one round trip. The cost rows are selected
// through the schema's streams in the database rather than by ids read
// first.
func (r detailReader) ReadDetail(ctx context.Context, id string, since time.Time) (*sqlstore.Detail, error) {
	d := &sqlstore.Detail{}
	ids := []any{id}
	var b reads
	d.Set = queueSchemaFacts(&b, schemasByID([]string{id}))
	producers := queueProducers(&b, "sp.schema_id = $1", ids,
		catalog.ProducerFilter{MostRecentFirst: true, Limit: catalog.MaxDetailProducers}, "max(sp.last_seen) DESC, ")
	b.each(`SELECT service_namespace, service_name, service_version, count(*), min(first_seen), max(last_seen)
		FROM schema_producers WHERE schema_id = $1 GROUP BY service_namespace, service_name, service_version`, ids, rowsOf(d.ScanRelease))
	b.each(`SELECT scope_name, scope_version, min(first_seen), max(last_seen) FROM schema_streams
		WHERE schema_id = $1 GROUP BY scope_name, scope_version ORDER BY scope_name COLLATE "C", scope_version COLLATE "C"`, ids,
		rowsOf(d.ScanScope))
	b.each(`SELECT schema_id, version, status, reason, actor, assigned_at FROM schema_versions
		WHERE schema_id = $1 ORDER BY seq DESC`, ids, rowsOf(d.ScanVersion))
	costs := queueCosts(&b, `stream_id IN (SELECT stream_id FROM schema_streams WHERE schema_id = $1)`, ids,
		since, sqlstore.CostRead{Values: true})
	if err := b.send(ctx, r.Store); err != nil {
		return nil, err
	}
	d.Producers, d.Costs = *producers, *costs
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
