package consumers_test

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promql"
)

const demo = "testdata/grafana/provisioning"

func byTitle(t *testing.T, cs []consumers.Consumer, title string) consumers.Consumer {
	t.Helper()
	for _, c := range cs {
		if c.Title == title {
			return c
		}
	}
	t.Fatalf("no consumer %q", title)
	return consumers.Consumer{}
}

// metricNames lists the distinct metric names a consumer's selectors read.
func metricNames(c consumers.Consumer) []string {
	var out []string
	for _, q := range c.Queries {
		for _, s := range q.Selectors {
			if s.Name != "" && !slices.Contains(out, s.Name) {
				out = append(out, s.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// The OpenTelemetry demo's Grafana provisioning folder: dashboards and
// Grafana-managed alert rules side by side with the providers' settings.
func TestGrafanaProvisioningFolder(t *testing.T) {
	set := consumers.ReadPath(demo, consumers.Options{})
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(set.Ignored, []string{demo + "/dashboards/demo.yaml"}) {
		t.Errorf("ignored %v", set.Ignored)
	}
	kinds := map[consumers.Kind]int{}
	for _, c := range set.Consumers {
		kinds[c.Kind]++
		if c.Broken() != 0 || len(c.Notes) != 0 {
			t.Errorf("%s: %d queries do not parse; notes %v", c.Title, c.Broken(), c.Notes)
		}
	}
	if kinds[consumers.Dashboard] != 4 || kinds[consumers.AlertRule] != 11 {
		t.Errorf("kinds %v", kinds)
	}
	// The provider puts the demo folder's dashboards in Grafana's "Demo".
	col := byTitle(t, set.Consumers, "OpenTelemetry Collector")
	if col.Folder != "Demo" || col.UID != "otel-demo_otel-collector_dashboard" || col.Format != consumers.GrafanaDashboard {
		t.Errorf("collector dashboard: %q %q %q", col.Folder, col.UID, col.Format)
	}
	// Its logs panel reads OpenSearch: counted, not read.
	if !maps(col.Skipped, map[string]int{"grafana-opensearch-datasource": 1}) {
		t.Errorf("skipped %v", col.Skipped)
	}
	apm := byTitle(t, set.Consumers, "APM Dashboard (Jaeger, Prometheus, OpenSearch)")
	if !maps(apm.Skipped, map[string]int{"grafana-opensearch-datasource": 1, "jaeger": 1}) {
		t.Errorf("apm skipped %v", apm.Skipped)
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Collapsed rows hold their panels: the Collector dashboard's receivers,
// processors and exporters are all in them.
func TestCollapsedRows(t *testing.T) {
	path := demo + "/dashboards/demo/opentelemetry-collector.json"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := consumers.ReadGrafanaDashboard(path, b, consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var q consumers.Query
	for _, x := range c.Queries {
		if x.Panel == "Receivers / Span Rate" {
			q = x
			break
		}
	}
	if q.Path != "panels[25].panels[0].targets[0].expr" || q.RefID != "spans_rate" || q.Datasource != "${prometheus_datasource}" {
		t.Fatalf("span rate: %+v", q)
	}
	// The line is where the expression is written.
	lines := strings.Split(string(b), "\n")
	if q.Line < 1 || !strings.Contains(lines[q.Line-1], `"expr": "sum(rate(otelcol_receiver_accepted_spans_total{`) {
		t.Errorf("line %d: %q", q.Line, lines[max(q.Line-1, 0)])
	}
	if !strings.Contains(q.Expr, "[1m]") || strings.Contains(q.Expr, "$__rate_interval") {
		t.Errorf("built-in not substituted: %s", q.Expr)
	}
	if len(q.Selectors) != 2 || q.Selectors[0].Name != "otelcol_receiver_accepted_spans_total" {
		t.Fatalf("selectors %v", q.Selectors)
	}
	// A matcher on a variable keeps the variable as its value.
	s := q.Selectors[0]
	if !slices.Contains(s.Matchers, promql.Matcher{Label: "service_name", Op: "=~", Value: "$service_name"}) {
		t.Errorf("matchers %v", s.Matchers)
	}
	// An untitled panel is named by its id.
	var untitled bool
	for _, x := range c.Queries {
		untitled = untitled || strings.HasPrefix(x.Panel, "Collector / panel ")
	}
	if !untitled {
		t.Error("the Collector row's untitled table is not named by its id")
	}
}

// The demo's host metrics dashboard: every metric it reads, and its
// variables' label_values and query_result queries among them.
func TestLinuxDashboard(t *testing.T) {
	set := consumers.ReadPath(demo+"/dashboards/demo/linux-dashboard.json", consumers.Options{})
	if err := set.Err(); err != nil || len(set.Consumers) != 1 {
		t.Fatalf("%v %v", set.Consumers, err)
	}
	c := set.Consumers[0]
	want := []string{
		"otelcol_process_uptime", "otelcol_process_uptime_seconds_total",
		"system_cpu_load_average_15m", "system_cpu_load_average_5m", "system_cpu_logical_count",
		"system_cpu_time_seconds_total", "system_cpu_utilization_ratio", "system_disk_io_bytes_total",
		"system_filesystem_usage_bytes", "system_memory_limit_bytes", "system_memory_usage_bytes",
		"system_memory_utilization_ratio", "system_network_dropped_total", "system_network_errors_total",
		"system_network_io_bytes_total", "system_paging_usage_bytes", "system_uptime_seconds", "target_info",
	}
	if got := metricNames(c); !slices.Equal(got, want) {
		t.Errorf("metrics\n%v\nwant\n%v", got, want)
	}
	for _, q := range c.Queries {
		switch q.Panel {
		case "variable k8s_cluster_name":
			// label_values(otelcol_process_uptime, k8s_cluster_name)
			s := q.Selectors[0]
			if u, _ := s.Uses("k8s_cluster_name"); u != promql.UseBy || s.AllLabels {
				t.Errorf("label_values: %v", s)
			}
		case "Disk usage":
			if u, _ := q.Selectors[0].Uses("mountpoint"); u != promql.UseBy {
				t.Errorf("disk usage: %v", q.Selectors)
			}
		case "CPU Busy":
			if !slices.Contains(q.Selectors[0].Matchers, promql.Matcher{Label: "state", Op: "!=", Value: "idle"}) {
				t.Errorf("cpu busy: %v", q.Selectors[0].Matchers)
			}
		}
	}
}
