package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// WriteJudging implements sqlstore.JudgingStore: one statement that
// replaces the row unless the stored judging is the newer.
func (v dialect) WriteJudging(ctx context.Context, j catalog.StoredJudging) error {
	return v.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO judgings VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET judged_at = excluded.judged_at, data = excluded.data
			WHERE judgings.judged_at < excluded.judged_at`, j.At, j.Data)
		return err
	})
}

// ReadJudging implements sqlstore.JudgingStore.
func (v dialect) ReadJudging(ctx context.Context, after time.Time) (catalog.StoredJudging, bool, error) {
	var j catalog.StoredJudging
	err := v.db.QueryRowContext(ctx, `SELECT judged_at, data FROM judgings WHERE judged_at > ?`, after).Scan(&j.At, &j.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	return j, err == nil, err
}
