package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// keyOrder maps each sort to its ORDER BY column; the name breaks ties so
// that pages never overlap or skip.
var keyOrder = map[tallycatv1.SchemaKeySort]string{
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_UNSPECIFIED:    `schema_key COLLATE "C"`,
	tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME:           `schema_key COLLATE "C"`,
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
	var args argList
	if f.Query != "" {
		// Both sides lower-case in the database's collation: the column's
		// own ("C") knows only ASCII letters, and a search for "Émoji"
		// lowered otherwise than the name it should find finds nothing.
		where = append(where, `strpos(lower(schema_key COLLATE "default"), lower(`+args.add(f.Query)+`::TEXT COLLATE "default")) > 0`)
	}
	if f.ServiceName != "" {
		where = append(where, `schema_key IN (SELECT sp.schema_key FROM schema_producers sp
			JOIN producers p USING (producer_id) WHERE p.service_name = `+args.add(f.ServiceName)+`)`)
	}
	if len(f.MetricTypes) > 0 {
		types := make([]int16, len(f.MetricTypes))
		for i, t := range f.MetricTypes {
			types[i] = int16(t)
		}
		where = append(where, `metric_types && `+args.add(types)+`::SMALLINT[]`)
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
	out, total, err := s.summaries(ctx, filter, args, order, f.Descending, true, limitOf(f.Limit), f.Offset)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.addCosts(ctx, out, nil, q)
}

// keysByCost is ListSchemaKeys sorted by cost.
func (s *Store) keysByCost(ctx context.Context, f catalog.KeyFilter, filter string, args argList, q sqlstore.CostQuery) ([]catalog.KeySummary, int64, error) {
	var keys []string
	err := eachRow(ctx, s.pool, `SELECT schema_key FROM schema_keys WHERE `+filter, args, func(rows pgx.Rows) error {
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
		return nil, 0, fmt.Errorf("list schema keys: %w", err)
	}
	sqlstore.SortByCost(keys, costs, f.Sort, f.Descending)
	total := int64(len(keys))
	page := keys[min(f.Offset, len(keys)):min(f.Offset+limitOf(f.Limit), len(keys))]
	if len(page) == 0 {
		return nil, total, nil
	}
	rows, _, err := s.summaries(ctx, `schema_key = ANY($1)`, argList{page}, `schema_key COLLATE "C"`, false, false, len(page), 0)
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
			return fmt.Errorf("list schema keys: %w", err)
		}
	}
	sqlstore.SetKeyCosts(out, costs, q)
	return nil
}

// summaries reads a page of the summaries that pass filter (whose
// arguments are args), in order (a column; the name breaks ties), with
// their version flags, and, when count is set, how many pass the filter
// in all, in the same batch. A key is versioned when any of its schemas
// has a version, and deprecated when any schema's current version (its
// history row with the highest seq) is. Without a filter, the total is
// counted apart (from the primary key alone), so that the page can stop
// at its last row, which an index in the order's collation serves; with
// one, every summary must be read to evaluate it anyway, and a window
// over the page's query counts in that same scan rather than in a second.
// The page's names are chosen first and its rows read after, so that a
// filter and an order on the name alone read the primary key, not every
// row.
func (s *Store) summaries(ctx context.Context, filter string, args argList, order string, descending, count bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	dir := "ASC"
	if descending {
		dir = "DESC"
	}
	var r reads
	var total int64
	windowed, counted := count && filter != "TRUE", "0::BIGINT"
	if windowed {
		counted = "count(*) OVER ()"
	} else if count {
		r.one(`SELECT count(*) FROM schema_keys WHERE `+filter, args, &total)
	}
	a := argList(slices.Clone(args))
	orderBy := order + ` ` + dir + `, schema_key COLLATE "C" ` + dir
	query := `
		WITH keys AS (
			SELECT schema_key, ` + counted + ` AS total FROM schema_keys
			WHERE ` + filter + `
			ORDER BY ` + orderBy + `
			LIMIT ` + a.add(limit) + ` OFFSET ` + a.add(offset) + `
		),
		page AS (SELECT k.*, keys.total FROM keys JOIN schema_keys k USING (schema_key)),
		versions AS (
			SELECT schema_key, bool_or(status = ` + a.add(int16(tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED)) + `) AS deprecated FROM (
				SELECT DISTINCT ON (schema_id) schema_id, schema_key, status FROM schema_versions
				WHERE schema_key IN (SELECT schema_key FROM page) ORDER BY schema_id, seq DESC) cur
			GROUP BY schema_key
		)
		SELECT page.schema_key, page.metric_type, page.unit, page.metric_types, page.units, page.schema_count,
			page.first_seen, page.last_seen, page.description, page.total, page.producer_count, page.superseded_count,
			versions.schema_key IS NOT NULL, coalesce(versions.deprecated, false)
		FROM page LEFT JOIN versions USING (schema_key)
		ORDER BY ` + orderBy
	var out []catalog.KeySummary
	r.each(query, a, func(rows pgx.Rows) error {
		var (
			k     catalog.KeySummary
			mt    int16
			types []int16
			n     int64
		)
		if err := rows.Scan(&k.Key, &mt, &k.Unit, &types, &k.Units, &k.Schemas, &k.FirstSeen, &k.LastSeen, &k.Description,
			&n, &k.Producers, &k.Superseded, &k.Versioned, &k.Deprecated); err != nil {
			return err
		}
		if windowed {
			total = n
		}
		k.Type = tallycatv1.MetricType(mt)
		for _, t := range types {
			k.Types = append(k.Types, tallycatv1.MetricType(t))
		}
		slices.Sort(k.Types)
		slices.Sort(k.Units)
		out = append(out, k)
		return nil
	})
	if err := r.send(ctx, s); err != nil {
		return nil, 0, fmt.Errorf("list schema keys: %w", err)
	}
	if windowed && len(out) == 0 && offset > 0 {
		// A page past the end has no row to carry the total: count apart.
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_keys WHERE `+filter, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count schema keys: %w", storageError(err))
		}
	}
	return out, total, nil
}
