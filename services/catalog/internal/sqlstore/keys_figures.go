package sqlstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/tallycat/tallycat/services/catalog"
)

// A key's figures beside its summary: whether its schemas group a scope
// (a logger's records without an event name, or the span names past the
// limit of distinct names), and what its current streams counted since
// each release began (spans or log records, and a span key's spans with
// status error). The schema_keys summaries the writer keeps hold neither;
// the schemas and their streams do, so a list reads them for its page's
// span and log keys alone, or for every key its filter passes when it is
// sorted by error share. A metric key has neither a scope grouping nor
// errors, and the Metrics list, the one most read, pays nothing for them.
// The errors are counted per stream, not per ten-minute bucket as rates
// are, so no window narrows them.

// KeyFiguresQuery selects what KeyReader.KeyFigures reads, for the keys
// keys selects (a query of one schema_key column), with the sums cast to
// count, the store's unsigned or signed 64-bit integer type: the streams
// of those keys are summed per schema first, so that a schema's by_scope
// and its streams' counts meet once.
func KeyFiguresQuery(keys, count string) string {
	return `
		WITH keys AS (` + keys + `),
		streams AS (
			SELECT schema_id, sum(data_point_count) AS points, sum(error_count) AS errors FROM schema_streams
			WHERE superseded_by = '' AND schema_key IN (SELECT schema_key FROM keys)
			GROUP BY schema_id
		)
		SELECT s.schema_key, bool_or(s.by_scope), coalesce(sum(st.points), 0)::` + count + `, coalesce(sum(st.errors), 0)::` + count + `
		FROM schemas s LEFT JOIN streams st USING (schema_id)
		WHERE s.schema_key IN (SELECT schema_key FROM keys)
		GROUP BY s.schema_key`
}

// KeyFigures is what KeyReader.KeyFigures reads of one key.
type KeyFigures struct {
	ByScope            bool
	DataPoints, Errors uint64
}

// ErrorShare is the share of the figures' data points that were errors:
// zero for a key without any, as for a metric's or a log's.
func (f KeyFigures) ErrorShare() float64 {
	if f.DataPoints == 0 {
		return 0
	}
	return float64(f.Errors) / float64(f.DataPoints)
}

// ReadKeyFigures reads the figures of the keys in scope; a key that is
// not in the answer has none (the zero KeyFigures).
func ReadKeyFigures(ctx context.Context, r KeyReader, scope KeyScope) (map[string]KeyFigures, error) {
	out := map[string]KeyFigures{}
	err := r.KeyFigures(ctx, scope, func(row Row) error {
		var key string
		var f KeyFigures
		if err := row.Scan(&key, &f.ByScope, &f.DataPoints, &f.Errors); err != nil {
			return err
		}
		out[key] = f
		return nil
	})
	return out, err
}

// addFigures fills the figures of the summaries' span and log keys, from
// figs when given, else read for them; a metric's are left zero.
func addFigures(ctx context.Context, r KeyReader, out []catalog.KeySummary, figs map[string]KeyFigures) error {
	if figs == nil {
		var keys []string
		for _, k := range out {
			if !catalog.IsMetricKey(k.Key) {
				keys = append(keys, k.Key)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		var err error
		if figs, err = ReadKeyFigures(ctx, r, KeyScope{Keys: keys}); err != nil {
			return err
		}
	}
	for i := range out {
		if catalog.IsMetricKey(out[i].Key) {
			continue
		}
		f := figs[out[i].Key]
		out[i].ByScope, out[i].DataPoints, out[i].Errors = f.ByScope, f.DataPoints, f.Errors
	}
	return nil
}

// SortByErrorShare orders keys by their share of errors, the name breaking
// ties so that pages never overlap or skip.
func SortByErrorShare(keys []string, figs map[string]KeyFigures, descending bool) {
	slices.SortFunc(keys, func(a, b string) int {
		o := cmp.Or(cmp.Compare(figs[a].ErrorShare(), figs[b].ErrorShare()), cmp.Compare(a, b))
		if descending {
			return -o
		}
		return o
	})
}
