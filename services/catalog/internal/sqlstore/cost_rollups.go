package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Hourly rollups of cost rows. A day's window merges 145 ten-minute
// buckets of every active stream; the fold (FoldCosts) merges each
// complete hour's six buckets of a stream into one row per field, as the
// window would merge them (sketches merged, data points and bytes summed,
// the first and last seen times kept, example values merged under the same
// limit), and records the hour as folded. A read over the last day then
// takes the folded hours from the rollups and the rest, its edges and the
// last hour, from the ten-minute rows: the figures are the same, since
// every merge the window makes is associative and a rollup holds exactly
// the buckets of its hour.
//
// The fold runs in the background, apart from RecordObservations, which
// never touches the rollups: a replica that leads (catalog.Leader) folds
// the hours that ended at least FoldGrace ago and were not folded yet.
// The ten-minute rows stay, for the chart (SeriesHistory) and for what the
// rollups cannot answer:
//   - the last hour, which judges high cardinality in every window and is
//     a window itself: it starts on a bucket, seldom on an hour;
//   - a stream superseded on a schema, which that schema counts up to the
//     bucket it was last seen in, often within an hour (see costStreams):
//     such streams are read at ten minutes, whatever the window.
//
// No daily rollup: a day's window starts on a ten-minute bucket, so it
// never covers a whole calendar day but at midnight, and the folded hours
// already make it 22 or 23 rollups and 7 to 13 ten-minute rows a stream
// and field instead of 145.

// FoldGrace is how long after its end an hour is folded: a batch that an
// ingest sent late still lands in its bucket first. A batch later than
// that is counted in its ten-minute bucket, and so in the last hour's
// figures and the chart, but not in a day's window once the hour is
// folded.
const FoldGrace = cardinality.BucketWidth

// FoldedSpan is the hours [From, To) whose cost rows a read takes from
// the rollups rather than from the ten-minute rows; the zero span takes
// none, and a read of it is a read of ten-minute rows alone.
type FoldedSpan struct{ From, To time.Time }

// IsZero reports whether the span holds no hour.
func (s FoldedSpan) IsZero() bool { return !s.To.After(s.From) }

// Covers reports whether the bucket (or hour) starting at t is in the span.
func (s FoldedSpan) Covers(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

// foldedSpan is the longest run of folded hours (sorted) that lie wholly
// in q's window and end before the last hour's first bucket: every
// bucket a folded hour holds is then one the window merges, and none is
// one the last hour's figures need. The last hour's own window has none.
func (q CostQuery) foldedSpan(folded []time.Time) FoldedSpan {
	_, d := q.Span()
	from, lastHour := cardinality.BucketOf(q.Now.Add(-d)), cardinality.BucketOf(q.Now.Add(-time.Hour))
	var best, run FoldedSpan
	for _, h := range folded {
		if h.Before(from) || h.Add(time.Hour).After(lastHour) {
			continue
		}
		if run.IsZero() || !h.Equal(run.To) {
			run = FoldedSpan{From: h}
		}
		run.To = h.Add(time.Hour)
		if run.To.Sub(run.From) > best.To.Sub(best.From) {
			best = run
		}
	}
	return best
}

// spanOf reads which hours are folded and returns q's span over them;
// a window of the last hour has none and reads nothing.
func spanOf(ctx context.Context, r CostReader, q CostQuery) (FoldedSpan, error) {
	if _, d := q.Span(); d <= time.Hour {
		return FoldedSpan{}, nil
	}
	folded, err := r.FoldedHours(ctx, q.Since())
	if err != nil {
		return FoldedSpan{}, fmt.Errorf("read folded hours: %w", err)
	}
	return q.foldedSpan(folded), nil
}

// cutStreams are the streams superseded on some schema, which the
// rollups cannot count (see the comment at the top of this file).
func cutStreams(streams []KeyStream) map[string]bool {
	out := map[string]bool{}
	for _, s := range streams {
		if s.SupersededBy != "" {
			out[s.StreamID] = true
		}
	}
	return out
}

// splitCut divides stream ids into those the rollups count and the cut
// ones.
func splitCut(ids []string, cut map[string]bool) (plain, cutIDs []string) {
	for _, id := range ids {
		if cut[id] {
			cutIDs = append(cutIDs, id)
		} else {
			plain = append(plain, id)
		}
	}
	return plain, cutIDs
}

// atTenMinutes replaces, in rows read with cr.Folded, the rollup rows of
// the cut streams with their ten-minute rows of the same hours.
func atTenMinutes(ctx context.Context, r CostReader, streams []KeyStream, rows []catalog.CostRow, cr CostRead) ([]catalog.CostRow, error) {
	span := cr.Folded
	cut := cutStreams(streams)
	if span.IsZero() || len(cut) == 0 {
		return rows, nil
	}
	rows = slices.DeleteFunc(rows, func(r catalog.CostRow) bool { return cut[r.StreamID] && span.Covers(r.Bucket) })
	var ids []string
	for id := range cut {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	tenMinutes := cr
	tenMinutes.Folded = FoldedSpan{}
	out := CostRows(rows)
	err := r.EachCost(ctx, ids, span.From, tenMinutes, func(c *catalog.CostRow) error {
		if span.Covers(c.Bucket) {
			return out.Add(c)
		}
		return nil
	})
	return out, err
}

// CostFolder is what the fold reads and writes, each method in the
// store's SQL.
type CostFolder interface {
	// Now is the store's clock.
	Now() time.Time
	// CostConfig is how the store was told to judge fields.
	CostConfig() catalog.CostConfig
	// FoldedHours reads the hours folded since since, oldest first.
	FoldedHours(ctx context.Context, since time.Time) ([]time.Time, error)
	// EachCostIn hands fn the ten-minute cost rows of the buckets in
	// [from, to), with their values; each row is fn's to keep.
	EachCostIn(ctx context.Context, from, to time.Time, fn func(*catalog.CostRow) error) error
	// WriteFold stores an hour's rollup rows and records the hour as
	// folded, in one transaction; an hour already recorded fails it.
	WriteFold(ctx context.Context, hour time.Time, rows []catalog.CostRow) error
	// PruneFolds deletes the rollups, and the records of folded hours,
	// of the hours starting before before.
	PruneFolds(ctx context.Context, before time.Time) error
}

// FoldCosts implements the catalog's fold of cost rows on its store
// (see the comment at the top of this file): it deletes the rollups past
// cardinality.Retention, then folds every retained hour that ended
// FoldGrace ago and is not folded yet, oldest first, each in one
// transaction, and returns how many it folded. A store that is not a
// CostFolder folds nothing.
func (f Flows) FoldCosts(ctx context.Context) (int, error) {
	folder, ok := f.d.(CostFolder)
	if !ok {
		return 0, nil
	}
	n, err := FoldCosts(ctx, folder)
	return n, Wrap("fold cost rows", err)
}

// FoldCosts is Flows.FoldCosts on a CostFolder.
func FoldCosts(ctx context.Context, f CostFolder) (int, error) {
	now := f.Now()
	prune := PruneBefore(now)
	if err := f.PruneFolds(ctx, prune); err != nil {
		return 0, err
	}
	// The first hour whose buckets are all retained, to the last that
	// ended FoldGrace ago.
	first := prune.Truncate(time.Hour)
	if first.Before(prune) {
		first = first.Add(time.Hour)
	}
	last := now.Add(-FoldGrace).Truncate(time.Hour).Add(-time.Hour)
	folded, err := f.FoldedHours(ctx, first)
	if err != nil {
		return 0, err
	}
	n := 0
	for h := first; !h.After(last); h = h.Add(time.Hour) {
		if slices.ContainsFunc(folded, h.Equal) {
			continue
		}
		rows, err := foldHour(ctx, f, h)
		if err != nil {
			return n, err
		}
		if err := f.WriteFold(ctx, h, rows); err != nil {
			return n, fmt.Errorf("hour %s: %w", h.Format(time.RFC3339), err)
		}
		n++
	}
	return n, nil
}

// foldHour reads an hour's ten-minute rows and merges them per stream
// and field into rows dated at the hour.
func foldHour(ctx context.Context, f CostFolder, hour time.Time) ([]catalog.CostRow, error) {
	type streamField struct {
		stream string
		field  catalog.CostField
	}
	groups := map[streamField][]catalog.CostRow{}
	var order []streamField
	err := f.EachCostIn(ctx, hour, hour.Add(time.Hour), func(r *catalog.CostRow) error {
		k := streamField{r.StreamID, r.Field}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], *r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the rows of hour %s: %w", hour.Format(time.RFC3339), err)
	}
	out := make([]catalog.CostRow, 0, len(order))
	maxValues := f.CostConfig().MaxValues
	for _, k := range order {
		m, err := catalog.MergeCostRows(groups[k], maxValues)
		if err != nil {
			return nil, fmt.Errorf("fold stream %s: %w", k.stream, err)
		}
		m.Bucket = hour
		if m.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED {
			m.State = groups[k][0].State
		}
		out = append(out, m)
	}
	return out, nil
}

// KeepFolding folds s's cost rows (FoldCosts) every interval until ctx
// ends, when s leads its replicas (catalog.Leader) or has none, logging
// what fails with logf: a fold that fails is tried again the next time.
// A store without the fold returns at once.
func KeepFolding(ctx context.Context, s catalog.Store, every time.Duration, logf func(msg string, args ...any)) {
	folder, ok := s.(interface {
		FoldCosts(context.Context) (int, error)
	})
	if !ok {
		return
	}
	leader, _ := s.(catalog.Leader)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if leader == nil || leader.Leading(ctx) {
			if n, err := folder.FoldCosts(ctx); err != nil && ctx.Err() == nil {
				logf("folding cost rows into hourly rollups", "error", err, "hours_folded", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// HourRows appends each row, selected as one hour, to out in UTC: how
// every store reads the folded hours.
func HourRows(out *[]time.Time) func(Row) error {
	return func(row Row) error {
		var h time.Time
		if err := row.Scan(&h); err != nil {
			return err
		}
		*out = append(*out, h.UTC())
		return nil
	}
}
