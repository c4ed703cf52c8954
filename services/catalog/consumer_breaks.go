package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DescribeBreaks says which consumers breaks break, one line per consumer
// in the order they first appear, each naming the queries broken and what
// they read: `breaks dashboard "Host metrics" (panel "CPU by state",
// groups by state)`. Version proposals give the lines as reasons, and the
// timeline appends them to a move's summary, so that both say it alike.
func DescribeBreaks(breaks []ConsumerBreak) []string {
	var order []string
	heads := map[string]string{}
	queries := map[string][]string{}
	for _, b := range breaks {
		id := b.ConsumerID
		if id == "" {
			id = b.Kind + "\x00" + b.Source + "\x00" + b.UID + "\x00" + b.Title
		}
		if _, ok := heads[id]; !ok {
			order = append(order, id)
			heads[id] = "breaks " + consumerKindWord(b.Kind) + " " + strconv.Quote(b.Title)
		}
		if q := brokenQuery(b); !slices.Contains(queries[id], q) {
			queries[id] = append(queries[id], q)
		}
	}
	out := make([]string, 0, len(order))
	for _, id := range order {
		out = append(out, heads[id]+" ("+strings.Join(queries[id], "; ")+")")
	}
	return out
}

// consumerKindWord is a consumer's kind as people say it.
func consumerKindWord(kind string) string {
	switch kind {
	case "dashboard":
		return "dashboard"
	case "alert_rule":
		return "alert rule"
	case "recording_rule":
		return "recording rule"
	case "":
		return "consumer"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// brokenQuery names one broken query and what it reads: its panel when it
// has one other than the consumer's title (a rule's query is the rule),
// then how it uses the label the change takes away ("groups by state"),
// or the name it reads.
func brokenQuery(b ConsumerBreak) string {
	var parts []string
	if b.Panel != "" && b.Panel != b.Title {
		parts = append(parts, "panel "+strconv.Quote(b.Panel))
	}
	parts = append(parts, brokenRead(b))
	return strings.Join(parts, ", ")
}

// labelVerbs say how a query uses a label, by the use (promql.Use) a
// break carries first; any other use reads it.
var labelVerbs = map[string]string{"filter": "filters on", "by": "groups by", "on": "joins on", "include": "copies"}

// brokenRead says what a broken query reads that the change takes away.
func brokenRead(b ConsumerBreak) string {
	if b.Label != "" {
		verb := "reads"
		if len(b.Uses) > 0 && labelVerbs[b.Uses[0]] != "" {
			verb = labelVerbs[b.Uses[0]]
		}
		return verb + " " + b.Label
	}
	if b.Metric != "" {
		return "reads " + b.Metric
	}
	if b.Message != "" {
		return b.Message
	}
	return fmt.Sprintf("query %s", strconv.Quote(b.Expr))
}

// SummarizeEventBreaks is SummarizeEvent's line for e followed by the
// consumers breaks breaks: "checkout 1.1.0 moved from … to …: added …;
// breaks dashboard "Host metrics" (panel "CPU by state", groups by state)".
func SummarizeEventBreaks(e *Event, breaks []ConsumerBreak) string {
	s := SummarizeEvent(e)
	if lines := DescribeBreaks(breaks); len(lines) > 0 {
		s += "; " + strings.Join(lines, "; ")
	}
	return s
}
