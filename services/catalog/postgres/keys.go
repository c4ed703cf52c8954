package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyFilter implements sqlstore.KeyReader. Its arguments are $1 onwards.
func (dialect) KeyFilter(f catalog.KeyFilter) sqlstore.Cond {
	var where []string
	var args argList
	// schema_keys_by_signal_name serves the signals alone, in name order.
	indexed := true
	if signals := sqlstore.SignalsOf(f); len(signals) > 0 {
		s := make([]int16, len(signals))
		for i, sig := range signals {
			s[i] = int16(sig)
		}
		if len(s) == 1 { // an equality, which the index serves in name order
			where = append(where, `signal = `+args.add(s[0])+`::SMALLINT`)
		} else {
			where = append(where, `signal = ANY(`+args.add(s)+`::SMALLINT[])`)
			indexed = false
		}
	}
	if f.Query != "" {
		indexed = false
		// Both sides lower-case in the database's collation: the column's
		// own ("C") knows only ASCII letters, and a search for "Émoji"
		// lowered otherwise than the name it should find finds nothing.
		where = append(where, `strpos(lower(name COLLATE "default"), lower(`+args.add(f.Query)+`::TEXT COLLATE "default")) > 0`)
	}
	if f.ServiceName != "" {
		indexed = false
		where = append(where, `schema_key IN (SELECT sp.schema_key FROM schema_producers sp
			JOIN producers p USING (producer_id) WHERE p.service_name = `+args.add(f.ServiceName)+`)`)
	}
	if len(f.MetricTypes) > 0 {
		types := make([]int16, len(f.MetricTypes))
		for i, t := range f.MetricTypes {
			types[i] = int16(t)
		}
		where = append(where, `metric_types && `+args.add(types)+`::SMALLINT[]`)
		indexed = false
	}
	if f.ExcludeSelf {
		where = append(where, `NOT self_only`)
		indexed = false
	}
	if f.Diverging {
		where = append(where, `diverging`)
		indexed = false
	}
	return sqlstore.Cond{SQL: strings.Join(where, " AND "), Args: args, Indexed: indexed}
}

// NameOrder implements sqlstore.KeyReader: byte by byte, whatever the
// database's collation.
func (dialect) NameOrder() string { return `name COLLATE "C"` }

// Keys implements sqlstore.KeyReader.
func (s dialect) Keys(ctx context.Context, c sqlstore.Cond) ([]string, error) {
	var keys sqlstore.Strings
	err := eachRow(ctx, s.pool, `SELECT schema_key FROM schema_keys WHERE `+c.Where(), c.Args, rowsOf(keys.Scan))
	return keys, err
}

// Summaries implements sqlstore.KeyReader.
func (s dialect) Summaries(ctx context.Context, c sqlstore.Cond, order string, descending bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	return s.summaries(ctx, c, order, descending, true, limit, offset)
}

// SummariesOf implements sqlstore.KeyReader. It counts nothing.
func (s dialect) SummariesOf(ctx context.Context, keys []string) ([]catalog.KeySummary, error) {
	out, _, err := s.summaries(ctx, sqlstore.Cond{SQL: `schema_key = ANY($1)`, Args: []any{keys}}, `schema_key COLLATE "C"`, false, false, len(keys), 0)
	return out, err
}

// summaries reads a page of the summaries that pass c, in order (a
// column; the name breaks ties), with their version flags, and, when
// count is set, how many pass c in all, in the same batch. A key is versioned when any of its schemas
// has a version, and deprecated when any schema's current version (its
// history row with the highest seq) is. Without a filter, or with one an
// index serves (c.Indexed: the signals alone), the total is counted apart
// (from an index alone), so that the page can stop at its last row, which
// an index in the order's collation serves; with any other, every summary
// must be read to evaluate it anyway, and a window
// over the page's query counts in that same scan rather than in a second.
// The page's names are chosen first and its rows read after, so that a
// filter and an order on the name alone read the primary key, not every
// row.
func (s *Store) summaries(ctx context.Context, c sqlstore.Cond, order string, descending, count bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	dir := "ASC"
	if descending {
		dir = "DESC"
	}
	var r reads
	var total int64
	filter := c.Where()
	windowed, counted := count && c.SQL != "" && !c.Indexed, "0::BIGINT"
	if windowed {
		counted = "count(*) OVER ()"
	} else if count {
		r.one(`SELECT count(*) FROM schema_keys WHERE `+filter, c.Args, &total)
	}
	a := argList(slices.Clone(c.Args))
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
			versions.schema_key IS NOT NULL, coalesce(versions.deprecated, false), page.signal, page.name, page.span_kinds,
			page.diverging
		FROM page LEFT JOIN versions USING (schema_key)
		ORDER BY ` + orderBy
	var out []catalog.KeySummary
	r.each(query, a, func(rows pgx.Rows) error {
		var (
			k            catalog.KeySummary
			mt, signal   int16
			types, kinds []int16
			n            int64
		)
		if err := rows.Scan(&k.Key, &mt, &k.Unit, &types, &k.Units, &k.Schemas, &k.FirstSeen, &k.LastSeen, &k.Description,
			&n, &k.Producers, &k.Superseded, &k.Versioned, &k.Deprecated, &signal, &k.Name, &kinds, &k.Diverging); err != nil {
			return err
		}
		k.Signal = schemaid.SignalFromAPI(tallycatv1.Signal(signal))
		for _, sk := range kinds {
			k.SpanKinds = append(k.SpanKinds, schemaid.SpanKind(sk))
		}
		slices.Sort(k.SpanKinds)
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
		return nil, 0, err
	}
	if windowed && len(out) == 0 && offset > 0 {
		// A page past the end has no row to carry the total: count apart.
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_keys WHERE `+filter, c.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count schema keys: %w", storageError(err))
		}
	}
	return out, total, nil
}

// KeyFigures implements sqlstore.KeyReader: the streams of the keys in
// scope are summed per schema first, so that a schema's by_scope and its
// streams' counts meet once. A filter's arguments are $1 onwards, as
// KeyFilter numbers them.
func (s dialect) KeyFigures(ctx context.Context, scope sqlstore.KeyScope, each func(sqlstore.Row) error) error {
	keys, args := `SELECT schema_key FROM schema_keys WHERE `+scope.Filter.Where(), scope.Filter.Args
	if scope.Keys != nil {
		keys, args = `SELECT unnest($1::TEXT[]) AS schema_key`, []any{scope.Keys}
	}
	return eachRow(ctx, s.pool, sqlstore.KeyFiguresQuery(keys, "BIGINT"), args, rowsOf(each))
}
