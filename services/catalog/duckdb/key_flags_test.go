package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tallycat/tallycat/services/catalog/catalogtest"
)

// TestUpgradeWorksOutKeyFlags opens a catalog as the release before
// migration 13 left it (its keys' flags never worked out: the columns'
// defaults) and checks that the upgrade works them out for every key it
// holds.
func TestUpgradeWorksOutKeyFlags(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	diverging, self := catalogtest.RecordKeyFlags(t, s)
	for _, q := range []string{`UPDATE schema_keys SET diverging = false, self_only = false`, `DELETE FROM schema_migrations WHERE version = 13`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	catalogtest.CheckKeyFlags(t, s, diverging, self)
}
