package duckdb_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogbench"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// The benchmarks run catalogbench's workload, the one every store runs,
// on a DuckDB file. The benchmark catalog is built once per machine
// (about a minute) and reused from the temporary folder; the cost
// benchmark catalog once per process (see costDB). Each benchmark reads
// a copy of either.

// benchDB returns a fresh copy of the benchmark catalog.
func benchDB(b *testing.B) string {
	b.Helper()
	return copyDB(b, builtBenchDB(b))
}

// builtBenchDB returns the path of the benchmark catalog in the temporary
// folder, building it first if this machine has not. Nothing may write to
// it: benchmarks read copies. Its name changes with each migration that
// changes what a built catalog holds (v5: migration 13), so that no
// benchmark opens a file that first migrates, which BenchmarkOpen would
// count.
func builtBenchDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "tallycat-bench-100k-v5.duckdb")
	if _, err := os.Stat(path); err == nil {
		return path
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
	return path
}

// costCatalog is this process's cost benchmark catalog: a file built by
// the first benchmark that asks for it (catalogbench.AddCosts on a copy
// of the benchmark catalog: 7m43s at load 2 to 11 on this machine), of
// which every use, that one included, reads a copy. Its figures are
// dated from its build, so it cannot be kept across runs as the
// benchmark catalog is; TestMain removes it.
var costCatalog struct {
	sync.Mutex
	dir  string // the temporary folder of the build, removed by TestMain
	path string // the built file; empty until a build has finished
}

// costDB returns a fresh copy of the cost benchmark catalog, building it
// first if this process has not.
//
// Its figures age while later benchmarks run: a use a minutes after the
// build reads figures a minutes older than a fresh build's. So
// BenchmarkJudgeAll comes before BenchmarkCost in this file: in one run
// of both, as `make bench` runs them, JudgeAll's costly case builds the
// catalog and judges it at once, and Cost reads it older by those
// judgings: -benchtime of them, ten in `make bench`, which took 89 s
// each on DuckDB and 26 s on PostgreSQL at load 9 to 11 on this
// machine, so from a few minutes to a quarter of an hour. A day's reads
// lose no figures until the catalog is 20 minutes old (its oldest
// bucket is 1,420 minutes old when built). The last hour's read seven
// buckets of a fresh build and lose the oldest each time the clock
// crosses a ten-minute boundary: by Cost's first read, one at most on
// an idle machine, two at load 10; Cost's folded pass, after its
// unfolded one, already read one some ten minutes old when Cost built
// its own. The other way round, JudgeAll would judge figures older by
// all of Cost's passes.
func costDB(b *testing.B) string {
	b.Helper()
	costCatalog.Lock()
	defer costCatalog.Unlock()
	if costCatalog.path == "" {
		if costCatalog.dir != "" {
			os.RemoveAll(costCatalog.dir) // an earlier build that failed
		}
		dir, err := os.MkdirTemp("", "tallycat-bench-cost-")
		if err != nil {
			b.Fatal(err)
		}
		costCatalog.dir = dir
		path := filepath.Join(dir, "cost.duckdb")
		start := time.Now()
		if err := copyFile(builtBenchDB(b), path); err != nil {
			b.Fatal(err)
		}
		s := openBench(b, path)
		catalogbench.AddCosts(b, s)
		if err := s.Close(); err != nil {
			b.Fatalf("closing the cost catalog %s: %v", path, err)
		}
		costCatalog.path = path
		b.Logf("built the cost benchmark catalog %s in %s; later uses copy it", path, time.Since(start).Round(time.Second))
	}
	return copyDB(b, costCatalog.path)
}

// TestMain removes the cost benchmark catalog, if a benchmark built one,
// once every test and benchmark has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if costCatalog.dir != "" {
		if err := os.RemoveAll(costCatalog.dir); err != nil {
			fmt.Fprintf(os.Stderr, "removing the cost benchmark catalog %s: %v\n", costCatalog.dir, err)
		}
	}
	os.Exit(code)
}

// copyDB gives a benchmark its own copy of a built catalog, so that the
// writes it measures do not grow the file every later use starts from.
func copyDB(b *testing.B, path string) string {
	b.Helper()
	dst := filepath.Join(b.TempDir(), filepath.Base(path))
	if err := copyFile(path, dst); err != nil {
		b.Fatal(err)
	}
	return dst
}

// copyFile copies a closed DuckDB file (closing checkpoints its log into
// it, so there is none to copy), a block at a time: the cost catalog is
// too large to read whole into memory while a benchmark measures it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return out.Close()
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

// JudgeAll comes before Cost: see costDB.
func BenchmarkCatalog(b *testing.B)  { bench.Catalog(b) }
func BenchmarkJudgeAll(b *testing.B) { bench.JudgeAll(b) }
func BenchmarkCost(b *testing.B)     { bench.Cost(b) }

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
