package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// The hourly rollups of cost rows (stream_cost_hours and cost_folds,
// migration 7): what sqlstore.FoldCosts reads and writes, which the
// leading replica runs, and the reads of a window that take its folded
// hours from them.

// costQueryOf is the query selecting cols of the cost rows since since,
// as cr says, of the streams cond selects (a condition on stream_id whose
// arguments, args, come first): the folded span's hours from
// stream_cost_hours, the other buckets from stream_costs.
func costQueryOf(cols, cond string, args []any, since time.Time, cr sqlstore.CostRead) (string, []any) {
	a := argList(slices.Clone(args))
	series := ""
	if cr.SeriesOnly {
		series = ` AND source = 0`
	}
	tenMinutes := `SELECT ` + cols + ` FROM stream_costs WHERE bucket >= ` + a.add(utc(since)) + series + ` AND ` + cond
	if cr.Folded.IsZero() {
		return tenMinutes, a
	}
	from, to := a.add(utc(cr.Folded.From)), a.add(utc(cr.Folded.To))
	return tenMinutes + ` AND (bucket < ` + from + ` OR bucket >= ` + to + `)
		UNION ALL SELECT ` + cols + ` FROM stream_cost_hours WHERE bucket >= ` + from + ` AND bucket < ` + to + series + ` AND ` + cond, a
}

// FoldedHours implements sqlstore.CostReader and sqlstore.CostFolder.
func (s dialect) FoldedHours(ctx context.Context, since time.Time) ([]time.Time, error) {
	var out []time.Time
	err := eachRow(ctx, s.pool, `SELECT hour FROM cost_folds WHERE hour >= $1 ORDER BY hour`, []any{utc(since)}, rowsOf(sqlstore.HourRows(&out)))
	return out, err
}

// EachCostIn implements sqlstore.CostFolder.
func (s dialect) EachCostIn(ctx context.Context, from, to time.Time, fn func(*catalog.CostRow) error) error {
	return eachRow(ctx, s.pool, `SELECT `+sqlstore.CostColumns+` FROM stream_costs WHERE bucket >= $1 AND bucket < $2`,
		[]any{utc(from), utc(to)}, rowsOf(sqlstore.EachCostRow(fn)))
}

// WriteFold implements sqlstore.CostFolder: the hour's record and its
// rows in one transaction, so that a replica that folds the same hour at
// once (a lead that changed hands) fails on the record and writes
// nothing. It takes no write lock: it touches nothing the batches write.
func (s dialect) WriteFold(ctx context.Context, hour time.Time, rows []catalog.CostRow) error {
	values := make([][]any, len(rows))
	for i, r := range rows {
		blob, err := r.Distinct.MarshalBinary()
		if err != nil {
			return fmt.Errorf("stream_cost_hours: %w", err)
		}
		values[i] = []any{r.StreamID, utc(r.Bucket), int16(r.Field.Source), r.Field.Name, int16(r.Field.Type), blob,
			int64(r.DataPoints), sqlstore.EncodeValues(r.Values), int16(r.State), utc(r.FirstSeen), utc(r.LastSeen), int64(r.LogBytes)}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return storageError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `INSERT INTO cost_folds VALUES ($1, $2)`, utc(hour), utc(s.now())); err != nil {
		return storageError(fmt.Errorf("record the fold: %w", err))
	}
	if err := copyRows(ctx, tx, "stream_cost_hours", costColumns, values); err != nil {
		return storageError(err)
	}
	return storageError(tx.Commit(ctx))
}

// PruneFolds implements sqlstore.CostFolder.
func (s dialect) PruneFolds(ctx context.Context, before time.Time) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM stream_cost_hours WHERE bucket < $1`, utc(before))
	if err == nil {
		_, err = s.pool.Exec(ctx, `DELETE FROM cost_folds WHERE hour < $1`, utc(before))
	}
	return storageError(err)
}
