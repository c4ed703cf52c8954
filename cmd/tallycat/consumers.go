package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
	cusage "github.com/tallycat/tallycat/internal/consumers/usage"
)

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// consumersLevels maps --fail-on to the least severe level that fails,
// as check's failOn does; none fails on nothing.
var consumersLevels = map[string]cusage.Level{
	"violation": cusage.Violation, "improvement": cusage.Improvement, "information": cusage.Information, "none": 0,
}

// consumersFlags are `tallycat consumers check`'s flags.
type consumersFlags struct {
	catalog, grafana, prometheus string
	dashboards, rules, ns        listFlag
	fail, format                 string
}

// consumersCheck reads dashboards and rules from files, folders, Grafana
// and Prometheus, judges their queries against the catalog's current
// metric schemas (package usage), prints the findings, and returns
// exitFindings when one is at or above --fail-on. Given no source, it
// prints the findings the catalog keeps on the consumers synced to it. A
// source that cannot be read is trouble (exitTrouble), never a pass: a CI
// gate that skipped a dashboard it could not parse would wave through
// what it never saw.
func consumersCheck(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var f consumersFlags
	fs := flag.NewFlagSet("tallycat consumers check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.catalog, "catalog", defaultCatalog(), "the catalog's URL")
	fs.Var(&f.dashboards, "dashboards", "a dashboard file or folder (repeatable)")
	fs.Var(&f.rules, "rules", "a rule file or folder (repeatable)")
	fs.StringVar(&f.grafana, "grafana-url", "", "Grafana's URL; its token is read from $TALLYCAT_GRAFANA_TOKEN")
	fs.StringVar(&f.prometheus, "prometheus-url", "", "a Prometheus whose /api/v1/rules to read")
	fs.Var(&f.ns, "namespace", "a prefix the exporters add to names (repeatable)")
	fs.StringVar(&f.fail, "fail-on", "violation", "the least severe level that fails: violation, improvement, information or none")
	fs.StringVar(&f.format, "format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return exitTrouble, fmt.Errorf("consumers check: %w", err)
	}
	threshold, ok := consumersLevels[f.fail]
	if !ok {
		return exitTrouble, fmt.Errorf("consumers check: --fail-on %q: want violation, improvement, information or none", f.fail)
	}
	if f.format != "text" && f.format != "json" {
		return exitTrouble, fmt.Errorf("consumers check: --format %q: want text or json", f.format)
	}
	if fs.NArg() > 0 {
		return exitTrouble, fmt.Errorf("consumers check: unexpected %q: give files and folders with --dashboards or --rules", fs.Arg(0))
	}
	var out consumersOutput
	if f.sources().Empty() {
		if len(f.ns) > 0 {
			return exitTrouble, errors.New("consumers check: --namespace names the exporters' prefixes for the sources read here; the stored consumers are judged with the catalog's own (tallycat-catalog --consumers-namespace)")
		}
		var err error
		if out, err = readStored(ctx, f.catalog); err != nil {
			return exitTrouble, err
		}
	} else {
		set, err := readConsumers(ctx, f, stderr)
		if err != nil {
			return exitTrouble, err
		}
		report, _, err := judge(ctx, f.catalog, set.Consumers, cusage.Options{Namespaces: f.ns})
		if err != nil {
			return exitTrouble, callError(f.catalog, err)
		}
		out = fromSet(set, report)
	}
	failed := 0
	for _, fd := range out.report.Findings {
		if threshold != 0 && fd.Level <= threshold {
			failed++
		}
	}
	out.Catalog, out.FailOn, out.Failed = f.catalog, f.fail, failed
	var err error
	if f.format == "json" {
		err = out.writeJSON(stdout)
	} else {
		err = out.writeText(stdout)
	}
	if err != nil {
		return exitTrouble, err
	}
	if len(out.errors) > 0 {
		return exitTrouble, fmt.Errorf("consumers check: %d documents could not be read, so their queries were not checked:\n%w",
			len(out.errors), errors.Join(out.errors...))
	}
	if failed > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

// judge reads the catalog's metric keys, the schemas of those the
// consumers may read, and checks. A label read off target_info may be a
// resource attribute of any metric: before one is called missing, every
// key's schemas are read and the check run again, so that the shortcut
// never makes a finding the full read would not. It returns how many
// keys' schemas it read.
func judge(ctx context.Context, url string, cs []consumers.Consumer, opts cusage.Options) (cusage.Report, int, error) {
	cat, err := readCatalogKeys(ctx, url)
	if err != nil {
		return cusage.Report{}, 0, err
	}
	if err := cat.fetch(ctx, cusage.Needed(cs, cat.metrics, opts)); err != nil {
		return cusage.Report{}, 0, err
	}
	report := cusage.Check(cs, cat.metrics, opts)
	if cat.complete() || !slices.ContainsFunc(report.Findings, func(f cusage.Finding) bool {
		return f.ID == cusage.ConsumerMissingAttribute && f.Key == promnames.TargetInfo
	}) {
		return report, cat.calls, nil
	}
	if err := cat.fetch(ctx, nil); err != nil {
		return cusage.Report{}, 0, err
	}
	return cusage.Check(cs, cat.metrics, opts), cat.calls, nil
}

// sources are the sources the flags name, with the tokens from the
// environment.
func (f consumersFlags) sources() consumers.Sources {
	return consumers.Sources{Dashboards: f.dashboards, Rules: f.rules,
		GrafanaURL: f.grafana, GrafanaToken: os.Getenv("TALLYCAT_GRAFANA_TOKEN"),
		PrometheusURL: f.prometheus, PrometheusToken: os.Getenv("TALLYCAT_PROMETHEUS_TOKEN")}
}

// readConsumers reads every source given, in one set. Files and folders
// that cannot be read are kept in the set's errors, beside what could be
// read; an API that fails is an error at once, as the consumers package
// reads APIs whole. Grafana's alert rules are the one exception: a Viewer
// token, enough for dashboards, may not read them, and a Grafana older
// than the provisioning API has none; that is said on stderr and the
// dashboards are checked all the same.
func readConsumers(ctx context.Context, f consumersFlags, stderr io.Writer) (consumers.Set, error) {
	var set consumers.Set
	for _, b := range f.sources().Read(ctx) {
		for _, w := range b.Warnings {
			fmt.Fprintln(stderr, "tallycat:", w)
		}
		if b.Failed && !b.FromFiles() {
			return set, b.Err()
		}
		set.Consumers = append(set.Consumers, b.Consumers...)
		set.Ignored = append(set.Ignored, b.Ignored...)
		set.Errors = append(set.Errors, b.Errors...)
	}
	return set, nil
}
