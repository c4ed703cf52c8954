package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
)

// WriteJudging implements sqlstore.JudgingStore: one statement that
// replaces the row unless the stored judging is the newer (a replica that
// lost the lead mid-judging saves after the next leader did). It takes
// no write lock: it touches nothing the batches write.
func (v dialect) WriteJudging(ctx context.Context, j catalog.StoredJudging) error {
	_, err := v.pool.Exec(ctx, `INSERT INTO judgings VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET judged_at = excluded.judged_at, data = excluded.data
		WHERE judgings.judged_at < excluded.judged_at`, utc(j.At), j.Data)
	return storageError(err)
}

// ReadJudging implements sqlstore.JudgingStore.
func (v dialect) ReadJudging(ctx context.Context, after time.Time) (catalog.StoredJudging, bool, error) {
	var j catalog.StoredJudging
	err := v.pool.QueryRow(ctx, `SELECT judged_at, data FROM judgings WHERE judged_at > $1`, utc(after)).Scan(&j.At, &j.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, false, nil
	}
	return j, err == nil, storageError(err)
}
