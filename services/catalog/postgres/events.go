package postgres

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// KeyEvents asks whether the key was ever seen in the same batch as its
// timeline.
func (r dialect) KeyEvents(ctx context.Context, key string, offset, limit int, each func(sqlstore.Row) error) (bool, error) {
	var b reads
	var known int64
	b.one(`SELECT count(*) FROM schema_keys WHERE schema_key = $1`, []any{key}, &known)
	b.each(sqlstore.SelectEvents+`
		WHERE e.schema_key = $1
		ORDER BY e.occurred_at DESC, e.seq DESC
		LIMIT $2 OFFSET $3`, []any{key, limit, offset}, rowsOf(each))
	if err := b.send(ctx, r.Store); err != nil {
		return false, err
	}
	return known > 0, nil
}
