package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/tallycat/tallycat/internal/consumers"
	cusage "github.com/tallycat/tallycat/internal/consumers/usage"
)

// consumersOutput is what `tallycat consumers check` prints.
type consumersOutput struct {
	Catalog string
	FailOn  string
	Failed  int
	set     consumers.Set
	report  cusage.Report
}

// consumerSummary is one consumer read, in the JSON output.
type consumerSummary struct {
	Kind     consumers.Kind   `json:"kind"`
	Format   consumers.Format `json:"format"`
	Title    string           `json:"title"`
	Folder   string           `json:"folder,omitempty"`
	Source   string           `json:"source"`
	UID      string           `json:"uid,omitempty"`
	Queries  int              `json:"queries"`
	Unparsed int              `json:"unparsed"`
	Skipped  map[string]int   `json:"skipped,omitempty"`
	Notes    []string         `json:"notes,omitempty"`
}

// writeJSON writes one object whose field names and order do not change
// from run to run: a CI step can diff it, or read `failed` and `findings`.
func (o consumersOutput) writeJSON(w io.Writer) error {
	doc := struct {
		Catalog   string            `json:"catalog"`
		FailOn    string            `json:"fail_on"`
		Failed    int               `json:"failed"`
		Levels    map[string]int    `json:"levels"`
		Stats     cusage.Stats      `json:"stats"`
		Consumers []consumerSummary `json:"consumers"`
		Findings  []cusage.Finding  `json:"findings"`
		Read      []cusage.KeyUse   `json:"read"`
		Ignored   []string          `json:"ignored"`
		Errors    []string          `json:"errors"`
	}{Catalog: o.Catalog, FailOn: o.FailOn, Failed: o.Failed, Levels: o.levels(), Stats: o.report.Stats,
		Consumers: []consumerSummary{}, Findings: o.report.Findings, Read: o.report.Used, Ignored: o.set.Ignored, Errors: []string{}}
	for _, c := range o.set.Consumers {
		doc.Consumers = append(doc.Consumers, consumerSummary{Kind: c.Kind, Format: c.Format, Title: c.Title, Folder: c.Folder,
			Source: c.Source, UID: c.UID, Queries: len(c.Queries), Unparsed: c.Broken(), Skipped: c.Skipped, Notes: c.Notes})
	}
	for _, err := range o.set.Errors {
		doc.Errors = append(doc.Errors, err.Error())
	}
	if doc.Findings == nil {
		doc.Findings = []cusage.Finding{}
	}
	if doc.Read == nil {
		doc.Read = []cusage.KeyUse{}
	}
	if doc.Ignored == nil {
		doc.Ignored = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// levels counts the findings by level, every level named.
func (o consumersOutput) levels() map[string]int {
	out := map[string]int{"violation": 0, "improvement": 0, "information": 0}
	for _, f := range o.report.Findings {
		out[f.Level.String()]++
	}
	return out
}

// writeText writes, for people: each consumer with findings, its queries'
// findings under the query; the metrics read, with the attributes read;
// the unused metrics, dearest first, and the unused attributes; then what
// was read and the verdict.
func (o consumersOutput) writeText(w io.Writer) error {
	var own, unusedMetrics, unusedAttrs []cusage.Finding
	for _, f := range o.report.Findings {
		switch f.ID {
		case cusage.UnusedMetric:
			unusedMetrics = append(unusedMetrics, f)
		case cusage.UnusedAttribute:
			unusedAttrs = append(unusedAttrs, f)
		default:
			own = append(own, f)
		}
	}
	notes := map[cusage.ConsumerRef][]string{}
	for _, c := range o.set.Consumers {
		notes[cusage.ConsumerRef{Kind: c.Kind, Title: c.Title, Folder: c.Folder, Source: c.Source, UID: c.UID}] = c.Notes
	}
	var consumer cusage.ConsumerRef
	var query *cusage.QueryRef
	for i, f := range own {
		if i == 0 || *f.Consumer != consumer {
			consumer, query = *f.Consumer, nil
			fmt.Fprintf(w, "\n%s %q%s · %s\n", strings.ReplaceAll(string(consumer.Kind), "_", " "), consumer.Title, folder(consumer.Folder), consumer.Source)
			for _, n := range notes[consumer] {
				fmt.Fprintf(w, "  note: %s\n", n)
			}
		}
		if f.Query != query {
			query = f.Query
			fmt.Fprintf(w, "  %s\n    %s\n", place(*query, consumer.Title), oneLine(query.Expr))
		}
		fmt.Fprintf(w, "    %-11s  %s  %s\n", f.Level, f.ID, f.Message)
	}

	if len(o.report.Used) > 0 {
		fmt.Fprintf(w, "\nMetrics read (%d):\n", len(o.report.Used))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  KEY\tQUERIES\tATTRIBUTES READ")
		for _, u := range o.report.Used {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", u.Key, len(u.Readers), attributesRead(u))
		}
		tw.Flush()
	}
	if len(unusedMetrics) > 0 {
		fmt.Fprintf(w, "\nMetrics no consumer reads (%d), dearest first, over the %s:\n", len(unusedMetrics), unusedMetrics[0].Cost.Window)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LEVEL\tFINDING\tKEY\tSERIES\tPOINTS/MIN\tMONTHLY")
		for _, f := range unusedMetrics {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%.1f\t%s\n", f.Level, f.ID, f.Key, f.Cost.Series, f.Cost.DataPointsPerMinute, monthly(f.Cost))
		}
		tw.Flush()
	}
	if len(unusedAttrs) > 0 {
		fmt.Fprintf(w, "\nAttributes no query reads, of metrics read (%d):\n", len(unusedAttrs))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, f := range unusedAttrs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.Level, f.ID, f.Key, f.Attribute, f.Message)
		}
		tw.Flush()
	}
	for _, p := range o.set.Ignored {
		fmt.Fprintf(w, "\nignored (no dashboard or rules): %s", p)
	}
	if len(o.set.Ignored) > 0 {
		fmt.Fprintln(w)
	}

	st := o.report.Stats
	fmt.Fprintf(w, "\n%s, %s: %d do not parse, %d on other datasources skipped%s", plural(st.Consumers, "consumer"), plural(st.Queries, "query"), st.Unparsed, total(st.Skipped), byType(st.Skipped))
	if st.OwnSeries+st.Recorded > 0 {
		fmt.Fprintf(w, "; not judged: %d selectors on Prometheus' own series, %d on recorded series", st.OwnSeries, st.Recorded)
	}
	fmt.Fprintf(w, "\n%d metrics in the catalog, %d read, %d read by no consumer\n", st.Metrics, st.UsedMetrics, st.Metrics-st.UsedMetrics)
	if o.Failed > 0 {
		fmt.Fprintf(w, "%d of %d findings at or above %s\n", o.Failed, len(o.report.Findings), o.FailOn)
	} else {
		fmt.Fprintf(w, "%d findings, none at or above %s\n", len(o.report.Findings), o.FailOn)
	}
	return nil
}

// plural counts n things, in English.
func plural(n int, thing string) string {
	switch {
	case n == 1:
		return "1 " + thing
	case strings.HasSuffix(thing, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(thing, "y"))
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func folder(f string) string {
	if f == "" {
		return ""
	}
	return " in " + f
}

// place says where a query is: its panel, its ref id, its line; a rule's
// one query is its expression, the rule being named above it.
func place(q cusage.QueryRef, consumer string) string {
	out := q.Panel
	if out == "" {
		out = q.Path
	}
	out = fmt.Sprintf("%q", out)
	if q.Panel == consumer {
		out = "expression"
	}
	if q.RefID != "" {
		out += " " + q.RefID
	}
	if q.Line > 0 {
		out += fmt.Sprintf(" (line %d)", q.Line)
	}
	return out
}

// oneLine folds a query's lines and spaces, as people read it in a panel.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// attributesRead lists the attributes queries read of a key, each with
// the label it is read as when the two differ.
func attributesRead(u cusage.KeyUse) string {
	if u.AllAttributes {
		return "all (a query shows every label)"
	}
	var out []string
	for _, a := range u.Attributes {
		s := a.Attribute
		if labels := slices.DeleteFunc(slices.Clone(a.Labels), func(l string) bool { return l == a.Attribute }); len(labels) > 0 {
			s += " as " + strings.Join(labels, ", ")
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, "; ")
}

func monthly(c *cusage.Cost) string {
	if c.MonthlyCost == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *c.MonthlyCost)
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func byType(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
