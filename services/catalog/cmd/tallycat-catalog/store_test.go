package main

import (
	"strings"
	"testing"
)

// TestWhichStore: URLs and key=value strings are PostgreSQL, anything
// else a DuckDB file; logs name a PostgreSQL database without its
// password however it was written.
func TestWhichStore(t *testing.T) {
	for db, postgres := range map[string]bool{
		"./data/tallycat.duckdb": false, ":memory:": false, "/var/lib/tallycat/catalog.duckdb": false,
		"postgres://u@db/tallycat": true, "postgresql://u@db:5433/tallycat": true, "host=db user=u dbname=tallycat": true,
	} {
		if got := isPostgres(db); got != postgres {
			t.Errorf("isPostgres(%q) = %v, want %v", db, got, postgres)
		}
	}
	for _, db := range []string{
		"postgres://u:s3cr3t@db:5433/tallycat?sslmode=disable",
		"host=db port=5433 user=u password='s3 cr3t' dbname=tallycat",
		"host=db port=5433 user=u password=s3@cr3t dbname=tallycat",
	} {
		got := describeDB(db)
		if strings.Contains(got, "s3") || got != "postgres://u@db:5433/tallycat" {
			t.Errorf("describeDB(%q) = %q, want postgres://u@db:5433/tallycat", db, got)
		}
	}
}

// TestCopyFlags: copy needs both stores, distinct, and neither in memory.
func TestCopyFlags(t *testing.T) {
	for _, args := range [][]string{
		{"copy"}, {"copy", "--from", "a.duckdb"}, {"copy", "--from", "a.duckdb", "--to", "a.duckdb"},
		{"copy", "--from", ":memory:", "--to", "postgres://u@db/t"},
	} {
		if err := (&Copy{}).ParseFlags(args); err == nil {
			t.Errorf("copy %v: no error", args[1:])
		}
	}
	c := &Copy{}
	if err := c.ParseFlags([]string{"copy", "--from", "a.duckdb", "--to", "postgres://u@db/t", "--replace"}); err != nil || !c.Replace {
		t.Errorf("a valid copy: %v (replace %v)", err, c.Replace)
	}
}
