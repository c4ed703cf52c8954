// Package duckdb implements catalog.Store on an embedded DuckDB database.
//
// DuckDB allows one writing transaction to commit at a time without
// conflicts only when writers do not touch the same rows; the store therefore
// funnels every write through one mutex (one writer) and lets reads run
// concurrently on the connection pool.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the DuckDB implementation of catalog.Store.
type Store struct {
	// Flows runs every read and version change that is the same on
	// each SQL store, over this store's SQL (see dialect).
	sqlstore.Flows
	db *sql.DB
	// path is the database file, or ":memory:" or "".
	path string
	// writeMu makes the store its database's only writer.
	writeMu sync.Mutex
	// now is the clock of version changes and batch ids.
	now func() time.Time
	// known is the writer's memory of which ids exist; nil until the
	// first write loads it. Only the writer (under writeMu) touches it.
	known *knownIDs
	// cost is how cost figures are judged (see catalog.CostConfig).
	cost catalog.CostConfig
	// prunedAt is the bucket in which the writer last deleted cost rows
	// past their retention; it does so once a bucket.
	prunedAt time.Time
	// ckpt checkpoints the write-ahead log off the write path (see
	// checkpointer); nil for an in-memory database, which has no log.
	ckpt *checkpointer
	// closed is set by Close, under writeMu.
	closed bool
}

// Option configures a Store at Open.
type Option func(*Store)

// WithCost sets how cost figures are judged; catalog.DefaultCostConfig
// otherwise.
func WithCost(c catalog.CostConfig) Option { return func(s *Store) { s.cost = c } }

var _ catalog.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path, or an in-memory one
// for ":memory:" or "", and applies the migrations it has not applied yet.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	return openAt(ctx, path, math.MaxInt, opts...)
}

// openAt is Open applying migrations up to version upTo only.
func openAt(ctx context.Context, path string, upTo int, opts ...Option) (*Store, error) {
	dsn := path
	if path == ":memory:" {
		dsn = ""
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	// Reads run several queries at once (see GetSchema); keep connections
	// for them open rather than make new ones each time past the default
	// two idle.
	db.SetMaxIdleConns(16)
	s := &Store{db: db, path: path, now: func() time.Time { return time.Now().UTC() }, cost: catalog.DefaultCostConfig()}
	s.Flows = sqlstore.NewFlows(dialect{s})
	for _, o := range opts {
		o(s)
	}
	if err := s.migrateTo(ctx, upTo); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	if path != "" && path != ":memory:" {
		if s.ckpt, err = startCheckpointer(ctx, db, path+".wal"); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	go s.preloadKnown()
	return s, nil
}

// migrateTo applies every embedded migration newer than the database and no
// newer than upTo, each in its own transaction with the record of it. upTo
// lets a test build a database as an older release left it.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied := false
	newest, _ := strconv.Atoi(strings.SplitN(filepath.Base(names[len(names)-1]), "_", 2)[0])
	if err := sqlstore.CheckMigrations(current, newest); err != nil {
		return err
	}
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if version <= current || version > upTo {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.inConnTx(ctx, func(conn *sql.Conn) error {
			if _, err := conn.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if step := goSteps[version]; step != nil {
				if err := step(ctx, conn); err != nil {
					return fmt.Errorf("migration %s: %w", base, err)
				}
			}
			_, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, ?)`, version, base, time.Now().UTC())
			return err
		}); err != nil {
			return err
		}
		applied = true
	}
	if applied {
		// Write the migrated tables into the file at once, so that what a
		// crash leaves in the write-ahead log is rows, never the schema
		// changes, whose replay DuckDB gets wrong for some column
		// defaults.
		if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return fmt.Errorf("checkpoint after migrating: %w", err)
		}
	}
	return nil
}

// goSteps are the parts of migrations that need the catalog's rules, run
// after the migration's SQL in its transaction.
var goSteps = map[int]func(context.Context, *sql.Conn) error{
	4:  foldIntoReleases,
	13: fillKeyFlags,
}

// signalsMigration is the migration that adds the columns of spans and
// logs, which the Go step of migration 4 applies first (see
// foldIntoReleases).
const signalsMigration = "migrations/0008_signals.sql"

// addLaterColumns applies later migrations (signalsMigration) that may
// run twice.
func addLaterColumns(ctx context.Context, conn interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, later ...string) error {
	for _, m := range later {
		body, err := migrations.ReadFile(m)
		if err != nil {
			return err
		}
		if _, err = conn.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	return nil
}

// inTx runs fn in a write transaction under the writer lock.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.ckpt.begin()
	defer s.ckpt.end()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return storageError(errors.Join(err, tx.Rollback()))
	}
	return storageError(tx.Commit())
}

// inConnTx runs fn in a write transaction on one dedicated connection under
// the writer lock, so that appenders (which need the raw connection) write in
// the same transaction as fn's statements.
func (s *Store) inConnTx(ctx context.Context, fn func(conn *sql.Conn) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.ckpt.begin()
	defer s.ckpt.end()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return err
	}
	// Once BEGIN ran, the transaction ends here whatever happens to ctx:
	// the connection goes back to the pool, and one left inside a
	// transaction fails every later write on it ("cannot start a
	// transaction within a transaction"). So COMMIT and ROLLBACK do not
	// heed ctx; a batch that fn wrote whole is committed even if its
	// caller gave up meanwhile (a retry of it is a duplicate batch id,
	// applied once).
	done := context.WithoutCancel(ctx)
	if err := fn(conn); err != nil {
		return storageError(errors.Join(err, endTx(done, conn, `ROLLBACK`)))
	}
	return storageError(endTx(done, conn, `COMMIT`))
}

// endTx ends the connection's transaction with stmt (COMMIT or ROLLBACK).
// When that fails the transaction may still be open (a failed COMMIT
// leaves it aborted): it is rolled back, and when even that fails the
// connection is closed rather than handed to the next write in that state.
func endTx(ctx context.Context, conn *sql.Conn, stmt string) error {
	_, err := conn.ExecContext(ctx, stmt)
	if err == nil {
		return nil
	}
	if stmt == `COMMIT` {
		if _, rerr := conn.ExecContext(ctx, `ROLLBACK`); rerr == nil {
			return err
		}
	}
	// driver.ErrBadConn from Raw makes database/sql close the connection
	// instead of returning it to the pool.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	return err
}

// storageError turns a failure to write the database file (a full or
// read-only disk) into EUNAVAILABLE with a message that says so: the caller
// can retry later, and the operator learns what to fix. Reads are not
// affected by it.
func storageError(err error) error {
	var domain *catalog.Error
	if err == nil || errors.As(err, &domain) {
		return err // already says what happened, and may quote user input
	}
	msg := err.Error()
	for _, sign := range []string{"No space left on device", "Read-only file system", "read-only", "IO Error", "Could not write"} {
		if strings.Contains(msg, sign) {
			return catalog.Errorf(catalog.EUNAVAILABLE, "the catalog cannot write its database (is the disk full or read-only?): %s", sqlstore.FirstLine(msg))
		}
	}
	return err
}

// Ping reports whether the database answers. The catalog's health check
// calls it (see api.Pinger); an embedded file rarely fails it, but a closed
// store does.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ckpt.failed(); err != nil {
		return err
	}
	return s.db.PingContext(ctx)
}

// Close checkpoints the write-ahead log into the database file and closes it,
// so that the next start does not replay it.
func (s *Store) Close() error {
	s.CloseCostSnapshots()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.closed = true
	s.ckpt.stop()
	_, cerr := s.db.Exec(`CHECKPOINT`)
	return errors.Join(cerr, s.db.Close())
}

// dialect is this store's SQL as sqlstore's flows read and write it: one
// view of the store implementing each concern's interface, in the file of
// that concern.
type dialect struct{ *Store }

var _ sqlstore.Dialect = dialect{}
