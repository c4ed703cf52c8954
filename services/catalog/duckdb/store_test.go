package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// TestStore holds the DuckDB store to the suite every store must pass, on
// a database file so that Reopen is a real restart.
func TestStore(t *testing.T) {
	paths := map[catalog.Store]string{}
	open := func(t *testing.T, path string) catalog.Store {
		s, err := duckdb.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		paths[s] = path
		t.Cleanup(func() { s.Close() })
		return s
	}
	catalogtest.Run(t, catalogtest.Harness{
		Open: func(t *testing.T) catalog.Store { return open(t, filepath.Join(t.TempDir(), "catalog.duckdb")) },
		Reopen: func(t *testing.T, s catalog.Store) catalog.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, paths[s])
		},
	})
}
