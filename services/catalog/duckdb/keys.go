package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyFilter implements sqlstore.KeyReader.
func (dialect) KeyFilter(f catalog.KeyFilter) sqlstore.Cond {
	var where []string
	var args []any
	if signals := sqlstore.SignalsOf(f); len(signals) > 0 {
		where = append(where, `signal IN (`+placeholders(len(signals))+`)`)
		for _, s := range signals {
			args = append(args, int8(s))
		}
	}
	if f.Query != "" {
		where = append(where, `contains(lower(name), lower(?))`)
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
	if f.ExcludeSelf {
		where = append(where, `NOT self_only`)
	}
	if f.Diverging {
		where = append(where, `diverging`)
	}
	return sqlstore.Cond{SQL: strings.Join(where, " AND "), Args: args}
}

// NameOrder implements sqlstore.KeyReader: the column's own collation
// compares bytes.
func (dialect) NameOrder() string { return "name" }

// Keys implements sqlstore.KeyReader.
func (s dialect) Keys(ctx context.Context, c sqlstore.Cond) ([]string, error) {
	var keys sqlstore.Strings
	err := scanRows(ctx, s.db, `SELECT schema_key FROM schema_keys WHERE `+c.Where(), c.Args, rowsOf(keys.Scan))
	return keys, err
}

// Summaries implements sqlstore.KeyReader.
func (s dialect) Summaries(ctx context.Context, c sqlstore.Cond, order string, descending bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	return s.summaries(ctx, c, order, descending, limit, offset)
}

// SummariesOf implements sqlstore.KeyReader. The keys are bound as one
// list: DuckDB binds a hundred parameters slower than it joins a list.
func (s dialect) SummariesOf(ctx context.Context, keys []string) ([]catalog.KeySummary, error) {
	out, _, err := s.summaries(ctx, sqlstore.Cond{SQL: `schema_key IN (SELECT unnest(?::VARCHAR[]))`, Args: []any{keys}}, "schema_key", false, len(keys), 0)
	return out, err
}

// summaries reads a page of the summaries that pass c, in order (a
// column; the name breaks ties), with their version flags, and how many
// pass c in all.
func (s *Store) summaries(ctx context.Context, c sqlstore.Cond, order string, descending bool, limit, offset int) ([]catalog.KeySummary, int64, error) {
	dir := "ASC"
	if descending {
		dir = "DESC"
	}
	query := `
		WITH page AS (
			SELECT *, count(*) OVER () AS total FROM schema_keys
			WHERE ` + c.Where() + `
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
			versions.schema_key IS NOT NULL, coalesce(versions.deprecated, false), page.signal, page.name, page.span_kinds,
			page.diverging
		FROM page LEFT JOIN versions USING (schema_key)
		ORDER BY ` + order + ` ` + dir + `, schema_key ` + dir
	args := append(slices.Clip(c.Args), limit, offset, int8(tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []catalog.KeySummary
	var total int64
	for rows.Next() {
		var (
			k                   catalog.KeySummary
			mt, signal          int8
			types, units, kinds []any
		)
		if err := rows.Scan(&k.Key, &mt, &k.Unit, &types, &units, &k.Schemas, &k.FirstSeen, &k.LastSeen, &k.Description,
			&total, &k.Producers, &k.Superseded, &k.Versioned, &k.Deprecated, &signal, &k.Name, &kinds, &k.Diverging); err != nil {
			return nil, 0, err
		}
		k.Type, k.Signal = tallycatv1.MetricType(mt), schemaid.SignalFromAPI(tallycatv1.Signal(signal))
		for _, sk := range kinds {
			k.SpanKinds = append(k.SpanKinds, schemaid.SpanKind(sk.(int8)))
		}
		slices.Sort(k.SpanKinds)
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
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_keys WHERE `+c.Where(), c.Args...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("count schema keys: %w", err)
		}
	}
	return out, total, nil
}

// KeyFigures implements sqlstore.KeyReader: the streams of the keys in
// scope are summed per schema first, so that a schema's by_scope and its
// streams' counts meet once.
func (s dialect) KeyFigures(ctx context.Context, scope sqlstore.KeyScope, each func(sqlstore.Row) error) error {
	keys, args := `SELECT schema_key FROM schema_keys WHERE `+scope.Filter.Where(), scope.Filter.Args
	if scope.Keys != nil {
		keys, args = `SELECT schema_key FROM schema_keys WHERE schema_key IN (`+placeholders(len(scope.Keys))+`)`, nil
		for _, k := range scope.Keys {
			args = append(args, k)
		}
	}
	return scanRows(ctx, s.db, sqlstore.KeyFiguresQuery(keys, "UBIGINT"), args, rowsOf(each))
}
