package consumers_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers"
)

// The forms of a dashboard the demo's do not take, written as their Grafana
// versions write them.

// A dashboard older than schema 16: panels in rows, datasources by name,
// [[var]] references, an interval variable.
const legacy = `{
  "title": "Legacy hosts",
  "uid": "legacy-hosts",
  "schemaVersion": 14,
  "templating": {"list": [
    {"name": "interval", "type": "interval", "query": "1m,10m,30m", "current": {"text": "10m", "value": "10m"}},
    {"name": "host", "type": "query", "datasource": "Prometheus", "query": "label_values(system_cpu_time_seconds_total, host_name)"}
  ]},
  "rows": [
    {"title": "CPU", "panels": [
      {"id": 1, "title": "CPU time", "datasource": "Prometheus", "targets": [
        {"refId": "A", "expr": "sum by (state) (rate(system_cpu_time_seconds_total{host_name=~\"[[host]]\"}[[[interval]]]))"}
      ]},
      {"id": 2, "title": "Logs", "datasource": "Loki", "targets": [{"refId": "A", "expr": "{job=\"syslog\"} |= \"error\""}]}
    ]},
    {"title": "Memory", "panels": [
      {"id": 3, "title": "Used", "targets": [{"refId": "A", "expr": "system_memory_usage_bytes{state=\"used\"}"}]},
      {"id": 4, "title": "Broken", "datasource": "Prometheus", "targets": [{"refId": "A", "expr": "sum(rate(system_memory_usage_bytes[5m])"}]}
    ]}
  ]
}`

func TestLegacyRows(t *testing.T) {
	c, err := consumers.ReadGrafanaDashboard("legacy.json", []byte(legacy), consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var panels, exprs []string
	for _, q := range c.Queries {
		panels = append(panels, q.Panel)
		exprs = append(exprs, q.Expr)
	}
	if !slices.Equal(panels, []string{"variable host", "CPU / CPU time", "Memory / Used", "Memory / Broken"}) {
		t.Fatalf("panels %v", panels)
	}
	if exprs[1] != `sum by (state) (rate(system_cpu_time_seconds_total{host_name=~"[[host]]"}[10m]))` {
		t.Errorf("substituted %q", exprs[1])
	}
	// Loki by its name: skipped and counted.
	if c.Skipped["loki"] != 1 {
		t.Errorf("skipped %v", c.Skipped)
	}
	// A panel without a datasource is on the default one: read.
	if q := c.Queries[2]; q.Path != "rows[1].panels[0].targets[0].expr" || len(q.Selectors) != 1 {
		t.Errorf("default datasource: %+v", q)
	}
	// The broken query is kept, with its error, where it is.
	q := c.Queries[3]
	if c.Broken() != 1 || q.Error == "" || q.Line != 18 || q.Path != "rows[1].panels[1].targets[0].expr" {
		t.Errorf("broken: %d %+v", c.Broken(), q)
	}
}

// Library panels: in an export's __elements, through the API, or neither.
const library = `{
  "__inputs": [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"}],
  "__elements": {
    "lib-cpu": {"name": "CPU", "uid": "lib-cpu", "kind": 1, "model": {
      "title": "CPU (library)", "type": "timeseries",
      "datasource": {"uid": "${DS_PROM}"},
      "targets": [{"refId": "A", "expr": "rate(system_cpu_time_seconds_total[$__rate_interval])"}]
    }}
  },
  "title": "Library", "uid": "lib", "schemaVersion": 39,
  "panels": [
    {"id": 1, "gridPos": {}, "libraryPanel": {"uid": "lib-cpu", "name": "CPU"}},
    {"id": 2, "title": "Network", "libraryPanel": {"uid": "lib-net", "name": "Network"}},
    {"id": 3, "title": "Mixed", "datasource": {"type": "datasource", "uid": "-- Mixed --"}, "targets": [
      {"refId": "A", "datasource": {"type": "prometheus", "uid": "p1"}, "expr": "system_network_io_bytes_total"},
      {"refId": "B", "datasource": {"type": "tempo", "uid": "t1"}, "query": "{}"}
    ]}
  ]
}`

func TestLibraryPanelsAndMixed(t *testing.T) {
	c, err := consumers.ReadGrafanaDashboard("lib.json", []byte(library), consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Queries) != 2 || c.Queries[0].Panel != "CPU (library)" || c.Queries[0].Path != "__elements.lib-cpu.model.targets[0].expr" {
		t.Fatalf("queries %+v", c.Queries)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], `library panel "Network" (lib-net)`) {
		t.Errorf("notes %v", c.Notes)
	}
	if c.Queries[1].Datasource != "p1" || c.Skipped["tempo"] != 1 {
		t.Errorf("mixed: %+v %v", c.Queries[1], c.Skipped)
	}
	// Through the API, the library panel Grafana answers is read.
	var asked []string
	opts := consumers.Options{LibraryPanel: func(uid string) ([]byte, error) {
		asked = append(asked, uid)
		if uid != "lib-net" {
			return nil, fmt.Errorf("404")
		}
		return []byte(`{"result": {"uid": "lib-net", "model": {"title": "Network (library)", "datasource": {"type": "prometheus", "uid": "p1"},
			"targets": [{"refId": "A", "expr": "sum by (device) (rate(system_network_io_bytes_total[5m]))"}]}}}`), nil
	}}
	c, err = consumers.ReadGrafanaDashboard("lib.json", []byte(library), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Queries) != 3 || c.Queries[1].Panel != "Network" || len(c.Notes) != 0 || !slices.Equal(asked, []string{"lib-net"}) {
		t.Errorf("queries %+v notes %v asked %v", c.Queries, c.Notes, asked)
	}
}

// Grafana 10's variable query objects, an API response's wrapper, and a
// variable with no value outside a string.
func TestVariablesAndWrapper(t *testing.T) {
	const doc = `{"meta": {"folderTitle": "Ops"}, "dashboard": {
	  "title": "Wrapped", "uid": "w", "schemaVersion": 39,
	  "templating": {"list": [
	    {"name": "ds", "type": "datasource", "query": "prometheus"},
	    {"name": "job", "type": "query", "datasource": {"uid": "$ds"},
	     "query": {"qryType": 1, "query": "label_values(up{job!=\"\"}, job)", "refId": "PrometheusVariableQueryEditor-VariableQuery"}},
	    {"name": "q", "type": "custom", "query": "0.5,0.9,0.99", "current": {"value": "$__all"}}
	  ]},
	  "panels": [{"id": 1, "title": "Threshold", "datasource": {"uid": "$ds"}, "targets": [
	    {"refId": "A", "expr": "histogram_quantile($q, rate(x_bucket[5m])) > $limit"}]}]
	}}`
	c, err := consumers.ReadGrafanaDashboard("api", []byte(doc), consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Folder != "Ops" || len(c.Queries) != 2 {
		t.Fatalf("%+v", c)
	}
	v := c.Queries[0]
	if v.Path != "dashboard.templating.list[1].query.query" || v.Selectors[0].Name != "up" || v.Error != "" {
		t.Errorf("variable query: %+v", v)
	}
	// $q falls back to the custom list's first option; $limit has none.
	p := c.Queries[1]
	if p.Expr != "histogram_quantile(0.5, rate(x_bucket[5m])) > 0" || p.Error != "" {
		t.Errorf("panel: %q %q", p.Expr, p.Error)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "dashboard.panels[0].targets[0].expr: read with a stand-in for limit") {
		t.Errorf("notes %v", c.Notes)
	}
}

func TestDocumentErrors(t *testing.T) {
	_, err := consumers.ReadGrafanaDashboard("bad.json", []byte("{\n  \"title\": \"x\",\n  \"panels\": [\n}"), consumers.Options{})
	var se *consumers.SourceError
	if !errors.As(err, &se) || se.Source != "bad.json" || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("malformed: %v", err)
	}
	// Read without knowing its format, a broken JSON document still says
	// where it broke.
	_, err = consumers.ReadDocument("bad.json", []byte("{\n  \"title\": \"x\",\n  \"panels\": [\n}"), consumers.Options{})
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("malformed, format unknown: %v", err)
	}
	_, err = consumers.ReadDocument("settings.yaml", []byte("apiVersion: 1\ndatasources:\n- name: x\n"), consumers.Options{})
	if !errors.Is(err, consumers.ErrUnknownFormat) {
		t.Errorf("not a consumer: %v", err)
	}
	_, err = consumers.ReadPrometheusRules("rules.yml", []byte("groups:\n- name: g\n  rules:\n  - expr: up == 0\n    for: 5m\n"))
	if !errors.As(err, &se) || se.Path != "groups[0].rules[0]" || se.Line != 4 {
		t.Errorf("rule without a name: %v", err)
	}
}

// In a provisioning folder the datasources' own files say which names are
// Prometheus: a dashboard naming "Logs" is not read as PromQL.
func TestProvisionedDatasources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("datasources/all.yaml", "apiVersion: 1\ndatasources:\n- {name: Metrics, uid: m1, type: prometheus}\n- {name: Events, uid: e1, type: loki}\n")
	write("dashboards/ops/hosts.json", `{"title": "Hosts", "uid": "hosts", "schemaVersion": 14, "rows": [{"title": "", "panels": [
	  {"id": 1, "title": "CPU", "datasource": "Metrics", "targets": [{"refId": "A", "expr": "rate(system_cpu_time_seconds_total[5m])"}]},
	  {"id": 2, "title": "Events", "datasource": "Events", "targets": [{"refId": "A", "expr": "count_over_time({job=\"x\"}[5m])"}]}]}]}`)
	set := consumers.ReadPath(dir, consumers.Options{})
	if err := set.Err(); err != nil || len(set.Consumers) != 1 {
		t.Fatalf("%v %v", set, err)
	}
	c := set.Consumers[0]
	if len(c.Queries) != 1 || c.Queries[0].Panel != "CPU" || c.Skipped["loki"] != 1 || c.Folder != "dashboards/ops" {
		t.Errorf("%+v", c)
	}
	if !slices.Equal(set.Ignored, []string{filepath.Join(dir, "datasources/all.yaml")}) {
		t.Errorf("ignored %v", set.Ignored)
	}
}
