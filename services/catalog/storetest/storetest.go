// Package storetest opens the catalog store tests run on, so that the
// tests of what sits above the store (the RPC handlers, the processes)
// run on either engine: DuckDB by default, PostgreSQL when
// $TALLYCAT_TEST_STORE is "postgres". `make test` runs them on both.
//
// A test binary that opens PostgreSQL stores should share one cluster:
// its TestMain calls os.Exit(pgtest.Main(m)).
package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// EnvVar names the engine the tests run on.
const EnvVar = "TALLYCAT_TEST_STORE"

// Engine returns the engine the tests run on: "duckdb" or "postgres". An
// unknown value panics, so that a typo cannot test DuckDB twice.
func Engine() string {
	switch e := os.Getenv(EnvVar); e {
	case "", "duckdb":
		return "duckdb"
	case "postgres":
		return "postgres"
	default:
		panic(fmt.Sprintf("$%s=%q: want duckdb or postgres", EnvVar, e))
	}
}

// DB returns a --db value for a catalog process: a new DuckDB file in
// tb's temporary directory, or a new PostgreSQL database.
func DB(tb testing.TB) string {
	tb.Helper()
	if Engine() == "postgres" {
		return pgtest.Start(tb).NewDatabase(tb)
	}
	return tb.TempDir() + "/catalog.duckdb"
}

// Store is a catalog store with Ping, as both engines' are.
type Store interface {
	catalog.Store
	Ping(context.Context) error
}

// Open opens a new, empty store of the engine, judged with cost (the
// default configuration when zero), and closes it when tb ends.
func Open(tb testing.TB, cost catalog.CostConfig) Store {
	tb.Helper()
	if cost == (catalog.CostConfig{}) {
		cost = catalog.DefaultCostConfig()
	}
	var s Store
	var err error
	if Engine() == "postgres" {
		s, err = postgres.Open(context.Background(), pgtest.Start(tb).NewDatabase(tb), postgres.WithCost(cost))
	} else {
		s, err = duckdb.Open(context.Background(), ":memory:", duckdb.WithCost(cost))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
