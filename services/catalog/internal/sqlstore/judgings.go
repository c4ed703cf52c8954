package sqlstore

import (
	"context"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// A full judging is stored as one row, replaced by the next: the bytes
// are the conformance package's, and a store never reads inside them.

// JudgingStore is a store as SaveJudging and LoadJudging write and read
// it, in its SQL. Its errors are the database's.
type JudgingStore interface {
	// WriteJudging replaces the stored judging with j, in one statement
	// or transaction, so that a reader sees the old one or the new one.
	WriteJudging(ctx context.Context, j catalog.StoredJudging) error
	// ReadJudging returns the stored judging when its time is after
	// after, and found false when there is none or it is not newer,
	// without reading its data then.
	ReadJudging(ctx context.Context, after time.Time) (j catalog.StoredJudging, found bool, err error)
}

// SaveJudging implements catalog.Store.SaveJudging on w.
func SaveJudging(ctx context.Context, w JudgingStore, j catalog.StoredJudging) error {
	switch {
	case j.At.IsZero():
		return catalog.Errorf(catalog.EINVALID, "a judging to store has no time")
	case len(j.Data) == 0:
		return catalog.Errorf(catalog.EINVALID, "the judging of %s to store has no data", j.At.UTC().Format(time.RFC3339Nano))
	}
	j.At = catalog.Stamp(j.At, time.Time{})
	return Wrap("save judging", w.WriteJudging(ctx, j))
}

// LoadJudging implements catalog.Store.LoadJudging on r.
func LoadJudging(ctx context.Context, r JudgingStore, after time.Time) (catalog.StoredJudging, error) {
	if !after.IsZero() {
		// Stored times are to the microsecond: a judging stored at
		// after's microsecond is not newer than after.
		after = after.UTC().Truncate(time.Microsecond)
	}
	j, found, err := r.ReadJudging(ctx, after)
	switch {
	case err != nil:
		return catalog.StoredJudging{}, Wrap("load judging", err)
	case !found && after.IsZero():
		return catalog.StoredJudging{}, catalog.Errorf(catalog.ENOTFOUND, "no judging is stored")
	case !found:
		return catalog.StoredJudging{}, catalog.Errorf(catalog.ENOTFOUND, "no judging newer than %s is stored", after.Format(time.RFC3339Nano))
	}
	j.At = j.At.UTC()
	return j, nil
}

func (f Flows) SaveJudging(ctx context.Context, j catalog.StoredJudging) error {
	return SaveJudging(ctx, f.d, j)
}

func (f Flows) LoadJudging(ctx context.Context, after time.Time) (catalog.StoredJudging, error) {
	return LoadJudging(ctx, f.d, after)
}
