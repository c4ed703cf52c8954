package duckdb

import (
	"context"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// ReadDetail runs the schema's independent point reads at once, on
// connections of their own, then reads its streams' cost rows by the ids
// of the streams it found.
func (r dialect) ReadDetail(ctx context.Context, id string, since time.Time) (*sqlstore.Detail, error) {
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

// Producers asks whether the schema or the name the filter names exists
// first, and reads its instances only when it does.
func (r dialect) Producers(ctx context.Context, f catalog.ProducerFilter, each func(sqlstore.Row) error) (bool, error) {
	where, args := "TRUE", []any(nil)
	switch {
	case f.SchemaID != "":
		if known, err := r.exists(ctx, `SELECT count(*) FROM schemas WHERE schema_id = ?`, f.SchemaID); err != nil || !known {
			return false, err
		}
		where, args = "sp.schema_id = ?", []any{f.SchemaID}
	case f.SchemaKey != "":
		if known, err := r.exists(ctx, `SELECT count(*) FROM schema_keys WHERE schema_key = ?`, f.SchemaKey); err != nil || !known {
			return false, err
		}
		where, args = "sp.schema_key = ?", []any{f.SchemaKey}
	case f.ServiceName != "":
		where, args = "p.service_name = ?", []any{f.ServiceName}
	}
	order := ""
	if f.MostRecentFirst {
		order = "max(sp.last_seen) DESC, "
	}
	return true, scanRows(ctx, r.db, `
		SELECT p.service_name, p.service_namespace, p.service_version, p.service_instance_id,
			min(sp.first_seen), max(sp.last_seen), count(DISTINCT sp.schema_id)
		FROM producers p JOIN schema_producers sp USING (producer_id)
		WHERE `+where+`
		GROUP BY ALL
		ORDER BY `+order+`p.service_name, p.service_namespace, p.service_version, p.service_instance_id
		LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset), rowsOf(each))
}

// Services implements sqlstore.ProducerReader.
func (r dialect) Services(ctx context.Context, f catalog.ServiceFilter, each func(sqlstore.Row) error) error {
	where := "TRUE"
	if f.ExcludeSelf {
		where = "NOT " + sqlstore.SelfSQL("service_namespace", "service_name")
	}
	return scanRows(ctx, r.db, `SELECT service_name, count(DISTINCT (service_namespace, service_version)), count(*), min(first_seen), max(last_seen)
		FROM producers WHERE `+where+` GROUP BY service_name ORDER BY service_name LIMIT ? OFFSET ?`, []any{f.Limit, f.Offset}, rowsOf(each))
}
