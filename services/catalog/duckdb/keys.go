package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// keyOrder maps each sort to its ORDER BY column; the name breaks ties so
// that pages never overlap or skip.
var keyOrder = map[tallycatv1.SchemaKeySort]string{
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_UNSPECIFIED:    "schema_key",
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME:           "schema_key",
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT:   "schema_count",
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_PRODUCER_COUNT: "producer_count",
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_FIRST_SEEN:     "first_seen",
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_LAST_SEEN:      "last_seen",
}

// ListSchemaKeys implements catalog.Store. It reads the schema_keys
// summaries the writer keeps; only the page's version flags and cost are
// computed here. A sort by cost works out the cost of every key that
// passes the filter, sorts and pages them (sqlstore.SortByCost), then reads
// the page's summaries.
func (s *Store) ListSchemaKeys(ctx context.Context, f catalog.KeyFilter) ([]catalog.KeySummary, int64, error) {
	where := []string{"TRUE"}
	var args []any
	if f.Query != "" {
		where = append(where, `contains(lower(schema_key), lower(?))`)
		args = append(args, f.Query)
	}
	if f.ServiceName != "" {
		where = append(where, `schema_key IN (SELECT sp.schema_key FROM schema_producers sp
			JOIN producers p USING (producer_id) WHERE p.service_name = ?)`)
		args = append(args, f.ServiceName)
	}
	if len(f.MetricTypes) > 0 {
		where = append(where, `list_has_any(metric_types, [`+placeholders(len(f.MetricTypes))+`]::TINYINT[])`)
		for _, t := range f.MetricTypes {
			args = append(args, int8(t))
		}
	}
	filter := strings.Join(where, " AND ")
	q := sqlstore.QueryOf(costReader{s}, f.Window)
	if f.Sort == tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES || f.Sort == tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE {
		return s.keysByCost(ctx, f, filter, args, q)
	}
	order, ok := keyOrder[f.Sort]
	if !ok {
		return nil, 0, catalog.Errorf(catalog.EINVALID, "sort: unknown sort %v", f.Sort)
	}
	out, total, err := s.summaries(ctx, filter, args, order, f.Descending, limitOf(f.Limit), f.Offset)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.addCosts(ctx, out, nil, q)
}

// keysByCost is ListSchemaKeys sorted by cost.
func (s *Store) keysByCost(ctx context.Context, f catalog.KeyFilter, filter string, args []any, q sqlstore.CostQuery) ([]catalog.KeySummary, int64, error) {
	var keys []string
	err := scanRows(ctx, s.db, `SELECT schema_key FROM schema_keys WHERE `+filter, args, func(rows *sql.Rows) error {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list schema keys: %w", err)
	}
	scope := sqlstore.KeyScope{}
	if filter != "TRUE" {
		scope.Filter = sqlstore.Cond{SQL: filter, Args: args}
	}
	costs, err := sqlstore.KeyCostsIn(ctx, costReader{s}, scope, q)
	if err != nil {
		return nil, 0, err
	}
	sqlstore.SortByCost(keys, costs, f.Sort, f.Descending)
	total := int64(len(keys))
	page := keys[min(f.Offset, len(keys)):min(f.Offset+limitOf(f.Limit), len(keys))]
	if len(page) == 0 {
		return nil, total, nil
	}
	pageArgs := make([]any, len(page))
	for i, k := range page {
		pageArgs[i] = k
	}
	rows, _, err := s.summaries(ctx, `schema_key IN (`+placeholders(len(page))+`)`, pageArgs, "schema_key", false, len(page), 0)
	if err != nil {
		return nil, 0, err
	}
	out := sqlstore.InPageOrder(page, rows)
	return out, total, s.addCosts(ctx, out, costs, q)
}

// addCosts fills the summaries' costs, from costs when given, else worked
// out for them.
func (s *Store) addCosts(ctx context.Context, out []catalog.KeySummary, costs map[string]catalog.Cost, q sqlstore.CostQuery) error {
	if costs == nil && len(out) > 0 {
		keys := make([]string, len(out))
		for i, k := range out {
			keys[i] = k.Key
		}
		var err error
		if costs, err = sqlstore.KeyCostsIn(ctx, costReader{s}, sqlstore.KeyScope{Keys: keys}, q); err != nil {
			return err
		}
	}
	sqlstore.SetKeyCosts(out, costs, q)
	return nil
}

// summaries reads a page of the summaries that pass filter, in order
// (a column; the name breaks ties), with their version flags, and how many
// pass the filter in all.
func (s *Store) summaries(ctx context.Context, filter string, args []any, order string, descending bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	dir := "ASC"
	if descending {
		dir = "DESC"
	}
	query := `
		WITH page AS (
			SELECT *, count(*) OVER () AS total FROM schema_keys
			WHERE ` + filter + `
			ORDER BY ` + order + ` ` + dir + `, schema_key ` + dir + `
			LIMIT ? OFFSET ?
		),
		versions AS (
			SELECT schema_key, bool_or(status = ?) AS deprecated FROM (
				SELECT schema_id, any_value(schema_key) AS schema_key, arg_max(status, seq) AS status FROM schema_versions
				WHERE schema_key IN (SELECT schema_key FROM page) GROUP BY schema_id)
			GROUP BY schema_key
		)
		SELECT page.schema_key, page.metric_type, page.unit, page.metric_types, page.units, page.schema_count,
			page.first_seen, page.last_seen, page.description, page.total, page.producer_count, page.superseded_count,
			versions.schema_key IS NOT NULL, coalesce(versions.deprecated, false)
		FROM page LEFT JOIN versions USING (schema_key)
		ORDER BY ` + order + ` ` + dir + `, schema_key ` + dir
	args = append(slices.Clip(args), limit, offset, int8(tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list schema keys: %w", err)
	}
	defer rows.Close()
	var out []catalog.KeySummary
	var total int64
	for rows.Next() {
		var (
			k            catalog.KeySummary
			mt           int8
			types, units []any
		)
		if err := rows.Scan(&k.Key, &mt, &k.Unit, &types, &units, &k.Schemas, &k.FirstSeen, &k.LastSeen, &k.Description,
			&total, &k.Producers, &k.Superseded, &k.Versioned, &k.Deprecated); err != nil {
			return nil, 0, err
		}
		k.Type = tallycatv1.MetricType(mt)
		for _, t := range types {
			k.Types = append(k.Types, tallycatv1.MetricType(t.(int8)))
		}
		slices.Sort(k.Types)
		for _, u := range units {
			k.Units = append(k.Units, u.(string))
		}
		slices.Sort(k.Units)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		// A page past the end has no row to carry the total: count apart.
		countArgs := args[:len(args)-3] // without limit, offset and status
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_keys WHERE `+filter, countArgs...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("count schema keys: %w", err)
		}
	}
	return out, total, nil
}
