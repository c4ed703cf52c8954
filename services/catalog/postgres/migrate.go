package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLockKey is the session advisory lock held while migrations are
// applied, so that replicas starting at once apply them once: the first
// applies them, the others wait for it and then find them applied. It is
// not writeLockKey, so that a replica migrating a database others still
// serve does not stop them from writing before it changes a table.
const migrateLockKey int64 = 0x74616c6c796d6967 // "tallymig"

// migration is one embedded migration file.
type migration struct {
	version int
	name    string
	body    string
}

// embedded lists the migrations in version order.
func embedded() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version, base, string(body)})
	}
	return out, nil
}

// goSteps are the parts of migrations that need the catalog's rules, run
// after the migration's SQL in its transaction.
var goSteps = map[int]func(context.Context, pgx.Tx) error{
	9: fillKeyFlags,
}

// migrate applies every embedded migration newer than the database, each
// in its own transaction with the record of it, on one connection that
// holds migrateLockKey throughout.
func (s *Store) migrate(ctx context.Context) (err error) {
	ms, err := embedded()
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return err
	}
	defer func() {
		_, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey)
		if uerr != nil {
			// A session lock outlives a failed unlock: close the
			// connection, which ends the session and the lock with it.
			conn.Conn().Close(context.WithoutCancel(ctx))
			err = errors.Join(err, uerr)
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if err := sqlstore.CheckMigrations(current, ms[len(ms)-1].version); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// Simple protocol: a migration is several statements.
			if _, err := tx.Exec(ctx, m.body, pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			if step := goSteps[m.version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, $3)`, m.version, m.name, utc(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}
