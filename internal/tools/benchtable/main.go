// Command benchtable turns `go test -bench` output on stdin into one
// Markdown table: a row per benchmark, a column per reported unit, so that
// `make bench` prints every figure docs/BENCHMARKS.md quotes in one place.
// Each row is named by its package's last element and the benchmark, so
// that the same workload on two stores (duckdb/Catalog/GetSchema,
// postgres/Catalog/GetSchema) stands on two rows. The last two columns
// give the target docs/BENCHMARKS.md holds a row to, where it has one (see
// targets), and whether the row's figures meet it, so that a reader of the
// table need neither look the target up nor compare.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// columns lists the units to show, in order; others are left out.
var columns = []string{"points/s", "allocs/point", "ingest-cpu-s/Mpoints", "ingest-peak-rss-MiB", "live-bytes/pair", "live-MiB",
	"items/s", "allocs/item", "ingest-items/s", "collector-items/s", "ingest-cpu-s/Mitems", "collector-cpu-s/Mitems",
	"ingest/collector-cpu", "collector-peak-rss-MiB",
	"p50-ms", "p99-ms", "cpu-s", "client-cpu-s", "first-fold-s", "hour-ms", "day-ms",
	"cpu-s/s", "server-cpu-s/s", "store-MiB/h", "writer-busy-%", "heartbeats/s",
	"ns/op", "MB/s"}

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

func main() { table(os.Stdin, os.Stdout) }

// table reads benchmark output from in and writes the table to out.
func table(in io.Reader, out io.Writer) {
	type row struct {
		name   string
		values map[string]string
		target target
		has    bool
	}
	var rows []row
	used := map[string]bool{}
	anyTarget := false
	sc := bufio.NewScanner(in)
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
		r.target, r.has = targetOf(r.name)
		anyTarget = anyTarget || r.has
		rows = append(rows, r)
	}
	var cols []string
	for _, c := range columns {
		if used[c] {
			cols = append(cols, c)
		}
	}
	header, rule := "| benchmark |", "|---|"
	for _, c := range cols {
		header, rule = header+" "+c+" |", rule+"---:|"
	}
	if anyTarget {
		header, rule = header+" target | met / missed |", rule+"---|---|"
	}
	fmt.Fprintf(out, "%s\n%s\n", header, rule)
	for _, r := range rows {
		fmt.Fprintf(out, "| %s |", r.name)
		for _, c := range cols {
			v := r.values[c]
			if v == "" {
				v = "·"
			}
			fmt.Fprintf(out, " %s |", v)
		}
		if anyTarget {
			t, v := "·", "·"
			if r.has {
				t, v = r.target.String(), r.target.verdict(r.values)
			}
			fmt.Fprintf(out, " %s | %s |", t, v)
		}
		fmt.Fprintln(out)
	}
}
