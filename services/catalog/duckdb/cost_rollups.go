package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// The hourly rollups of cost rows (stream_cost_hours and cost_folds,
// migration 12): what sqlstore.FoldCosts reads and writes, and the reads
// of a window that take its folded hours from them.

// costQuery is the query of the cost rows since since, as cr says, of
// the streams cond selects (a condition on stream_id whose arguments,
// condArgs, it binds each time it appears): the folded span's hours from
// stream_cost_hours, the other buckets from stream_costs.
func costQuery(cond string, condArgs []any, since time.Time, cr sqlstore.CostRead) (string, []any) {
	return costQueryOf(cr.Columns(noValues), cond, condArgs, since, cr)
}

// costQueryOf is costQuery selecting cols.
func costQueryOf(cols, cond string, condArgs []any, since time.Time, cr sqlstore.CostRead) (string, []any) {
	series := ""
	if cr.SeriesOnly {
		series = ` AND source = 0`
	}
	if cr.Folded.IsZero() {
		return `SELECT ` + cols + ` FROM stream_costs WHERE bucket >= ?` + series + ` AND ` + cond, append([]any{since}, condArgs...)
	}
	f := cr.Folded
	args := append([]any{since, f.From, f.To}, condArgs...)
	args = append(append(args, f.From, f.To), condArgs...)
	return `SELECT ` + cols + ` FROM stream_costs WHERE bucket >= ? AND (bucket < ? OR bucket >= ?)` + series + ` AND ` + cond +
		` UNION ALL SELECT ` + cols + ` FROM stream_cost_hours WHERE bucket >= ? AND bucket < ?` + series + ` AND ` + cond, args
}

// FoldedHours implements sqlstore.CostReader and sqlstore.CostFolder.
func (s dialect) FoldedHours(ctx context.Context, since time.Time) ([]time.Time, error) {
	var out []time.Time
	err := scanRows(ctx, s.db, `SELECT hour FROM cost_folds WHERE hour >= ? ORDER BY hour`, []any{since}, rowsOf(sqlstore.HourRows(&out)))
	return out, err
}

// EachCostIn implements sqlstore.CostFolder.
func (s dialect) EachCostIn(ctx context.Context, from, to time.Time, fn func(*catalog.CostRow) error) error {
	return scanRows(ctx, s.db, `SELECT `+sqlstore.CostColumns+` FROM stream_costs WHERE bucket >= ? AND bucket < ?`, []any{from, to},
		rowsOf(sqlstore.EachCostRow(fn)))
}

// WriteFold implements sqlstore.CostFolder: the hour's record first, so
// that an hour folded twice fails before its rows are appended.
func (s dialect) WriteFold(ctx context.Context, hour time.Time, rows []catalog.CostRow) error {
	values := make([][]driver.Value, len(rows))
	for i, r := range rows {
		blob, err := r.Distinct.MarshalBinary()
		if err != nil {
			return fmt.Errorf("stream_cost_hours: %w", err)
		}
		values[i] = []driver.Value{r.StreamID, r.Bucket.UTC(), int8(r.Field.Source), r.Field.Name, int8(r.Field.Type), blob, r.DataPoints,
			sqlstore.EncodeValues(r.Values), int8(r.State), r.FirstSeen.UTC(), r.LastSeen.UTC(), r.LogBytes}
	}
	return s.inConnTx(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `INSERT INTO cost_folds VALUES (?, ?)`, hour.UTC(), s.now()); err != nil {
			return fmt.Errorf("record the fold: %w", err)
		}
		return appendRows(conn, `INSERT INTO stream_cost_hours SELECT * FROM appended_data`, "stream_cost_hours", values)
	})
}

// PruneFolds implements sqlstore.CostFolder.
func (s dialect) PruneFolds(ctx context.Context, before time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stream_cost_hours WHERE bucket < ?`, before); err != nil {
			return fmt.Errorf("prune rollups: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM cost_folds WHERE hour < ?`, before)
		return err
	})
}
