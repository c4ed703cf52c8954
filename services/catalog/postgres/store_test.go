package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// TestMain shares one PostgreSQL cluster among the package's tests; each
// test gets a database of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store on dsn, closed when t ends.
func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStore holds the PostgreSQL store to the suite every store must
// pass, each test on a fresh database; Reopen closes the pool and opens
// the same database again, as a restart does.
func TestStore(t *testing.T) {
	cluster := pgtest.Start(t)
	dsns := map[catalog.Store]string{}
	catalogtest.Run(t, catalogtest.Harness{
		Open: func(t *testing.T) catalog.Store {
			dsn := cluster.NewDatabase(t)
			s := open(t, dsn)
			dsns[s] = dsn
			return s
		},
		Reopen: func(t *testing.T, s catalog.Store) catalog.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := open(t, dsns[s])
			dsns[r] = dsns[s]
			return r
		},
	})
}
