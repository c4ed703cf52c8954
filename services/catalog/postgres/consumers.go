package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// WriteConsumers implements sqlstore.ConsumerStore.
func (v dialect) WriteConsumers(ctx context.Context, fn func(sqlstore.ConsumerTx) error) error {
	return v.inTx(ctx, func(tx pgx.Tx) error { return fn(consumerTx{tx}) })
}

// consumerTx is a write transaction's consumers SQL.
type consumerTx struct{ tx pgx.Tx }

// StoredConsumers implements sqlstore.ConsumerTx.
func (t consumerTx) StoredConsumers(ctx context.Context, origin string) ([]catalog.StoredConsumer, error) {
	var out []catalog.StoredConsumer
	err := eachRow(ctx, t.tx, `SELECT id, source, digest FROM consumers WHERE origin = $1 ORDER BY id`, []any{origin},
		rowsOf(sqlstore.StoredConsumerRows(&out)))
	return out, err
}

// UpsertConsumers implements sqlstore.ConsumerTx: one INSERT ... ON
// CONFLICT for every row, each column bound as an array, so that a sync
// of thousands of dashboards is one round trip. The origin, which the id
// includes, never changes and is not updated.
func (t consumerTx) UpsertConsumers(ctx context.Context, rows []sqlstore.ConsumerRow) error {
	n := len(rows)
	ids, origins, kinds, formats, sources := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	uids, titles, folders, bodies, digests := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	synced := make([]time.Time, n)
	for i, r := range rows {
		c := r.Consumer
		ids[i], origins[i], kinds[i], formats[i], sources[i] = c.ID, c.Origin, c.Kind, c.Format, c.Source
		uids[i], titles[i], folders[i], bodies[i], digests[i] = c.UID, c.Title, c.Folder, r.Body, r.Digest
		synced[i] = utc(c.SyncedAt)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO consumers (id, origin, kind, format, source, uid, title, folder, body, digest, synced_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::timestamp[])
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, format = excluded.format, source = excluded.source,
			uid = excluded.uid, title = excluded.title, folder = excluded.folder, body = excluded.body,
			digest = excluded.digest, synced_at = excluded.synced_at`,
		ids, origins, kinds, formats, sources, uids, titles, folders, bodies, digests, synced)
	return err
}

// DeleteConsumers implements sqlstore.ConsumerTx.
func (t consumerTx) DeleteConsumers(ctx context.Context, ids []string) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM consumers WHERE id = ANY($1)`, ids)
	return err
}

// Consumers implements sqlstore.ConsumerStore.
func (v dialect) Consumers(ctx context.Context, each func(sqlstore.Row) error) error {
	return eachRow(ctx, v.pool, `SELECT `+sqlstore.ConsumerColumns+` FROM consumers ORDER BY id`, nil, rowsOf(each))
}
