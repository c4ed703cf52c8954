package consumers

import (
	"slices"
	"testing"
)

func TestSubstitute(t *testing.T) {
	v := &variables{values: map[string][]string{
		"interval": {"2m"},
		"suffix":   {"_total"},
		"groups":   {"job", "instance"},
	}}
	cases := []struct {
		in, out    string
		unresolved []string
	}{
		// Built-ins, in every syntax.
		{`rate(x[$__rate_interval])`, `rate(x[1m])`, nil},
		{`rate(x[${__interval}])`, `rate(x[1m])`, nil},
		{`increase(x[$__range])`, `increase(x[1h])`, nil},
		{`rate(x[[[__interval]]])`, `rate(x[1m])`, nil},
		{`x @ ${__to:date:seconds}`, `x @ 1700003600`, nil},
		// A variable's value where the dashboard gives one.
		{`rate(x[$interval])`, `rate(x[2m])`, nil},
		{`otelcol_exporter_sent_spans${suffix}`, `otelcol_exporter_sent_spans_total`, nil},
		{`sum by ($groups) (x)`, `sum by (job,instance) (x)`, nil},
		// Inside strings references stay as written, whatever the syntax.
		{`x{host=~"$host", node=~"${node:regex}", a="[[a]]"}`, `x{host=~"$host", node=~"${node:regex}", a="[[a]]"}`, nil},
		{`label_replace(x, "dst", "$1", "src", "(.*)")`, `label_replace(x, "dst", "$1", "src", "(.*)")`, nil},
		// No value: a duration in a range, a number elsewhere, and said.
		{`rate(x[$window])`, `rate(x[5m])`, []string{"window"}},
		{`x > $threshold`, `x > 0`, []string{"threshold"}},
		// An escaped quote does not end a string, and an escape does not
		// lose the references after it.
		{`x{a="\"$a\""} + y[$interval]`, `x{a="\"$a\""} + y[2m]`, nil},
		{`x{a="\$a"} + y[$interval]`, `x{a="\$a"} + y[2m]`, nil},
		// Comments are left alone.
		{"x # $nothing\n+ y", "x # $nothing\n+ y", nil},
	}
	for _, c := range cases {
		got, unresolved := v.substitute(c.in)
		if got != c.out || !slices.Equal(unresolved, c.unresolved) {
			t.Errorf("substitute(%q) = %q %v, want %q %v", c.in, got, unresolved, c.out, c.unresolved)
		}
	}
}

func TestVariableQuery(t *testing.T) {
	cases := []struct {
		in, expr string
		labels   []string
	}{
		{`label_values(otelcol_process_uptime{k8s_cluster_name=~"$c"},k8s_node_name)`, `otelcol_process_uptime{k8s_cluster_name=~"$c"}`, []string{"k8s_node_name"}},
		{`label_values(job)`, ``, nil},
		{`query_result(count(up{job="a"}))`, `count(up{job="a"})`, nil},
		{`metrics(otelcol_.*)`, `{__name__=~"otelcol_.*"}`, nil},
		{`sum by (job) (up)`, `sum by (job) (up)`, nil},
	}
	for _, c := range cases {
		expr, labels := variableQuery(c.in)
		if expr != c.expr || !slices.Equal(labels, c.labels) {
			t.Errorf("variableQuery(%q) = %q %v, want %q %v", c.in, expr, labels, c.expr, c.labels)
		}
	}
}

func TestJSONLines(t *testing.T) {
	n, err := parseJSON([]byte("{\n  \"a\": [\n    {\"b\": \"x\\/y\"},\n\n    {\"c\":\n      \"d\"}\n  ]\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	items := n.get("a").list()
	if items[0].get("b").str() != "x/y" || items[0].get("b").Line() != 3 || items[1].get("c").Line() != 6 {
		t.Errorf("lines: b %d c %d", items[0].get("b").Line(), items[1].get("c").Line())
	}
	if _, err := parseJSON([]byte("{\n\"a\": [1,\n}")); err == nil {
		t.Error("a broken document parsed")
	}
}
