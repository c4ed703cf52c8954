package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// ReadDetail sends the schema's independent point reads as one batch, so
// that a schema page costs one round trip. The cost rows are selected
// through the schema's streams in the database rather than by ids read
// first.
func (r dialect) ReadDetail(ctx context.Context, id string, since time.Time) (*sqlstore.Detail, error) {
	d := &sqlstore.Detail{}
	ids := []any{id}
	var b reads
	d.Set = queueSchemaFacts(&b, schemasByID([]string{id}))
	queueProducers(&b, "sp.schema_id = $1", ids,
		catalog.ProducerFilter{MostRecentFirst: true, Limit: catalog.MaxDetailProducers}, rowsOf(d.ScanProducer))
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
	d.Costs = *costs
	return d, nil
}

// Producers asks whether the schema or the name the filter names exists
// in the same batch as its instances.
func (r dialect) Producers(ctx context.Context, f catalog.ProducerFilter, each func(sqlstore.Row) error) (bool, error) {
	var b reads
	where, args := "TRUE", []any(nil)
	var known int64 = 1
	switch {
	case f.SchemaID != "":
		b.one(`SELECT count(*) FROM schemas WHERE schema_id = $1`, []any{f.SchemaID}, &known)
		where, args = "sp.schema_id = $1", []any{f.SchemaID}
	case f.SchemaKey != "":
		b.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{f.SchemaKey}, &known)
		where, args = "sp.schema_key = $1", []any{f.SchemaKey}
	case f.ServiceName != "":
		where, args = "p.service_name = $1", []any{f.ServiceName}
	}
	queueProducers(&b, where, args, f, rowsOf(each))
	err := b.send(ctx, r.Store)
	return known > 0, err
}

// queueProducers queues the read of the producers matching where (its
// arguments are args), paged and ordered by f, for scan (see
// sqlstore.ProducerReader). A producer's id is the hash of its identity,
// so grouping by it groups by the identity.
func queueProducers(r *reads, where string, args []any, f catalog.ProducerFilter, scan func(pgx.Rows) error) {
	order := ""
	if f.MostRecentFirst {
		order = "max(sp.last_seen) DESC, "
	}
	a := argList(slices.Clone(args))
	r.each(`
		SELECT p.service_name, p.service_namespace, p.service_version, p.service_instance_id,
			min(sp.first_seen), max(sp.last_seen), count(DISTINCT sp.schema_id)
		FROM producers p JOIN schema_producers sp USING (producer_id)
		WHERE `+where+`
		GROUP BY p.producer_id
		ORDER BY `+order+`p.service_name COLLATE "C", p.service_namespace COLLATE "C", p.service_version COLLATE "C",
			p.service_instance_id COLLATE "C"
		LIMIT `+a.add(f.Limit)+` OFFSET `+a.add(f.Offset), a, scan)
}

// Services implements sqlstore.ProducerReader.
func (r dialect) Services(ctx context.Context, f catalog.ServiceFilter, each func(sqlstore.Row) error) error {
	where := "TRUE"
	if f.ExcludeSelf {
		where = "NOT " + sqlstore.SelfSQL("service_namespace", "service_name")
	}
	return eachRow(ctx, r.pool, `SELECT service_name, count(DISTINCT (service_namespace, service_version)), count(*), min(first_seen), max(last_seen)
		FROM producers WHERE `+where+` GROUP BY service_name ORDER BY service_name COLLATE "C" LIMIT $1 OFFSET $2`, []any{f.Limit, f.Offset}, rowsOf(each))
}
