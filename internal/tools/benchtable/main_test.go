package main

import (
	"strings"
	"testing"
)

// TestTable: the spans and logs benchmark's figures land in their columns
// beside the loopback's, each row with its target, and units no row
// reports make no column.
func TestTable(t *testing.T) {
	in := `goos: linux
pkg: github.com/tallycat/tallycat/e2e
BenchmarkOTLPLoopback/grpc/cost=on-2   5000   1629394 ns/op   0.6000 ingest-cpu-s/Mpoints   44.21 ingest-peak-rss-MiB   613725 points/s
BenchmarkSignals/traces-2   2000   1270360 ns/op   2.448 collector-cpu-s/Mitems   308652 collector-items/s   66.23 collector-peak-rss-MiB   1.632 ingest-cpu-s/Mitems   482506 ingest-items/s   38.23 ingest-peak-rss-MiB   0.6667 ingest/collector-cpu
pkg: github.com/tallycat/tallycat/services/catalog/duckdb
BenchmarkCatalog/GetSchema-2   100   9000000 ns/op   7.9 p50-ms   16.7 p99-ms
PASS
`
	var out strings.Builder
	table(strings.NewReader(in), &out)
	want := `| benchmark | points/s | ingest-cpu-s/Mpoints | ingest-peak-rss-MiB | ingest-items/s | collector-items/s | ingest-cpu-s/Mitems | collector-cpu-s/Mitems | ingest/collector-cpu | collector-peak-rss-MiB | p50-ms | p99-ms | ns/op | target |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
| e2e/OTLPLoopback/grpc/cost=on | 613725 | 0.6000 | 44.21 | · | · | · | · | · | · | · | · | 1629394 | ≤ 0.5 ingest-cpu-s/Mpoints |
| e2e/Signals/traces | · | · | 38.23 | 482506 | 308652 | 1.632 | 2.448 | 0.6667 | 66.23 | · | · | 1270360 | ingest/collector-cpu ≤ 0.33 |
| duckdb/Catalog/GetSchema | · | · | · | · | · | · | · | · | · | 7.9 | 16.7 | 9000000 | · |
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
