package consumers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tallycat/tallycat/internal/consumers"
)

const token = "glsa_test"

// grafanaAPI serves the demo's dashboards and alert rules as Grafana's API
// does, to a bearer token only; fail names paths that answer 500.
func grafanaAPI(t *testing.T, fail ...string) *httptest.Server {
	t.Helper()
	dashboards := map[string]string{
		"otel-demo_otel-collector_dashboard": demo + "/dashboards/demo/opentelemetry-collector.json",
		"otel-demo-hostmetrics":              demo + "/dashboards/demo/linux-dashboard.json",
		"lib":                                "",
	}
	rules := grafanaRulesList(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/search", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("type") != "dash-db" || r.URL.Query().Get("page") != "1" {
			t.Errorf("search %s", r.URL.RawQuery)
		}
		json.NewEncoder(w).Encode([]map[string]string{
			{"uid": "otel-demo_otel-collector_dashboard", "folderTitle": "Demo"},
			{"uid": "otel-demo-hostmetrics", "folderTitle": "Demo"},
			{"uid": "lib", "folderTitle": "General"},
		})
	})
	mux.HandleFunc("GET /api/dashboards/uid/{uid}", func(w http.ResponseWriter, r *http.Request) {
		path, ok := dashboards[r.PathValue("uid")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		model := []byte(library)
		if path != "" {
			var err error
			if model, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		w.Write([]byte(`{"meta": {"folderTitle": "ignored"}, "dashboard": `))
		w.Write(model)
		w.Write([]byte(`}`))
	})
	mux.HandleFunc("GET /api/library-elements/{uid}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("uid") != "lib-net" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"result": {"uid": "lib-net", "model": {"title": "Network", "datasource": {"type": "prometheus", "uid": "webstore-metrics"},
			"targets": [{"refId": "A", "expr": "sum by (device) (rate(system_network_io_bytes_total[5m]))"}]}}}`))
	})
	mux.HandleFunc("GET /api/datasources", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"uid": "webstore-metrics", "name": "Prometheus", "type": "prometheus"}]`))
	})
	mux.HandleFunc("GET /api/v1/provisioning/alert-rules", func(w http.ResponseWriter, r *http.Request) {
		w.Write(rules)
	})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"message": "Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		if slices.Contains(fail, r.URL.Path) {
			http.Error(w, `{"message": "database is locked"}`, http.StatusInternalServerError)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// grafanaRulesList is the demo's alert rules file as the provisioning API
// lists them: one flat list, each rule naming its folder and group.
func grafanaRulesList(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(demo + "/alerting/opentelemetry-collector-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name   string           `yaml:"name"`
			Folder string           `yaml:"folder"`
			Rules  []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			r["folderUID"], r["ruleGroup"] = g.Folder, g.Name
			list = append(list, r)
		}
	}
	out, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGrafanaAPI(t *testing.T) {
	srv := grafanaAPI(t)
	defer srv.Close()
	client := &consumers.GrafanaClient{URL: srv.URL + "/", Token: token}
	ctx := context.Background()
	ds, err := client.Dashboards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("%d dashboards", len(ds))
	}
	col := byTitle(t, ds, "OpenTelemetry Collector")
	if col.Source != srv.URL+"/d/otel-demo_otel-collector_dashboard" || col.Folder != "Demo" || len(col.Queries) != 58 {
		t.Errorf("collector: %s %s %d queries", col.Source, col.Folder, len(col.Queries))
	}
	for _, q := range col.Queries {
		if q.Line != 0 || !strings.HasPrefix(q.Path, "dashboard.") {
			t.Fatalf("an API query's place: %s line %d", q.Path, q.Line)
		}
	}
	// The library panel the dashboard does not carry is asked of the API.
	lib := byTitle(t, ds, "Library")
	if lib.Folder != "General" || len(lib.Queries) != 3 || len(lib.Notes) != 0 {
		t.Errorf("library: %+v", lib)
	}
	rules, err := client.AlertRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := byTitle(t, rules, "OpenTelemetryCollectorExporterQueueSize")
	if len(rules) != 10 || r.Folder != "OpenTelemetryCollector / OpenTelemetryCollector.1m" || len(r.Queries) != 1 || r.Queries[0].Path != "[6].data[0].model.expr" {
		t.Errorf("%d rules; %+v", len(rules), r)
	}
}

// A read that cannot see everything fails whole: a sync must not take the
// dashboards it missed for deleted.
func TestGrafanaAPIFailures(t *testing.T) {
	srv := grafanaAPI(t, "/api/dashboards/uid/otel-demo-hostmetrics")
	defer srv.Close()
	_, err := (&consumers.GrafanaClient{URL: srv.URL, Token: token}).Dashboards(context.Background())
	var he *consumers.HTTPError
	if !errors.As(err, &he) || he.Status != 500 || !strings.HasSuffix(he.URL, "/api/dashboards/uid/otel-demo-hostmetrics") {
		t.Errorf("one dashboard failing: %v", err)
	}
	_, err = (&consumers.GrafanaClient{URL: srv.URL, Token: "wrong"}).Dashboards(context.Background())
	if !errors.As(err, &he) || he.Status != 401 {
		t.Errorf("a wrong token: %v", err)
	}
}

// Prometheus 2.42 (Debian's) served the two rule files of testdata, and
// its answer to /api/v1/rules was kept (testdata/prometheus/api-v1-rules.json).
// Read over HTTP, each rule is the consumer its file makes.
func TestPrometheusRulesAPI(t *testing.T) {
	b, err := os.ReadFile("testdata/prometheus/api-v1-rules.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/rules" {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	got, err := (&consumers.PrometheusClient{URL: srv.URL}).Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := append(readRules(t, "testdata/prometheus/node-exporter.yml"), readRules(t, "testdata/prometheus/opentelemetry-collector.yml")...)
	if len(got) != len(want) {
		t.Fatalf("%d rules over HTTP, %d in the files", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.UID != w.UID || g.Kind != w.Kind || g.Source != "/tmp/promrun/"+strings.TrimPrefix(w.Source, "testdata/prometheus/") {
			t.Errorf("rule %d: %s %s %s, want %s %s", i, g.UID, g.Kind, g.Source, w.UID, w.Kind)
		}
		// Prometheus prints the expression anew; it reads the same metrics.
		if !slices.Equal(selectorNames(g), selectorNames(w)) || g.Broken() != 0 {
			t.Errorf("%s: reads %v over HTTP, %v in the file", g.Title, selectorNames(g), selectorNames(w))
		}
	}
	_, err = consumers.ReadPrometheusRulesAPI("x", []byte(`{"status": "error", "errorType": "unavailable", "error": "rule manager not ready"}`))
	if err == nil || !strings.Contains(err.Error(), "rule manager not ready") {
		t.Errorf("an error response: %v", err)
	}
}

func selectorNames(c consumers.Consumer) []string {
	var out []string
	for _, q := range c.Queries {
		for _, s := range q.Selectors {
			out = append(out, s.Name)
		}
	}
	return out
}
