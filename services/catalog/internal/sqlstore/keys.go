package sqlstore

import (
	"cmp"
	"context"
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Where is what a WHERE clause of c says: its SQL, or TRUE for the zero
// Cond, which both dialects read alike.
func (c Cond) Where() string {
	if c.SQL == "" {
		return "TRUE"
	}
	return c.SQL
}

// SignalsOf are the signals f keeps, as schema_keys.signal holds them: a
// metric's only when f names none (as every list did before spans and logs
// had schemas), and nil when f keeps every signal, which needs no
// condition.
func SignalsOf(f catalog.KeyFilter) []tallycatv1.Signal {
	if len(f.Signals) == 0 {
		return []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_METRIC}
	}
	var out []tallycatv1.Signal
	for _, s := range f.Signals {
		if a := s.API(); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == len(catalog.AllSignals) {
		return nil
	}
	slices.Sort(out)
	return out
}

// Strings gathers a read of one text column: names of keys.
type Strings []string

// Scan reads one row of one text column.
func (s *Strings) Scan(row Row) error {
	var v string
	if err := row.Scan(&v); err != nil {
		return err
	}
	*s = append(*s, v)
	return nil
}

// KeyReader is what ListSchemaKeys reads, in the store's SQL, besides the
// keys' costs: the schema_keys summaries the writer keeps.
type KeyReader interface {
	CostReader
	// KeyFilter is f's filter as a condition on schema_keys: the zero
	// Cond when f filters nothing.
	KeyFilter(f catalog.KeyFilter) Cond
	// NameOrder is how the store orders by name: byte by byte, as the
	// page tokens and the other store do.
	NameOrder() string
	// Keys reads the names of the keys that pass c, in no order.
	Keys(ctx context.Context, c Cond) ([]string, error)
	// Summaries reads a page of the summaries that pass c, in order (a
	// column from KeyOrder; the name breaks ties), with their version
	// flags, and how many pass c in all.
	Summaries(ctx context.Context, c Cond, order string, descending bool, limit, offset int) ([]catalog.KeySummary, int64, error)
	// SummariesOf reads the summaries of the listed keys, with their
	// version flags, in no order.
	SummariesOf(ctx context.Context, keys []string) ([]catalog.KeySummary, error)
	// KeyFigures reads the figures (see KeyFigures) of the keys in scope
	// that have schemas, in no order, selected as schema_key, whether any
	// of its schemas is by_scope, and the data_point_count and
	// error_count of its current streams (superseded_by empty), summed.
	KeyFigures(ctx context.Context, scope KeyScope, each func(Row) error) error
	ReleaseKeyReader
	KeyDetailReader
}

// KeyOrder is the ORDER BY column of a sort on the summaries' own columns,
// name being the store's NameOrder; it reports false for any other sort.
// The name breaks ties so that pages never overlap or skip.
func KeyOrder(sort tallycatv1.SchemaKeySort, name string) (string, bool) {
	switch sort {
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_UNSPECIFIED, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME:
		return name, true
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT:
		return "schema_count", true
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_PRODUCER_COUNT:
		return "producer_count", true
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_FIRST_SEEN:
		return "first_seen", true
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_LAST_SEEN:
		return "last_seen", true
	}
	return "", false
}

// ListSchemaKeys implements catalog.Store.ListSchemaKeys on r. It reads
// the summaries the writer keeps, their divergence with them; only the
// page's version flags, cost, figures (KeyFigures) and versions
// (addDetails) are worked out as it reads. A sort by cost or by
// error share works out that figure for every key that passes the filter,
// sorts and pages them (SortByCost, SortByErrorShare), then reads the
// page's summaries.
func ListSchemaKeys(ctx context.Context, r KeyReader, snaps *costSnapshots, f catalog.KeyFilter) ([]catalog.KeySummary, int64, error) {
	filter := r.KeyFilter(f)
	q := QueryOf(r, f.Window)
	switch f.Sort {
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE,
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE:
		out, total, err := keysByFigure(ctx, r, snaps, f, filter, q)
		return out, total, Wrap("list schema keys", err)
	}
	order, ok := KeyOrder(f.Sort, r.NameOrder())
	if !ok {
		return nil, 0, catalog.Errorf(catalog.EINVALID, "sort: unknown sort %v", f.Sort)
	}
	out, total, err := r.Summaries(ctx, filter, order, f.Descending, LimitOf(f.Limit), f.Offset)
	if err == nil {
		// A page by name does not wait for a snapshot: without one, its
		// keys' costs are worked out for it alone.
		err = addCosts(ctx, r, out, snaps.ready(r, q).keyCosts(), q)
	}
	if err == nil {
		err = addFigures(ctx, r, out, nil)
	}
	if err == nil {
		err = addDetails(ctx, r, out)
	}
	if err != nil {
		return nil, 0, Wrap("list schema keys", err)
	}
	return out, total, nil
}

// keysByFigure is ListSchemaKeys sorted by cost or by error share. Sorted
// by cost from a snapshot, the sorted keys are the snapshot's, read once
// per filter and sort while it is served (costSnapshot.sorted).
func keysByFigure(ctx context.Context, r KeyReader, snaps *costSnapshots, f catalog.KeyFilter, filter Cond, q CostQuery) ([]catalog.KeySummary, int64, error) {
	var (
		keys  []string
		costs map[string]catalog.Cost
		figs  map[string]KeyFigures
		err   error
	)
	if f.Sort == tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE {
		if keys, err = r.Keys(ctx, filter); err == nil {
			figs, err = ReadKeyFigures(ctx, r, KeyScope{Filter: filter})
			SortByErrorShare(keys, figs, f.Descending)
		}
	} else {
		keys, costs, err = keysByCost(ctx, r, snaps, f, filter, q)
	}
	if err != nil {
		return nil, 0, err
	}
	total := int64(len(keys))
	page := keys[min(f.Offset, len(keys)):min(f.Offset+LimitOf(f.Limit), len(keys))]
	if len(page) == 0 {
		return nil, total, nil
	}
	rows, err := r.SummariesOf(ctx, page)
	if err != nil {
		return nil, 0, err
	}
	out := inPageOrder(page, rows)
	if err := addCosts(ctx, r, out, costs, q); err != nil {
		return nil, 0, err
	}
	if err := addFigures(ctx, r, out, figs); err != nil {
		return nil, 0, err
	}
	return out, total, addDetails(ctx, r, out)
}

// keysByCost is the keys that pass filter sorted by cost as f says, and
// the costs they were sorted by: the snapshot's when the store keeps one,
// else worked out for them.
func keysByCost(ctx context.Context, r KeyReader, snaps *costSnapshots, f catalog.KeyFilter, filter Cond, q CostQuery) ([]string, map[string]catalog.Cost, error) {
	snap, err := snaps.snapshot(ctx, r, q)
	if err != nil {
		return nil, nil, err
	}
	if snap != nil {
		keys, err := snap.sorted(filter, f.Sort, f.Descending, func() ([]string, error) { return r.Keys(ctx, filter) })
		return keys, snap.costs, err
	}
	keys, err := r.Keys(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	costs, err := KeyCostsIn(ctx, r, KeyScope{Filter: filter}, q)
	if err != nil {
		return nil, nil, err
	}
	SortByCost(keys, costs, f.Sort, f.Descending)
	return keys, costs, nil
}

// addCosts fills the summaries' costs, from costs when given, else worked
// out for them.
func addCosts(ctx context.Context, r CostReader, out []catalog.KeySummary, costs map[string]catalog.Cost, q CostQuery) error {
	if costs == nil && len(out) > 0 {
		keys := make([]string, len(out))
		for i, k := range out {
			keys[i] = k.Key
		}
		var err error
		if costs, err = KeyCostsIn(ctx, r, KeyScope{Keys: keys}, q); err != nil {
			return err
		}
	}
	setKeyCosts(out, costs, q)
	return nil
}

// SortByCost orders keys by their cost, series or data point rate as sort
// says, the name breaking ties so that pages never overlap or skip. It
// reports false for any other sort, which the store's columns answer.
// Most keys of a large catalog have no data in the window: they are
// parted from the others first, and, holding equal figures, ordered by
// name alone (a sort that finds them in order, as stores mostly read
// them, costs one pass), so that the figures are looked up once a key.
func SortByCost(keys []string, costs map[string]catalog.Cost, sort tallycatv1.SchemaKeySort, descending bool) bool {
	var by func(catalog.Cost) float64
	switch sort {
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES:
		by = func(c catalog.Cost) float64 { return float64(c.Series) }
	case tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE:
		by = func(c catalog.Cost) float64 { return c.DataPointsPerMinute }
	default:
		return false
	}
	type figured struct {
		key string
		v   float64
	}
	var some []figured
	none := keys[:0:0]
	for _, k := range keys {
		if c, ok := costs[k]; ok && by(c) != 0 {
			some = append(some, figured{k, by(c)})
		} else {
			none = append(none, k)
		}
	}
	slices.SortFunc(some, func(a, b figured) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.key, b.key)) })
	slices.Sort(none)
	// Ascending, the keys without figures (zero) come first; descending,
	// every order is reversed.
	i := copy(keys, none)
	for _, f := range some {
		keys[i] = f.key
		i++
	}
	if descending {
		slices.Reverse(keys)
	}
	return true
}

// inPageOrder returns the summaries of the keys of page that rows holds, in
// page's order: a page chosen by cost, whose summaries were read apart.
func inPageOrder(page []string, rows []catalog.KeySummary) []catalog.KeySummary {
	byKey := make(map[string]catalog.KeySummary, len(rows))
	for _, r := range rows {
		byKey[r.Key] = r
	}
	out := make([]catalog.KeySummary, 0, len(page))
	for _, k := range page {
		if r, ok := byKey[k]; ok {
			out = append(out, r)
		}
	}
	return out
}

// setKeyCosts gives each summary its cost from costs (zero for a key with
// none), stamped with q's window.
func setKeyCosts(out []catalog.KeySummary, costs map[string]catalog.Cost, q CostQuery) {
	w, _ := q.Span()
	for i := range out {
		c := costs[out[i].Key]
		c.Window = w
		out[i].Cost = c
	}
}
