package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A target is docs/BENCHMARKS.md's target for the rows whose names match
// row: bounds on the row's figures, checked mechanically, and a note for
// what is not a bound (a figure to be written down, say). Patterns match
// a benchmark's family rather than its exact name, so that a new read or a
// new engine finds its target without an edit here.
type target struct {
	row    *regexp.Regexp
	bounds []bound
	note   string
}

// A bound says a figure (a unit's value) must be at most (≤), under (<) or
// at least (≥) a limit.
type bound struct {
	unit  string
	op    string
	limit float64
}

func (b bound) String() string {
	return fmt.Sprintf("%s %s %s", b.unit, b.op, strconv.FormatFloat(b.limit, 'f', -1, 64))
}

// holds reports whether the figure v meets the bound.
func (b bound) holds(v float64) bool {
	switch b.op {
	case "≤":
		return v <= b.limit
	case "<":
		return v < b.limit
	case "≥":
		return v >= b.limit
	}
	panic("benchtable: unknown bound " + b.op)
}

func at(unit, op string, limit float64) bound { return bound{unit, op, limit} }

// The catalog's benchmarks are named store/family/call, or store/family/
// state/call: duckdb/Catalog/GetSchema, postgres/Cost/folded/ListTopSeries/
// day. Its reads are the calls whose names start List, Get, Search or
// Diff; its writes Record.
const catalogRow = `^[^/]+/(Catalog|Cost)/([^/]+/)?`

// targets are docs/BENCHMARKS.md's targets, by the rows they apply to
// (matched against the row's name); the first match wins, so a narrower
// pattern comes before a wider one.
var targets = []target{
	// The cost catalog before its hours are folded into rollups, read
	// for comparison with the folded one, which the targets are for.
	{row: regexp.MustCompile(`^[^/]+/Cost/unfolded/`), note: "beside folded"},
	// What a read that finds no snapshot waits for (and the background
	// pays once per window and age): no target names it.
	{row: regexp.MustCompile(`^[^/]+/Cost/served/working-out$`), note: "what a read without a snapshot waits for"},
	// Catalog writes: a batch of 1,000 new observations, with cost
	// figures or without, on every engine.
	{row: regexp.MustCompile(catalogRow + `Record`), bounds: []bound{at("p50-ms", "≤", 100), at("p99-ms", "≤", 250)}},
	// Every read the UI makes, at 100k schemas, with a day of cost
	// figures from 10,000 active streams or without.
	{row: regexp.MustCompile(catalogRow + `(List|Get|Search|Diff)`), bounds: []bound{at("p99-ms", "≤", 20)}},
	{row: regexp.MustCompile(`^[^/]+/Open$`), bounds: []bound{at("p99-ms", "≤", 2000)}},
	{row: regexp.MustCompile(`^[^/]+/JudgeAll/`), bounds: []bound{at("p50-ms", "≤", 5000)}},
	// Steady-state heartbeats: figures to write down, and one catalog
	// keeping up with them.
	{row: regexp.MustCompile(`^[^/]+/Heartbeats`), bounds: []bound{at("writer-busy-%", "≤", 100)},
		note: "cpu-s/s and store-MiB/h written down"},
	// The ingest: OTLP/HTTP at the earlier bound; OTLP/gRPC and any other
	// loopback load (the captured SDK export) with cost tracking on at
	// the new one, and its resident memory with 100k known pairs, with
	// tracking on or off.
	// A Collector's captured export is replayed beside the SDK's for its
	// figures; the targets name the SDK's.
	{row: regexp.MustCompile(`^e2e/OTLPLoopback/captured/collector-`), bounds: []bound{at("ingest-peak-rss-MiB", "≤", 128)},
		note: "a Collector's export, beside the SDK's"},
	{row: regexp.MustCompile(`^e2e/OTLPLoopback[^/]*/(captured/[^/]+/)?http[^/]*/`), bounds: []bound{at("ingest-cpu-s/Mpoints", "≤", 0.5), at("ingest-peak-rss-MiB", "≤", 128)}},
	{row: regexp.MustCompile(`^e2e/OTLPLoopback.*/cost=on`), bounds: []bound{at("ingest-cpu-s/Mpoints", "≤", 0.45), at("ingest-peak-rss-MiB", "≤", 128)}},
	{row: regexp.MustCompile(`^e2e/OTLPLoopback`), bounds: []bound{at("ingest-peak-rss-MiB", "≤", 128)},
		note: "beside cost=on"},
	{row: regexp.MustCompile(`^e2e/NewShapeVisibility`), bounds: []bound{at("p99-ms", "≤", 1500)}},
	{row: regexp.MustCompile(`^e2e/Signals/`), bounds: []bound{at("ingest/collector-cpu", "≤", 0.33)}},
	{row: regexp.MustCompile(`^infer/ScanSignals/.*/Scan$`), bounds: []bound{at("allocs/item", "<", 0.01)}},
	// The scanner, on the yardstick and on captured exports, and the
	// in-process pipeline; not proto.Unmarshal, the floor they are read
	// against.
	{row: regexp.MustCompile(`^(infer/Scan(Captured/[^/]+/Scan)?|pipeline/Pipeline)/cost=`), bounds: []bound{at("allocs/point", "<", 0.1)}},
}

// targetOf is the first target whose pattern matches a row's name.
func targetOf(name string) (target, bool) {
	for _, t := range targets {
		if t.row.MatchString(name) {
			return t, true
		}
	}
	return target{}, false
}

// String is the target as the table shows it: its bounds, then its note.
func (t target) String() string {
	var parts []string
	for _, b := range t.bounds {
		parts = append(parts, b.String())
	}
	if t.note != "" {
		parts = append(parts, t.note)
	}
	return strings.Join(parts, "; ")
}

// verdict says whether a row's figures meet the target: "met", or
// "missed" with each bound missed and its figure, or "·" when the target
// has no bounds or the row lacks a figure a bound needs.
func (t target) verdict(values map[string]string) string {
	var missed []string
	for _, b := range t.bounds {
		v, err := strconv.ParseFloat(values[b.unit], 64)
		if err != nil {
			return "·"
		}
		if !b.holds(v) {
			missed = append(missed, fmt.Sprintf("%s %s", b.unit, values[b.unit]))
		}
	}
	switch {
	case len(t.bounds) == 0:
		return "·"
	case len(missed) > 0:
		return "**missed**: " + strings.Join(missed, ", ")
	}
	return "met"
}
