// Command benchtable turns `go test -bench` output on stdin into one
// Markdown table: a row per benchmark, a column per reported unit, so that
// `make bench` prints every figure docs/BENCHMARKS.md quotes in one place.
// Each row is named by its package's last element and the benchmark, so
// that the same workload on two stores (duckdb/Catalog/GetSchema,
// postgres/Catalog/GetSchema) stands on two rows.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// columns lists the units to show, in order; others are left out.
var columns = []string{"points/s", "allocs/point", "ingest-cpu-s/Mpoints", "ingest-peak-rss-MiB", "live-bytes/pair", "p50-ms", "p99-ms", "cpu-s", "client-cpu-s", "ns/op", "MB/s"}

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

func main() {
	type row struct {
		name   string
		values map[string]string
	}
	var rows []row
	used := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	pkg := ""
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:] + "/"
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		r := row{name: pkg + strings.TrimPrefix(m[1], "Benchmark"), values: map[string]string{}}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			r.values[f[i+1]] = f[i]
			used[f[i+1]] = true
		}
		rows = append(rows, r)
	}
	var cols []string
	for _, c := range columns {
		if used[c] {
			cols = append(cols, c)
		}
	}
	fmt.Printf("| benchmark | %s |\n|---|%s\n", strings.Join(cols, " | "), strings.Repeat("---:|", len(cols)))
	for _, r := range rows {
		fmt.Printf("| %s |", r.name)
		for _, c := range cols {
			v := r.values[c]
			if v == "" {
				v = "·"
			}
			fmt.Printf(" %s |", v)
		}
		fmt.Println()
	}
}
