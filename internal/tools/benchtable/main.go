// Command benchtable turns `go test -bench` output on stdin into one
// Markdown table: a row per benchmark, a column per reported unit, so that
// `make bench` prints every figure docs/BENCHMARKS.md quotes in one place.
// Each row is named by its package's last element and the benchmark, so
// that the same workload on two stores (duckdb/Catalog/GetSchema,
// postgres/Catalog/GetSchema) stands on two rows. A last column gives the
// target docs/BENCHMARKS.md holds a row to, where it has one, so that a
// reader of the table need not look it up.
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
var columns = []string{"points/s", "allocs/point", "ingest-cpu-s/Mpoints", "ingest-peak-rss-MiB", "live-bytes/pair",
	"items/s", "allocs/item", "ingest-items/s", "collector-items/s", "ingest-cpu-s/Mitems", "collector-cpu-s/Mitems",
	"ingest/collector-cpu", "collector-peak-rss-MiB",
	"p50-ms", "p99-ms", "cpu-s", "client-cpu-s", "ns/op", "MB/s"}

// targets are docs/BENCHMARKS.md's targets, by the rows they apply to
// (matched against the row's name); the first match wins.
var targets = []struct {
	row    *regexp.Regexp
	target string
}{
	{regexp.MustCompile(`^e2e/Signals/`), "ingest/collector-cpu ≤ 0.33"},
	{regexp.MustCompile(`^e2e/OTLPLoopback/`), "≤ 0.5 ingest-cpu-s/Mpoints"},
	{regexp.MustCompile(`^infer/ScanSignals/.*/Scan$`), "allocs/item < 0.01"},
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)

func main() { table(os.Stdin, os.Stdout) }

// table reads benchmark output from in and writes the table to out.
func table(in io.Reader, out io.Writer) {
	type row struct {
		name   string
		values map[string]string
		target string
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
		for _, t := range targets {
			if t.row.MatchString(r.name) {
				r.target, anyTarget = t.target, true
				break
			}
		}
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
		header, rule = header+" target |", rule+"---|"
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
			t := r.target
			if t == "" {
				t = "·"
			}
			fmt.Fprintf(out, " %s |", t)
		}
		fmt.Fprintln(out)
	}
}
