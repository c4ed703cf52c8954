package main

import (
	"strings"
	"testing"
)

// TestTable: the spans and logs benchmark's figures land in their columns
// beside the loopback's, each row with its target and whether its figures
// meet it, and units no row reports make no column.
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
	want := `| benchmark | points/s | ingest-cpu-s/Mpoints | ingest-peak-rss-MiB | ingest-items/s | collector-items/s | ingest-cpu-s/Mitems | collector-cpu-s/Mitems | ingest/collector-cpu | collector-peak-rss-MiB | p50-ms | p99-ms | ns/op | target | met / missed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
| e2e/OTLPLoopback/grpc/cost=on | 613725 | 0.6000 | 44.21 | · | · | · | · | · | · | · | · | 1629394 | ingest-cpu-s/Mpoints ≤ 0.45; ingest-peak-rss-MiB ≤ 128 | **missed**: ingest-cpu-s/Mpoints 0.6000 |
| e2e/Signals/traces | · | · | 38.23 | 482506 | 308652 | 1.632 | 2.448 | 0.6667 | 66.23 | · | · | 1270360 | ingest/collector-cpu ≤ 0.33 | **missed**: ingest/collector-cpu 0.6667 |
| duckdb/Catalog/GetSchema | · | · | · | · | · | · | · | · | · | 7.9 | 16.7 | 9000000 | p99-ms ≤ 20 | met |
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestTableHeartbeats: the steady-state figures of both engines, the
// server's CPU only where there is a server, and a row without a target
// beside rows with one.
func TestTableHeartbeats(t *testing.T) {
	in := `pkg: github.com/tallycat/tallycat/services/catalog/duckdb
BenchmarkHeartbeats-2   	       1	29595786946 ns/op	         1.336 cpu-s/s	      1118 heartbeats/s	      2749 p50-ms	      4425 p99-ms	       600.0 store-MiB/h	       286.5 writer-busy-%
--- BENCH: BenchmarkHeartbeats-2
    heartbeat.go:203: interval warm (a tenth): sent in 6.4 s
pkg: github.com/tallycat/tallycat/services/catalog/postgres
BenchmarkHeartbeats-2   	       1	23755880126 ns/op	         0.4433 cpu-s/s	      1381 heartbeats/s	      2001 p50-ms	      3428 p99-ms	         0.7604 server-cpu-s/s	     12553 store-MiB/h	       67.2 writer-busy-%
pkg: github.com/tallycat/tallycat/services/ingest/pipeline
BenchmarkKnownPairsHeap/seen-2             	       1	13254319660 ns/op	       102.7 live-MiB	      1077 live-bytes/pair
`
	var out strings.Builder
	table(strings.NewReader(in), &out)
	want := `| benchmark | live-bytes/pair | live-MiB | p50-ms | p99-ms | cpu-s/s | server-cpu-s/s | store-MiB/h | writer-busy-% | heartbeats/s | ns/op | target | met / missed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
| duckdb/Heartbeats | · | · | 2749 | 4425 | 1.336 | · | 600.0 | 286.5 | 1118 | 29595786946 | writer-busy-% ≤ 100; cpu-s/s and store-MiB/h written down | **missed**: writer-busy-% 286.5 |
| postgres/Heartbeats | · | · | 2001 | 3428 | 0.4433 | 0.7604 | 12553 | 67.2 | 1381 | 23755880126 | writer-busy-% ≤ 100; cpu-s/s and store-MiB/h written down | met |
| pipeline/KnownPairsHeap/seen | 1077 | 102.7 | · | · | · | · | · | · | · | 13254319660 | · | · |
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestTargetOf: each row finds its target by the family its name is of,
// so that new reads, new engines and new loads find theirs unedited, and
// a benchmark that is neither a read nor a write the UI makes finds none.
func TestTargetOf(t *testing.T) {
	for name, want := range map[string]string{
		"duckdb/Catalog/RecordObservations/1000-new":                   "p50-ms ≤ 100; p99-ms ≤ 250",
		"postgres/Cost/RecordObservations/1000-with-figures":           "p50-ms ≤ 100; p99-ms ≤ 250",
		"duckdb/Catalog/ListSchemaKeys/first-page":                     "p99-ms ≤ 20",
		"postgres/Cost/ListSchemaKeys/by-rate/day":                     "p99-ms ≤ 20",
		"postgres/Cost/folded/ListSchemaKeys/by-rate/day":              "p99-ms ≤ 20",
		"duckdb/Cost/folded/GetSeriesHistory":                          "p99-ms ≤ 20",
		"duckdb/Cost/folded/RecordObservations/1000-with-figures":      "p50-ms ≤ 100; p99-ms ≤ 250",
		"duckdb/Cost/unfolded/ListTopSeries/day":                       "beside folded",
		"postgres/Cost/fold":                                           "",
		"postgres/Cost/ListSchemaKeys/by-cost/hour":                    "p99-ms ≤ 20",
		"duckdb/Cost/ListTopSeries/day":                                "p99-ms ≤ 20",
		"duckdb/Cost/GetSeriesHistory":                                 "p99-ms ≤ 20",
		"duckdb/Catalog/DiffSchemas":                                   "p99-ms ≤ 20",
		"sqlite/Catalog/GetSchema":                                     "p99-ms ≤ 20",
		"duckdb/Open":                                                  "p99-ms ≤ 2000",
		"postgres/JudgeAll/10k-active-streams":                         "p50-ms ≤ 5000",
		"postgres/Heartbeats":                                          "writer-busy-% ≤ 100; cpu-s/s and store-MiB/h written down",
		"e2e/OTLPLoopback/grpc/cost=on":                                "ingest-cpu-s/Mpoints ≤ 0.45; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopback/sdk-export/cost=on":                          "ingest-cpu-s/Mpoints ≤ 0.45; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopbackCaptured/grpc/cost=on":                        "ingest-cpu-s/Mpoints ≤ 0.45; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopback/grpc/cost=off":                               "ingest-peak-rss-MiB ≤ 128; beside cost=on",
		"e2e/OTLPLoopback/http/cost=on":                                "ingest-cpu-s/Mpoints ≤ 0.5; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopback/captured/go-sdk-http-server/grpc/cost=on":    "ingest-cpu-s/Mpoints ≤ 0.45; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopback/captured/go-sdk-http-server/http/cost=on":    "ingest-cpu-s/Mpoints ≤ 0.5; ingest-peak-rss-MiB ≤ 128",
		"e2e/OTLPLoopback/captured/collector-hostmetrics/grpc/cost=on": "ingest-peak-rss-MiB ≤ 128; a Collector's export, beside the SDK's",
		"e2e/NewShapeVisibility":                                       "p99-ms ≤ 1500",
		"infer/ScanSignals/logs/Scan":                                  "allocs/item < 0.01",
		"infer/ScanCaptured/go-sdk-http-server/Scan/cost=on":           "allocs/point < 0.1",
		"pipeline/Pipeline/cost=on":                                    "allocs/point < 0.1",
		"duckdb/Cost/FoldCosts":                                        "",
		"pipeline/KnownPairsHeap/seen":                                 "",
		"infer/Unmarshal":                                              "",
		"infer/Scan/cost=off":                                          "allocs/point < 0.1",
		"infer/ScanCaptured/collector-hostmetrics/Unmarshal":           "",
		"infer/ScanSignals/traces/Unmarshal":                           "",
	} {
		got, ok := targetOf(name)
		if ok != (want != "") || (ok && got.String() != want) {
			t.Errorf("%s: target %q (found %v), want %q", name, got, ok, want)
		}
	}
}

// TestVerdict: a target is met when every bound holds, missed with the
// figures that miss it, and undecided when a figure is not reported or
// the target has no bound.
func TestVerdict(t *testing.T) {
	write := target{bounds: []bound{at("p50-ms", "≤", 100), at("p99-ms", "≤", 250)}}
	for _, tc := range []struct {
		target target
		values map[string]string
		want   string
	}{
		{write, map[string]string{"p50-ms": "100", "p99-ms": "249.9"}, "met"},
		{write, map[string]string{"p50-ms": "100.1", "p99-ms": "250"}, "**missed**: p50-ms 100.1"},
		{write, map[string]string{"p50-ms": "192", "p99-ms": "2710"}, "**missed**: p50-ms 192, p99-ms 2710"},
		{write, map[string]string{"p50-ms": "50"}, "·"},
		{target{bounds: []bound{at("allocs/item", "<", 0.01)}}, map[string]string{"allocs/item": "0.01"}, "**missed**: allocs/item 0.01"},
		{target{bounds: []bound{at("points/s", "≥", 3e6)}}, map[string]string{"points/s": "3000000"}, "met"},
		{target{note: "written down"}, map[string]string{"cpu-s/s": "1.3"}, "·"},
	} {
		if got := tc.target.verdict(tc.values); got != tc.want {
			t.Errorf("%v on %v: %q, want %q", tc.target, tc.values, got, tc.want)
		}
	}
}
