package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
	"github.com/tallycat/tallycat/services/catalog/postgres"
	"github.com/tallycat/tallycat/services/catalog/storecopy"
)

// store is what the catalog needs of its database: the catalog's Store,
// its rows for `copy`, and how old its cost figures may be served.
type store interface {
	catalog.Store
	storecopy.Store
	SetCostFigureAge(time.Duration)
}

// keyValueDSN matches a libpq connection string of key=value pairs, such
// as "host=db user=tallycat dbname=catalog".
var keyValueDSN = regexp.MustCompile(`^\s*[a-z_]+\s*=`)

// isPostgres reports whether db names a PostgreSQL database (a postgres://
// or postgresql:// URL or a key=value connection string) rather than a
// DuckDB file or :memory:.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") || keyValueDSN.MatchString(db)
}

// openStore opens the store db names (see isPostgres), creating a DuckDB
// file's folder when needed. PostgreSQL credentials may also come from the
// standard PG* environment variables and the password file, as libpq's.
func openStore(ctx context.Context, db string, cost catalog.CostConfig) (store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db, postgres.WithCost(cost))
	}
	if db != ":memory:" && db != "" {
		if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
			return nil, err
		}
	}
	return duckdb.Open(ctx, db, duckdb.WithCost(cost))
}

// describeDB names db for logs: a DuckDB path as it is; PostgreSQL by
// user, host, port and database only, so that no password (in the URL,
// the connection string or its options) reaches a log.
func describeDB(db string) string {
	if !isPostgres(db) {
		return db
	}
	cfg, err := pgconn.ParseConfig(db)
	if err != nil {
		return "postgres (a connection string that does not parse)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
