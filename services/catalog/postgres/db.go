// Package postgres implements catalog.Store on PostgreSQL (15 or later)
// through pgx, so that several catalog processes can serve one database.
//
// Its tables are DuckDB's (services/catalog/duckdb), column for column, in
// PostgreSQL's types; the catalog's rules stay in the catalog package, so
// that both stores behave alike.
//
// Writes are serialised across the whole cluster: every write transaction
// first takes one transaction-scoped advisory lock (writeLockKey), so the
// database has one writer at a time, as DuckDB's single process has. A
// write reads what it needs (which ids exist, whether a batch id was
// applied) inside that lock, never from a replica's memory, since another
// replica may have written since. Reads take no lock and see what was
// committed.
//
// Conventions the read files rely on: timestamps are TIMESTAMP columns
// holding UTC (pgx returns them in time.UTC; always bind UTC values, see
// utc); enums are SMALLINT holding the API's enum numbers; counters are
// BIGINT (sum() over BIGINT is NUMERIC in PostgreSQL: cast it back with
// ::BIGINT); schema_producers.fields_hash holds the uint64 hash's bits as a
// BIGINT.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Store is the PostgreSQL implementation of catalog.Store.
type Store struct {
	// Flows runs every read and version change that is the same on
	// each SQL store, over this store's SQL (see dialect).
	sqlstore.Flows
	pool *pgxpool.Pool
	// now is the clock of version changes, dismissals, batch ids and
	// cost pruning.
	now func() time.Time
	// cost is how cost figures are judged (see catalog.CostConfig).
	cost catalog.CostConfig
	// writeMu queues this process's writers before they take the
	// cluster-wide write lock, so that waiting writers do not each hold
	// a pooled connection that reads need.
	writeMu sync.Mutex
	// pruneMu guards prunedAt, the bucket in which this process last
	// deleted cost rows past their retention (see pruneCosts).
	pruneMu  sync.Mutex
	prunedAt time.Time
	// lead is this replica's hold on leadership (see Leading).
	lead leader
}

// Option configures a Store at Open.
type Option func(*Store)

// WithCost sets how cost figures are judged; catalog.DefaultCostConfig
// otherwise.
func WithCost(c catalog.CostConfig) Option { return func(s *Store) { s.cost = c } }

var _ catalog.Store = (*Store)(nil)

// Open connects to the database dsn names (a libpq key=value string or a
// postgres:// or postgresql:// URL; what it leaves out comes from the
// standard PG* environment variables and the password file, as libpq
// does) and applies the migrations it has not applied yet. Replicas may
// open one database at once: one applies the migrations, the others wait
// for it (see migrate).
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN, password included: say only why.
		return nil, fmt.Errorf("open postgres: cannot parse the connection string: %w", redact(err))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := &Store{pool: pool, now: func() time.Time { return time.Now().UTC() }, cost: catalog.DefaultCostConfig()}
	s.Flows = sqlstore.NewFlows(dialect{s})
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate postgres database %s: %w", cfg.ConnConfig.Database, storageError(err))
	}
	return s, nil
}

// redact keeps a DSN parse error's cause and drops the rest, which may
// hold a password.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap()
	}
	return errors.New("invalid connection string")
}

// Close gives leadership up and closes the pool; after it, every method
// fails.
func (s *Store) Close() error {
	s.CloseCostSnapshots()
	s.resign()
	s.pool.Close()
	return nil
}

// Ping checks that the database answers, for health checks. A pool
// whose every connection is in use is busy, not down: a ping would wait
// for a connection and time out under load, and the replica would be
// taken out of rotation for being useful. It pings when one is free.
func (s *Store) Ping(ctx context.Context) error {
	if st := s.pool.Stat(); st.IdleConns() == 0 && st.TotalConns() >= st.MaxConns() && st.AcquiredConns() > 0 {
		return nil
	}
	return storageError(s.pool.Ping(ctx))
}

// writeLockKey is the advisory lock every write transaction takes, so
// that the cluster has one writer at a time. Its value is arbitrary and
// fixed: every replica must use the same one.
const writeLockKey int64 = 0x74616c6c79636174 // "tallycat"

// inTx runs fn in a write transaction holding the cluster-wide write
// lock, and commits it. fn's domain errors come back as they are; the
// database's through storageError.
//
// The transaction is READ COMMITTED whatever the server's default: each
// statement then reads what was committed when it started, so the reads
// after the lock see every write of the replicas that held it before. At
// REPEATABLE READ the snapshot would be the lock statement's own, taken
// before it waited, and a write would build on stale rows.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return storageError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // a no-op once committed
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
		return storageError(err)
	}
	if err := fn(tx); err != nil {
		return storageError(err)
	}
	return storageError(tx.Commit(ctx))
}

// querier is what reads need from a pool, a connection and a transaction
// alike.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// exists reports whether countQuery, a count with arg as $1, counts
// anything.
func exists(ctx context.Context, q querier, countQuery string, arg any) (bool, error) {
	var n int64
	err := q.QueryRow(ctx, countQuery, arg).Scan(&n)
	return n > 0, storageError(err)
}

// utc is t as the TIMESTAMP columns hold it: UTC, to the microsecond.
// pgx writes a time.Time into a TIMESTAMP as its wall clock in its own
// location, so a value in another location would be stored shifted.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// storageError turns the database's failures into the catalog's errors:
// a unique violation into ECONFLICT, and a database that cannot be
// reached or cannot write (down, starting, shutting down, out of disk or
// connections, read-only) into EUNAVAILABLE with a message that says so,
// since the caller can retry later and the operator learns what to fix.
// Domain errors and the context's pass through.
func storageError(err error) error {
	var domain *catalog.Error
	if err == nil || errors.As(err, &domain) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			// Detail quotes the key's values: say which constraint only.
			return catalog.Errorf(catalog.ECONFLICT, "already exists (%s)", pgErr.ConstraintName)
		case pgErr.Code == "22021", pgErr.Code == "22P05":
			// A character text cannot hold (NUL): the API's rules refuse
			// it first; this is for what reaches the store another way.
			return catalog.Errorf(catalog.EINVALID, "a text holds a character PostgreSQL cannot store: %s", pgErr.Message)
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),  // insufficient resources: disk full, out of memory, too many connections
			strings.HasPrefix(pgErr.Code, "57P"), // shutting down, cannot connect now
			pgErr.Code == "25006",                // read-only transaction (a standby)
			pgErr.Code == "40001", pgErr.Code == "40P01":
			return catalog.Errorf(catalog.EUNAVAILABLE, "the catalog's database cannot serve this now: %s (SQLSTATE %s)", pgErr.Message, pgErr.Code)
		}
		return err
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	// A connection that died mid-query ends in EOF or a timeout rather
	// than a network error.
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "closed pool") || strings.Contains(err.Error(), "conn closed") {
		return catalog.Errorf(catalog.EUNAVAILABLE, "the catalog cannot reach its database: %s", sqlstore.FirstLine(err.Error()))
	}
	return err
}

// dialect is this store's SQL as sqlstore's flows read and write it: one
// view of the store implementing each concern's interface, in the file of
// that concern.
type dialect struct{ *Store }

var _ sqlstore.Dialect = dialect{}
