package duckdb_test

import (
	"context"
	"database/sql"
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

// BenchmarkHeartbeats is the steady state of 100,000 live streams from
// four ingest replicas (see catalogbench.Heartbeats) on a copy of the
// benchmark catalog. The store's size is the bytes of the blocks the
// database file uses, once closed (closing checkpoints the log into it,
// as the running store does every 16 MB of log): DuckDB reuses a file's
// free blocks before it grows the file, so the file's own size says when
// the free ones ran out, not what was written.
func BenchmarkHeartbeats(b *testing.B) {
	path := benchDB(b)
	catalogbench.Heartbeats(b, catalogbench.HeartbeatEngine{
		Open: func(b *testing.B) catalog.Store { return openBench(b, path) },
		Size: func(b *testing.B) int64 { return usedBytes(b, path) },
	})
}

// usedBytes is the bytes of the blocks a closed DuckDB file uses, and of
// its log if it has one left.
func usedBytes(b *testing.B, path string) int64 {
	b.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var blockSize, usedBlocks int64
	if err := db.QueryRow(`SELECT block_size, used_blocks FROM pragma_database_size()`).Scan(&blockSize, &usedBlocks); err != nil {
		b.Fatalf("the size of %s: %v", path, err)
	}
	size := blockSize * usedBlocks
	if fi, err := os.Stat(path + ".wal"); err == nil {
		size += fi.Size()
	}
	return size
}
