package main

import (
	"cmp"
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

// consumersOutput is what `tallycat consumers check` prints, whether it
// read the consumers itself (fromSet) or read the catalog's stored
// consumers and their findings (consumers_stored.go).
type consumersOutput struct {
	Catalog string
	FailOn  string
	Failed  int
	// consumers are those judged; ignored the files of no known format,
	// errors what could not be read.
	consumers []consumerSummary
	ignored   []string
	errors    []error
	report    cusage.Report
}

// consumerSummary is one consumer judged, in the JSON output. ID and
// Origin are a stored consumer's.
type consumerSummary struct {
	ID       string           `json:"id,omitempty"`
	Origin   string           `json:"origin,omitempty"`
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

// ref is how findings name the consumer.
func (c consumerSummary) ref() cusage.ConsumerRef {
	return cusage.ConsumerRef{ID: c.ID, Kind: c.Kind, Title: c.Title, Folder: c.Folder, Source: c.Source, UID: c.UID}
}

// fromSet is the output of the consumers read from the sources given.
func fromSet(set consumers.Set, report cusage.Report) consumersOutput {
	out := consumersOutput{consumers: []consumerSummary{}, ignored: set.Ignored, errors: set.Errors, report: report}
	for _, c := range set.Consumers {
		out.consumers = append(out.consumers, consumerSummary{Kind: c.Kind, Format: c.Format, Title: c.Title, Folder: c.Folder,
			Source: c.Source, UID: c.UID, Queries: len(c.Queries), Unparsed: c.Broken(), Skipped: c.Skipped, Notes: c.Notes})
	}
	return out
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
		Consumers: o.consumers, Findings: o.report.Findings, Read: o.report.Used, Ignored: o.ignored, Errors: []string{}}
	if doc.Consumers == nil {
		doc.Consumers = []consumerSummary{}
	}
	for _, err := range o.errors {
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
	for _, c := range o.consumers {
		notes[c.ref()] = c.Notes
	}
	var consumer cusage.ConsumerRef
	var query *cusage.QueryRef
	for i, f := range byQuery(own) {
		if i == 0 || *f.Consumer != consumer {
			consumer, query = *f.Consumer, nil
			fmt.Fprintf(w, "\n%s %q%s · %s\n", strings.ReplaceAll(string(consumer.Kind), "_", " "), consumer.Title, folder(consumer.Folder), consumer.Source)
			for _, n := range notes[consumer] {
				fmt.Fprintf(w, "  note: %s\n", n)
			}
		}
		if query == nil || *f.Query != *query {
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
	for _, p := range o.ignored {
		fmt.Fprintf(w, "\nignored (no dashboard or rules): %s", p)
	}
	if len(o.ignored) > 0 {
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

// byQuery groups a consumer's findings together and, within it, a
// query's, each group where its first finding was: the check already
// gives them so, the catalog's list gives them most severe first.
func byQuery(fs []cusage.Finding) []cusage.Finding {
	type at struct{ consumer, query int }
	type query struct {
		consumer cusage.ConsumerRef
		query    cusage.QueryRef
	}
	consumers := map[cusage.ConsumerRef]int{}
	queries := map[query]int{}
	order := make([]at, len(fs))
	for i, f := range fs {
		c, ok := consumers[*f.Consumer]
		if !ok {
			c = len(consumers)
			consumers[*f.Consumer] = c
		}
		key := query{*f.Consumer, *f.Query}
		q, ok := queries[key]
		if !ok {
			q = len(queries)
			queries[key] = q
		}
		order[i] = at{c, q}
	}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(order[a].consumer, order[b].consumer), cmp.Compare(order[a].query, order[b].query))
	})
	out := make([]cusage.Finding, len(fs))
	for i, j := range idx {
		out[i] = fs[j]
	}
	return out
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
