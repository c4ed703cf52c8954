package consumers_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promql"
)

func readRules(t *testing.T, path string) []consumers.Consumer {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := consumers.ReadPrometheusRules(path, b)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestPrometheusRuleFiles(t *testing.T) {
	node := readRules(t, "testdata/prometheus/node-exporter.yml")
	col := readRules(t, "testdata/prometheus/opentelemetry-collector.yml")
	if len(node) != 35 || len(col) != 12 {
		t.Fatalf("%d node_exporter rules, %d Collector rules", len(node), len(col))
	}
	for _, c := range append(node, col...) {
		if c.Kind != consumers.AlertRule || len(c.Queries) != 1 || c.Broken() != 0 {
			t.Errorf("%s: %s %d queries, %d broken", c.Title, c.Kind, len(c.Queries), c.Broken())
		}
	}
	r := byTitle(t, col, "OpentelemetryCollectorReceiverRefusedSpans")
	q := r.Queries[0]
	if r.UID != "EmbeddedExporter/OpentelemetryCollectorReceiverRefusedSpans" || r.Folder != "EmbeddedExporter" ||
		q.Path != "groups[0].rules[1].expr" || q.Line != 23 || q.Selectors[0].Name != "otelcol_receiver_refused_spans" {
		t.Errorf("%+v", r)
	}
	// A rule's labels: node_exporter's memory rule joins on instance.
	m := byTitle(t, node, "HostOutOfMemory")
	var names []string
	for _, s := range m.Queries[0].Selectors {
		names = append(names, s.Name)
	}
	if !slices.Contains(names, "node_memory_MemAvailable_bytes") {
		t.Errorf("HostOutOfMemory reads %v", names)
	}
}

// Two rules of one name in a group keep distinct identities, recording
// rules are recording rules, and a PrometheusRule object is read as the
// rule file it holds.
func TestRuleIdentities(t *testing.T) {
	const crd = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: host}
spec:
  groups:
  - name: host
    rules:
    - record: instance:system_cpu_time:rate5m
      expr: sum by (instance) (rate(system_cpu_time_seconds_total{state!="idle"}[5m]))
    - alert: HostCPU
      expr: instance:system_cpu_time:rate5m > 0.8
      labels: {severity: warning}
    - alert: HostCPU
      expr: instance:system_cpu_time:rate5m > 0.95
      labels: {severity: critical}
---
`
	cs, err := consumers.ReadDocument("host.yaml", []byte(crd), consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, c := range cs {
		uids = append(uids, string(c.Kind)+" "+c.UID)
	}
	want := []string{"recording_rule host/instance:system_cpu_time:rate5m", "alert_rule host/HostCPU", "alert_rule host/HostCPU#2"}
	if !slices.Equal(uids, want) || cs[0].Queries[0].Path != "spec.groups[0].rules[0].expr" {
		t.Errorf("%v %s", uids, cs[0].Queries[0].Path)
	}
}

func TestGrafanaAlertRules(t *testing.T) {
	path := demo + "/alerting/opentelemetry-collector-rules.yaml"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := consumers.ReadGrafanaAlertRules(path, b, consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 10 {
		t.Fatalf("%d rules", len(cs))
	}
	c := byTitle(t, cs, "OpenTelemetryCollectorReceiverDroppedSpans")
	q := c.Queries[0]
	if c.UID != "7fe832d8-ba11-5f4f-8c4b-31e8efc2daa2" || c.Folder != "OpenTelemetryCollector / OpenTelemetryCollector.1m" ||
		q.RefID != "A" || q.Datasource != "webstore-metrics" || q.Path != "groups[0].rules[0].data[0].model.expr" || q.Line != 23 {
		t.Errorf("%+v", c)
	}
	// The reduce and threshold steps are Grafana's expressions.
	if c.Skipped["__expr__"] != 2 || q.Selectors[0].Name != "otelcol_receiver_refused_spans_total" {
		t.Errorf("skipped %v selectors %v", c.Skipped, q.Selectors)
	}
}

func TestPersesDashboard(t *testing.T) {
	path := "testdata/perses/opentelemetry-collector.yaml"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := consumers.ReadPersesDashboard(path, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.UID != "perses-dev/opentelemetry-collector" || c.Title != "OpenTelemetry Collector" || c.Broken() != 0 {
		t.Fatalf("%+v", c)
	}
	// The receiver variable lists the receiver label of every
	// otelcol_receiver_ metric: a pattern, grouped by receiver.
	var v consumers.Query
	for _, q := range c.Queries {
		if q.Panel == "variable receiver" {
			v = q
		}
	}
	s := v.Selectors[0]
	if s.Name != "" || !slices.Equal(s.NameMatchers, []promql.Matcher{{Label: "__name__", Op: "=~", Value: "otelcol_receiver_.+"}}) {
		t.Fatalf("variable receiver: %+v", v)
	}
	if u, _ := s.Uses("receiver"); u != promql.UseBy {
		t.Errorf("receiver: %v", s.Labels)
	}
	// Panels are named with the grid that lays them out.
	var grids bool
	for _, q := range c.Queries {
		grids = grids || strings.Contains(q.Panel, " / ")
	}
	if !grids || !slices.Contains(metricNames(c), "otelcol_exporter_queue_size") {
		t.Errorf("panels and metrics: %v", metricNames(c))
	}
}
