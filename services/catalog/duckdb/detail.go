package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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

// ReadDetail runs the schema's independent point reads at once, on
// connections of their own, then reads its streams' cost rows by the ids
// of the streams it found.
func (r detailReader) ReadDetail(ctx context.Context, id string, since time.Time) (*sqlstore.Detail, error) {
	d := &sqlstore.Detail{}
	ids := []any{id}
	err := parallel(
		func() (err error) {
			d.Set, err = r.readSchemas(ctx, `schema_id = ?`, id)
			return err
		},
		func() (err error) {
			d.Producers, err = r.ListProducers(ctx, catalog.ProducerFilter{SchemaID: id, MostRecentFirst: true, Limit: catalog.MaxDetailProducers})
			return err
		},
		func() error {
			return scanRows(ctx, r.db, `SELECT service_namespace, service_name, service_version, count(*),
				min(first_seen), max(last_seen)
				FROM schema_producers WHERE schema_id = ? GROUP BY ALL`, ids, rowsOf(d.ScanRelease))
		},
		func() error {
			return scanRows(ctx, r.db, `SELECT scope_name, scope_version, min(first_seen), max(last_seen) FROM schema_streams
				WHERE schema_id = ? GROUP BY ALL ORDER BY scope_name, scope_version`, ids, rowsOf(d.ScanScope))
		},
		func() error {
			return scanRows(ctx, r.db, `SELECT schema_id, version, status, reason, actor, assigned_at
				FROM schema_versions WHERE schema_id = ? ORDER BY seq DESC`, ids, rowsOf(d.ScanVersion))
		},
	)
	if err != nil {
		return nil, err
	}
	d.Costs, err = sqlstore.LoadCosts(ctx, r, d.Set.StreamIDs(), since, sqlstore.CostRead{Values: true})
	return d, err
}

// ListProducers implements catalog.Store.
func (s *Store) ListProducers(ctx context.Context, f catalog.ProducerFilter) ([]catalog.Producer, error) {
	where, arg := "TRUE", any(nil)
	switch {
	case f.SchemaID != "":
		if err := s.mustExist(ctx, `SELECT count(*) FROM schemas WHERE schema_id = ?`, f.SchemaID, "schema %s not found"); err != nil {
			return nil, err
		}
		where, arg = "sp.schema_id = ?", f.SchemaID
	case f.SchemaKey != "":
		if err := s.mustExist(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, f.SchemaKey, "no metric named %q has been seen"); err != nil {
			return nil, err
		}
		where, arg = "sp.schema_key = ?", f.SchemaKey
	case f.ServiceName != "":
		where, arg = "p.service_name = ?", f.ServiceName
	}
	order := ""
	if f.MostRecentFirst {
		order = "max(sp.last_seen) DESC, "
	}
	return s.queryProducers(ctx, where, arg, f, order)
}

// queryProducers lists the producers matching where (with its one argument,
// or none when arg is nil), paged by f, in order (an ORDER BY prefix, or ""
// for by identity).
func (s *Store) queryProducers(ctx context.Context, where string, arg any, f catalog.ProducerFilter, order string) ([]catalog.Producer, error) {
	var args []any
	if arg != nil {
		args = append(args, arg)
	}
	args = append(args, sqlstore.LimitOf(f.Limit), f.Offset)
	// With a schema filter, first and last seen are those of the producer's
	// emission of that schema; otherwise the producer's own.
	var out []catalog.Producer
	err := scanRows(ctx, s.db, `
		SELECT p.service_name, p.service_namespace, p.service_version, p.service_instance_id,
			min(sp.first_seen), max(sp.last_seen), count(DISTINCT sp.schema_id)
		FROM producers p JOIN schema_producers sp USING (producer_id)
		WHERE `+where+`
		GROUP BY ALL
		ORDER BY `+order+`p.service_name, p.service_namespace, p.service_version, p.service_instance_id
		LIMIT ? OFFSET ?`, args, func(rows *sql.Rows) error {
		var p catalog.Producer
		var first, last time.Time
		if err := rows.Scan(&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID, &first, &last, &p.SchemaCount); err != nil {
			return err
		}
		p.FirstSeen, p.LastSeen = first, last
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list producers: %w", err)
	}
	return out, nil
}

// ListServices implements catalog.Store.
func (s *Store) ListServices(ctx context.Context, offset, limit int) ([]catalog.Service, error) {
	var out []catalog.Service
	err := scanRows(ctx, s.db, `SELECT service_name, count(DISTINCT (service_namespace, service_version)), count(*), min(first_seen), max(last_seen)
		FROM producers GROUP BY service_name ORDER BY service_name LIMIT ? OFFSET ?`, []any{sqlstore.LimitOf(limit), offset}, func(rows *sql.Rows) error {
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
