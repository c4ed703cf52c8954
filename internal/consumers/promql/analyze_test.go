package promql

import (
	"errors"
	"slices"
	"testing"
)

// one analyses expr and returns its only selector, failing otherwise.
func one(t *testing.T, expr string) Selector {
	t.Helper()
	a, err := Analyze(expr)
	if err != nil {
		t.Fatalf("Analyze(%q): %v", expr, err)
	}
	if len(a.Selectors) != 1 {
		t.Fatalf("Analyze(%q): %d selectors, want 1: %v", expr, len(a.Selectors), a.Selectors)
	}
	return a.Selectors[0]
}

func labelsOf(s Selector, use Use) []string {
	var out []string
	for _, l := range s.Labels {
		if l.Use == use {
			out = append(out, l.Label)
		}
	}
	return out
}

func TestNames(t *testing.T) {
	cases := []struct {
		expr, name string
		patterns   []Matcher
	}{
		{`up`, "up", nil},
		{`{"http.server.request.duration", le="0.5"}`, "http.server.request.duration", nil},
		{`{__name__="otelcol_exporter_sent_spans_total", exporter="otlp"}`, "otelcol_exporter_sent_spans_total", nil},
		{`{__name__=~"otelcol_exporter_.*"}`, "", []Matcher{{"__name__", "=~", "otelcol_exporter_.*"}}},
		{`{__name__=~"system_cpu_.*", __name__!="system_cpu_frequency_hertz"}`, "", []Matcher{
			{"__name__", "=~", "system_cpu_.*"}, {"__name__", "!=", "system_cpu_frequency_hertz"}}},
		// Unquoted UTF-8 names, behind a feature flag in Prometheus 3.
		{`http.server.request.duration_seconds_count{job="x"}`, "http.server.request.duration_seconds_count", nil},
	}
	for _, c := range cases {
		s := one(t, c.expr)
		if s.Name != c.name || !slices.Equal(s.NameMatchers, c.patterns) {
			t.Errorf("%s: name %q patterns %v, want %q %v", c.expr, s.Name, s.NameMatchers, c.name, c.patterns)
		}
	}
}

func TestFiltersAndGrouping(t *testing.T) {
	s := one(t, `sum by (instance, "service.name") (rate(node_cpu_seconds_total{mode!="idle", job=~"node.*"}[5m]))`)
	if got := labelsOf(s, UseFilter); !slices.Equal(got, []string{"mode", "job"}) {
		t.Errorf("filters %v", got)
	}
	if got := labelsOf(s, UseBy); !slices.Equal(got, []string{"instance", "service.name"}) {
		t.Errorf("by %v", got)
	}
	if s.AllLabels {
		t.Error("sum by keeps only its grouping labels, yet AllLabels")
	}
	if !slices.Equal(s.Functions, []string{"rate"}) || !slices.Equal(s.Aggregations, []string{"sum"}) {
		t.Errorf("functions %v aggregations %v", s.Functions, s.Aggregations)
	}
	if s.Text != `node_cpu_seconds_total{mode!="idle", job=~"node.*"}` {
		t.Errorf("text %q", s.Text)
	}
	want := []Matcher{{"mode", "!=", "idle"}, {"job", "=~", "node.*"}}
	if !slices.Equal(s.Matchers, want) {
		t.Errorf("matchers %v", s.Matchers)
	}
}

func TestAllLabels(t *testing.T) {
	cases := map[string]bool{
		`rate(x_total[5m])`:                           true,
		`sum(rate(x_total[5m]))`:                      false,
		`sum without (cpu) (rate(x_total[5m]))`:       true,
		`topk by (job) (5, rate(x_total[5m]))`:        true,
		`scalar(sum(x))`:                              false,
		`sum(x / y)`:                                  true, // matched on every label
		`sum(x / on (job) y)`:                         false,
		`sum(rate(x[5m])) + sum(rate(y[5m]))`:         false, // matched on no label
		`sum by (job) (x) / on (job) y`:               false,
		`count(x) > 3`:                                false,
		`histogram_quantile(0.9, rate(x_bucket[5m]))`: true,
	}
	for expr, want := range cases {
		a, err := Analyze(expr)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range a.Selectors {
			if s.AllLabels != want {
				t.Errorf("%s: %s AllLabels %v, want %v", expr, s.Name, s.AllLabels, want)
			}
		}
	}
}

// A resource attribute read through a target_info join is used on
// target_info, not on the metric: the metric's schema need not carry it.
func TestTargetInfoJoin(t *testing.T) {
	a, err := Analyze(`sum by (k8s_cluster_name, state) (rate(system_cpu_time_seconds_total[5m]) * on (job, instance) group_left (k8s_cluster_name) target_info)`)
	if err != nil {
		t.Fatal(err)
	}
	cpu, info := a.Selectors[0], a.Selectors[1]
	if _, ok := cpu.Uses("k8s_cluster_name"); ok {
		t.Errorf("the copied label is used on the metric: %v", cpu.Labels)
	}
	if u, _ := cpu.Uses("state"); u != UseBy {
		t.Errorf("state on the metric: %q", u)
	}
	if u, _ := cpu.Uses("job"); u != UseOn {
		t.Errorf("job on the metric: %q", u)
	}
	if u, _ := info.Uses("k8s_cluster_name"); u != UseBy {
		t.Errorf("k8s_cluster_name on target_info: %q (%v)", u, info.Labels)
	}
	if got := labelsOf(info, UseInclude); !slices.Equal(got, []string{"k8s_cluster_name"}) {
		t.Errorf("include %v", got)
	}
	if _, ok := info.Uses("state"); ok {
		t.Errorf("state is not read off target_info: %v", info.Labels)
	}
	if cpu.AllLabels || info.AllLabels {
		t.Errorf("under sum by: AllLabels metric %v, target_info %v", cpu.AllLabels, info.AllLabels)
	}
	a, err = Analyze(`rate(system_cpu_time_seconds_total[5m]) * on (job, instance) group_left (host_name) target_info`)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Selectors[0].AllLabels || a.Selectors[1].AllLabels {
		t.Errorf("group_left keeps the many side's labels only: %v", a.Selectors)
	}
}

func TestInfo(t *testing.T) {
	a, err := Analyze(`sum by (k8s_cluster_name) (info(rate(http_server_request_duration_seconds_count[2m]), {k8s_cluster_name=~".+"}))`)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Selectors) != 2 || a.Selectors[1].Name != "target_info" || !a.Selectors[1].Implicit {
		t.Fatalf("selectors %v", a.Selectors)
	}
	if u, _ := a.Selectors[1].Uses("k8s_cluster_name"); u != UseFilter {
		t.Errorf("target_info uses %v", a.Selectors[1].Labels)
	}
	a, err = Analyze(`info(up)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Selectors) != 2 || a.Selectors[1].Name != "target_info" || !a.Selectors[1].AllLabels {
		t.Fatalf("info without data selector: %v", a.Selectors)
	}
}

func TestLabelFunctions(t *testing.T) {
	s := one(t, `sum by (svc) (label_replace(rate(x_total[5m]), "svc", "$1", "service_name", "(.*)"))`)
	if _, ok := s.Uses("svc"); ok {
		t.Errorf("svc is written by label_replace, not read: %v", s.Labels)
	}
	if u, _ := s.Uses("service_name"); u != UseBy {
		t.Errorf("service_name: %q (%v)", u, s.Labels)
	}
	s = one(t, `count_values by (job) ("version", build_info)`)
	if _, ok := s.Uses("version"); ok {
		t.Errorf("version is written by count_values: %v", s.Labels)
	}
	s = one(t, `histogram_quantile(0.99, sum by (le) (rate({"http.server.request.duration_seconds_bucket"}[5m])))`)
	if got := s.LabelNames(); !slices.Equal(got, []string{"le"}) {
		t.Errorf("labels %v", got)
	}
}

func TestSetOperators(t *testing.T) {
	a, err := Analyze(`up{job="a"} unless on (instance) node_uname_info`)
	if err != nil {
		t.Fatal(err)
	}
	l, r := a.Selectors[0], a.Selectors[1]
	if !l.AllLabels || r.AllLabels {
		t.Errorf("AllLabels left %v right %v", l.AllLabels, r.AllLabels)
	}
	if u, _ := r.Uses("instance"); u != UseOn {
		t.Errorf("right uses %v", r.Labels)
	}
}

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{
		"",
		`rate(http_requests_total)`,
		`sum(rate(x[5m])`,
		`WITH (f = rate(x[5m])) f`,
	} {
		_, err := Analyze(expr)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a ParseError", expr, err)
		}
	}
}
