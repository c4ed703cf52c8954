package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogbench"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// The benchmarks run catalogbench's workload, the one every store runs,
// on a DuckDB file. The benchmark catalog is built once per machine
// (about a minute) and reused from the temporary folder.

func benchDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "tallycat-bench-100k-v4.duckdb")
	if _, err := os.Stat(path); err == nil {
		return copyDB(b, path)
	}
	tmp := path + ".building"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	s := openBench(b, tmp)
	catalogbench.Fill(b, s)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return copyDB(b, path)
}

// costDB is the cost benchmark catalog, built afresh from a copy of the
// benchmark catalog with figures dated from now (see
// catalogbench.AddCosts).
func costDB(b *testing.B) string {
	b.Helper()
	path := benchDB(b)
	s := openBench(b, path)
	catalogbench.AddCosts(b, s)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// copyDB gives a benchmark its own copy of the built catalog, so that the
// writes it measures do not grow the file every later run starts from.
func copyDB(b *testing.B, path string) string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), filepath.Base(path))
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return dst
}

func openBench(b *testing.B, path string) *duckdb.Store {
	b.Helper()
	s, err := duckdb.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// bench runs the shared workload on DuckDB files. JudgeAll's cpu-s counts
// DuckDB's threads too, since DuckDB runs in this process.
var bench = catalogbench.Engine{
	Open:      func(b *testing.B, db string) catalog.Store { return openBench(b, db) },
	Plain:     benchDB,
	Costly:    costDB,
	CPUMetric: "cpu-s",
}

func BenchmarkCatalog(b *testing.B)  { bench.Catalog(b) }
func BenchmarkCost(b *testing.B)     { bench.Cost(b) }
func BenchmarkJudgeAll(b *testing.B) { bench.JudgeAll(b) }

// BenchmarkOpen is the catalog's start-up on the 100k-schema file: opening
// the database and running migrations.
func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	catalogbench.Measure(b, func() error {
		s, err := duckdb.Open(context.Background(), path)
		if err != nil {
			return err
		}
		return s.Close()
	})
}
