package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tallycat/tallycat/services/catalog/catalogtest"
)

// TestUpgradeWorksOutDivergence opens a catalog as the release before
// migration 13 left it (its keys' divergence never worked out: the
// column's default) and checks that the upgrade works it out for every
// key it holds.
func TestUpgradeWorksOutDivergence(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := catalogtest.RecordDiverging(t, s)
	for _, q := range []string{`UPDATE schema_keys SET diverging = false`, `DELETE FROM schema_migrations WHERE version = 13`} {
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
	catalogtest.CheckDiverging(t, s, want)
}
