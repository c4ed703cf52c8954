package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// WriteConsumers implements sqlstore.ConsumerStore, on one connection so
// that the appender writes in the transaction.
func (v dialect) WriteConsumers(ctx context.Context, fn func(sqlstore.ConsumerTx) error) error {
	return v.inConnTx(ctx, func(conn *sql.Conn) error { return fn(consumerTx{conn}) })
}

// consumerTx is a write transaction's consumers SQL.
type consumerTx struct{ conn *sql.Conn }

// StoredConsumers implements sqlstore.ConsumerTx.
func (t consumerTx) StoredConsumers(ctx context.Context, origin string) ([]catalog.StoredConsumer, error) {
	var out []catalog.StoredConsumer
	err := scanRows(ctx, t.conn, `SELECT id, source, digest FROM consumers WHERE origin = ? ORDER BY id`, []any{origin},
		rowsOf(sqlstore.StoredConsumerRows(&out)))
	return out, err
}

// UpsertConsumers implements sqlstore.ConsumerTx: every row through one
// appender, merged by one INSERT ... ON CONFLICT. The origin, which the
// id includes and an index holds, never changes and is not updated.
func (t consumerTx) UpsertConsumers(ctx context.Context, rows []sqlstore.ConsumerRow) error {
	values := make([][]driver.Value, len(rows))
	for i, r := range rows {
		c := r.Consumer
		// The table's columns, in order.
		values[i] = []driver.Value{c.ID, c.Origin, c.Kind, c.Format, c.Source, c.UID, c.Title, c.Folder, r.Body, r.Digest, c.SyncedAt}
	}
	return appendRows(t.conn, `INSERT INTO consumers SELECT * FROM appended_data ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, format = excluded.format, source = excluded.source,
			uid = excluded.uid, title = excluded.title, folder = excluded.folder, body = excluded.body,
			digest = excluded.digest, synced_at = excluded.synced_at`, "consumers", values)
}

// DeleteConsumers implements sqlstore.ConsumerTx.
func (t consumerTx) DeleteConsumers(ctx context.Context, ids []string) error {
	_, err := t.conn.ExecContext(ctx, `DELETE FROM consumers WHERE id IN (SELECT unnest(?::VARCHAR[]))`, ids)
	return err
}

// Consumers implements sqlstore.ConsumerStore.
func (v dialect) Consumers(ctx context.Context, each func(sqlstore.Row) error) error {
	return scanRows(ctx, v.db, `SELECT `+sqlstore.ConsumerColumns+` FROM consumers ORDER BY id`, nil, rowsOf(each))
}
