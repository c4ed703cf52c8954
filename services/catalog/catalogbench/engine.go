package catalogbench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// Engine is how one store's benchmarks reach the workload: how it opens a
// database, and how it makes the two databases the benchmarks read (the
// 100k-schema catalog, and the same with a day of cost figures from 10,000
// active streams). Each store's Benchmark functions call its methods, so
// that every engine runs the same benchmarks under the same names.
type Engine struct {
	Open   func(b *testing.B, db string) catalog.Store
	Plain  func(b *testing.B) string
	Costly func(b *testing.B) string
	// CPUMetric names JudgeAll's CPU figure: the process's CPU, which is
	// the whole cost for an embedded engine and the client's share for a
	// server.
	CPUMetric string
}

// Catalog runs the calls people make on the plain catalog (see Catalog).
func (e Engine) Catalog(b *testing.B) {
	s := e.Open(b, e.Plain(b))
	defer s.Close()
	Catalog(b, s)
}

// Cost runs the cost reads on the costly catalog three times: as a
// catalog that has not folded its hours leaves them ("unfolded",
// CostReads), after one fold of its complete hours into hourly rollups
// ("folded", Cost), both working every figure out for each read, and
// served from snapshots at most a minute old, as the catalog serves them
// ("served", Served), so that one run compares the three on one machine.
// "fold" reports how long that first fold took and how many hours it
// folded.
func (e Engine) Cost(b *testing.B) {
	s := e.Open(b, e.Costly(b))
	defer s.Close()
	b.Run("unfolded", func(b *testing.B) { CostReads(b, s) })
	var (
		once   sync.Once
		took   time.Duration
		folded int
	)
	b.Run("fold", func(b *testing.B) {
		once.Do(func() { folded, took = fold(b, s) })
		b.ReportMetric(took.Seconds(), "first-fold-s")
		b.ReportMetric(float64(folded), "hours")
	})
	b.Run("folded", func(b *testing.B) { Cost(b, s) })
	b.Run("served", func(b *testing.B) { Served(b, s) })
}

// JudgeAll is a full judging of both catalogs, without cost rows and with
// the costly catalog's (see JudgeAll). The costly catalog's complete
// hours are folded into hourly rollups first, untimed, as a running
// catalog's leader folds them within a minute of their end: a judging
// reads the last day's figures, and a catalog that has run a day reads
// them folded.
func (e Engine) JudgeAll(b *testing.B) {
	for _, c := range []struct {
		name string
		db   func(*testing.B) string
		fold bool
	}{{"no-cost-rows", e.Plain, false}, {"10k-active-streams", e.Costly, true}} {
		b.Run(c.name, func(b *testing.B) {
			s := e.Open(b, c.db(b))
			defer s.Close()
			if c.fold {
				fold(b, s)
			}
			JudgeAll(b, s, e.CPUMetric)
		})
	}
}

// fold folds the store's complete hours of cost rows into rollups.
func fold(b *testing.B, s catalog.Store) (int, time.Duration) {
	b.Helper()
	f, ok := s.(interface {
		FoldCosts(context.Context) (int, error)
	})
	if !ok {
		b.Fatalf("%T does not fold its cost rows", s)
	}
	start := time.Now()
	n, err := f.FoldCosts(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return n, time.Since(start)
}
