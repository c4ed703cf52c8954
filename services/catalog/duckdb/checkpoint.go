package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// DuckDB checkpoints its write-ahead log into the database file by
// itself when the log passes 16 MB, inside the commit that passed it. A
// checkpoint writes every index of every table the log touched, whole: on
// the 100k-schema catalog that is 2 to 6 seconds whatever the log holds
// (one row added to schema_streams alone costs a second), and writers
// wait for it, since DuckDB lets commits run beside a checkpoint only on
// tables without indexes. At 16 MB a stream of 1,000-shape batches paid
// it every ten batches, in one of them.
//
// The store turns DuckDB's own checkpoints off and makes them itself: from
// a goroutine, once the log has passed checkpointAt and the writer has
// been idle for checkpointIdle, so that no commit waits for it unless a
// write arrives while it runs; and in the writer, before it lets go of the
// writer lock, once the log has passed mustCheckpointAt without one (the
// writer never idle, or the checkpoint failing), so that the log, which a
// start after a crash replays, stays bounded. A checkpoint's cost does
// not grow with the log, so the rarer forced ones cost less in all than
// DuckDB's own.

const (
	// checkpointAt is the log's size from which the goroutine checkpoints
	// when the writer is idle: DuckDB's own threshold.
	checkpointAt = 16 << 20
	// checkpointIdle is how long the writer must have been idle.
	checkpointIdle = 250 * time.Millisecond
	// mustCheckpointAt is the size at which the writer checkpoints
	// itself, waiting for it: about 150 batches of 1,000 new shapes.
	mustCheckpointAt = 256 << 20
)

// checkpointer checkpoints one database file's log off the write path.
// Its methods are no-ops on nil (an in-memory database).
type checkpointer struct {
	db       *sql.DB
	wal      string // the log's path
	at, must int64
	idle     time.Duration
	wake     chan struct{}
	done     chan struct{}

	mu sync.Mutex
	// writing is set while a write transaction is open; wrote is when
	// the last one ended.
	writing bool
	wrote   time.Time
	// err is the last checkpoint's failure, if the last one failed for
	// another reason than a write in progress; Ping reports it.
	err error
	// stopped is set by stop; end does nothing after it.
	stopped bool
}

// startCheckpointer turns DuckDB's own checkpoints off on db and starts
// the goroutine that makes them instead.
func startCheckpointer(ctx context.Context, db *sql.DB, wal string) (*checkpointer, error) {
	// The setting is the database's, not a connection's: every
	// connection of the pool has it.
	if _, err := db.ExecContext(ctx, `SET GLOBAL checkpoint_threshold = '1000GB'`); err != nil {
		return nil, fmt.Errorf("turn off automatic checkpoints: %w", err)
	}
	c := &checkpointer{db: db, wal: wal, at: checkpointAt, must: mustCheckpointAt, idle: checkpointIdle,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// run checkpoints each time it is woken, once the writer has been idle
// for c.idle, until stop.
func (c *checkpointer) run() {
	defer close(c.done)
	for range c.wake {
		if !c.waitIdle() {
			return
		}
		_, err := c.db.Exec(`CHECKPOINT`)
		if err != nil && busy(err) {
			err = nil // a write is open: the commit that ends it wakes us again
		}
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
	}
}

// waitIdle returns once no write has been open for c.idle, or false
// when the checkpointer is stopped first.
func (c *checkpointer) waitIdle() bool {
	for {
		c.mu.Lock()
		wait, stopped := c.idle-time.Since(c.wrote), c.stopped
		if c.writing {
			wait = c.idle
		}
		c.mu.Unlock()
		if stopped {
			return false
		}
		if wait <= 0 {
			return true
		}
		time.Sleep(wait)
	}
}

// busy says whether a checkpoint failed only because a transaction was
// open.
func busy(err error) bool {
	return strings.Contains(err.Error(), "Cannot CHECKPOINT")
}

// begin is called by the writer, under the writer lock, as it opens a
// write transaction.
func (c *checkpointer) begin() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.writing = true
	c.mu.Unlock()
}

// end is called by the writer, still under the writer lock, once the
// transaction begin saw opened is over: it wakes the checkpointer when
// the log has grown past at, and checkpoints itself past must.
func (c *checkpointer) end() {
	if c == nil {
		return
	}
	c.mu.Lock()
	stopped := c.stopped
	c.writing, c.wrote = false, time.Now()
	c.mu.Unlock()
	if stopped {
		return
	}
	fi, err := os.Stat(c.wal)
	switch {
	case err != nil || fi.Size() < c.at:
		// No log (checkpointed away), or a small one.
	case fi.Size() < c.must:
		select {
		case c.wake <- struct{}{}:
		default: // already woken
		}
	default:
		// FORCE waits for a checkpoint the goroutine is making.
		_, err := c.db.Exec(`FORCE CHECKPOINT`)
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
	}
}

// failed is the last checkpoint's failure as the catalog reports it: the
// database cannot write its file, so its log only grows.
func (c *checkpointer) failed() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return nil
	}
	if err := storageError(c.err); errors.As(err, new(*catalog.Error)) {
		return err
	}
	return catalog.Errorf(catalog.EUNAVAILABLE, "the catalog cannot checkpoint its database: %s", sqlstore.FirstLine(c.err.Error()))
}

// stop ends the goroutine, waiting for a checkpoint it is making.
func (c *checkpointer) stop() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	c.mu.Unlock()
	close(c.wake)
	<-c.done
}
