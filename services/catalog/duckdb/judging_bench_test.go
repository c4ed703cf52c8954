package duckdb_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// BenchmarkJudgeAll is a full judging of the benchmark catalog (100,000
// current schemas under 10,000 keys) against the built-in semantic
// conventions: one Findings.Refresh, as the catalog makes at start and
// every interval. "no-cost-rows" is the catalog as benchDB builds it;
// "10k-active-streams" adds the cost benchmark's figures (costDB: 300,000
// cost rows of 10,000 streams over the last hour), whose example values
// and distinct counts the judging reads in one query.
func BenchmarkJudgeAll(b *testing.B) {
	reg, err := semconv.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		db   func(*testing.B) string
	}{{"no-cost-rows", benchDB}, {"10k-active-streams", costDB}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := duckdb.Open(ctx, c.db(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			x := &catalog.Findings{Store: s, Judge: catalog.Judge{Registry: reg}}
			cpu := cpuTime()
			measure(b, func() error { return x.Refresh(ctx) })
			// The process's CPU time (DuckDB's threads included) per
			// judging: on a shared machine, steadier than the wall clock.
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s")
			sum := x.Summary()
			b.ReportMetric(float64(sum.Metrics.Total), "keys")
			b.ReportMetric(float64(sum.Total.Violations+sum.Total.Improvements+sum.Total.Information), "findings")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
