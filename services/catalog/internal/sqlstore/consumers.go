package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// Consumers are stored one row each, their body as one JSON document:
// what a sync stores is decided by catalog.PlanConsumerSync, and a store
// only persists the plan.

// ConsumerRow is a consumer as a store writes it: its body as JSON and
// the digest the plan worked out, which the next sync compares against.
type ConsumerRow struct {
	Consumer catalog.Consumer
	Body     string
	Digest   string
}

// ConsumerTx is what SyncConsumers reads and writes inside a store's
// write transaction, in the store's SQL. Its errors are the database's.
type ConsumerTx interface {
	// StoredConsumers returns the id, source and digest of every stored
	// consumer of origin, by id.
	StoredConsumers(ctx context.Context, origin string) ([]catalog.StoredConsumer, error)
	// UpsertConsumers inserts rows, replacing the stored row of an id
	// that has one, in as few statements as the store can: a sync may
	// bring thousands of dashboards.
	UpsertConsumers(ctx context.Context, rows []ConsumerRow) error
	// DeleteConsumers deletes the consumers of ids.
	DeleteConsumers(ctx context.Context, ids []string) error
}

// ConsumerStore is a store as SyncConsumers and ListConsumers write and
// read it.
type ConsumerStore interface {
	// WriteConsumers runs fn in a write transaction under the store's
	// write lock and commits it, mapping the database's errors to the
	// catalog's; fn's domain errors come back as they are.
	WriteConsumers(ctx context.Context, fn func(ConsumerTx) error) error
	// Consumers hands every stored consumer, by id, to each, selected as
	// ScanConsumer reads it.
	Consumers(ctx context.Context, each func(Row) error) error
	// Now is the store's clock, which stamps a sync given no time.
	Now() time.Time
}

// SyncConsumers implements catalog.Store.SyncConsumers on w: the origin's
// stored consumers are read, the plan made and written in one
// transaction, so that two syncs of one origin at once apply one after
// the other, the second planned against the first's rows.
func SyncConsumers(ctx context.Context, w ConsumerStore, s catalog.ConsumerSync) (catalog.ConsumerSyncResult, error) {
	s.At = catalog.Stamp(s.At, w.Now())
	var result catalog.ConsumerSyncResult
	err := w.WriteConsumers(ctx, func(tx ConsumerTx) error {
		stored, err := tx.StoredConsumers(ctx, s.Origin)
		if err != nil {
			return fmt.Errorf("read the consumers of origin %q: %w", s.Origin, err)
		}
		plan, err := catalog.PlanConsumerSync(s, stored)
		if err != nil {
			return err
		}
		rows := make([]ConsumerRow, len(plan.Upsert))
		for i, c := range plan.Upsert {
			body, err := json.Marshal(c.Body)
			if err != nil {
				return fmt.Errorf("consumer %s (%s, uid %q): encode its body: %w", c.ID, c.Source, c.UID, err)
			}
			rows[i] = ConsumerRow{Consumer: c, Body: string(body), Digest: plan.Digests[i]}
		}
		if len(rows) > 0 {
			if err := tx.UpsertConsumers(ctx, rows); err != nil {
				return fmt.Errorf("write %d consumers of origin %q: %w", len(rows), s.Origin, err)
			}
		}
		if len(plan.Delete) > 0 {
			if err := tx.DeleteConsumers(ctx, plan.Delete); err != nil {
				return fmt.Errorf("delete %d consumers of origin %q: %w", len(plan.Delete), s.Origin, err)
			}
		}
		result = plan.Result
		return nil
	})
	if err != nil {
		return catalog.ConsumerSyncResult{}, Wrap("sync consumers", err)
	}
	return result, nil
}

// ListConsumers implements catalog.Store.ListConsumers on r.
func ListConsumers(ctx context.Context, r ConsumerStore) ([]catalog.Consumer, error) {
	var out []catalog.Consumer
	err := r.Consumers(ctx, func(row Row) error {
		c, err := ScanConsumer(row)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, Wrap("list consumers", err)
	}
	return out, nil
}

// ConsumerColumns are the columns ScanConsumer reads, in order.
const ConsumerColumns = `id, origin, kind, format, source, uid, title, folder, body, synced_at`

// ScanConsumer reads a consumer row selected as ConsumerColumns, its
// body decoded from JSON. An error names the consumer it could not read.
func ScanConsumer(r Row) (catalog.Consumer, error) {
	var c catalog.Consumer
	var body string
	if err := r.Scan(&c.ID, &c.Origin, &c.Kind, &c.Format, &c.Source, &c.UID, &c.Title, &c.Folder, &body, &c.SyncedAt); err != nil {
		if c.ID != "" {
			return c, fmt.Errorf("consumer %s (%s): %w", c.ID, c.Source, err)
		}
		return c, fmt.Errorf("a consumer row: %w", err)
	}
	c.SyncedAt = c.SyncedAt.UTC()
	if err := json.Unmarshal([]byte(body), &c.Body); err != nil {
		return c, fmt.Errorf("consumer %s (%s): its stored body is not the JSON of a consumer body: %w", c.ID, c.Source, err)
	}
	return c, nil
}

func (f Flows) SyncConsumers(ctx context.Context, s catalog.ConsumerSync) (catalog.ConsumerSyncResult, error) {
	return SyncConsumers(ctx, f.d, s)
}

func (f Flows) ListConsumers(ctx context.Context) ([]catalog.Consumer, error) {
	return ListConsumers(ctx, f.d)
}

// StoredConsumerRows appends each row, selected as id, source, digest, to
// out: how every store reads an origin's stored consumers for a sync.
func StoredConsumerRows(out *[]catalog.StoredConsumer) func(Row) error {
	return func(row Row) error {
		var c catalog.StoredConsumer
		if err := row.Scan(&c.ID, &c.Source, &c.Digest); err != nil {
			return err
		}
		*out = append(*out, c)
		return nil
	}
}
