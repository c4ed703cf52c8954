package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers"
	cusage "github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// ruleFile writes a Prometheus rule file of one group into a fresh folder.
func ruleFile(t *testing.T, rules string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, []byte("groups:\n  - name: checkout\n    rules:\n"+rules), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func alert(name, expr string) string {
	return "      - alert: " + name + "\n        expr: " + expr + "\n"
}

// failedRequests is the demo's checkout duration with error.type on the
// failed requests only: one schema, error.type sometimes there.
func failedRequests() []*tallycatv1.Observation {
	ok := observation("http.server.request.duration", Histogram, false, "s", "http.request.method", "http.route")
	ok.DataPointCount = 9
	failed := observation("http.server.request.duration", Histogram, false, "s", "http.request.method", "http.route", "error.type")
	return []*tallycatv1.Observation{ok, failed}
}

// TestConsumersCheck: rule files against an in-process catalog, a case a
// line: what the user runs, the exit code, and what the output must say.
func TestConsumersCheck(t *testing.T) {
	duration := catalogWith(t, failedRequests()...)
	twoUnits := catalogWith(t, append(failedRequests(), observation("db.client.operation.duration", Histogram, false, "s", "db.system.name"))...)
	ambiguous := catalogWith(t,
		observation("http.server.request.duration", Histogram, false, "s"),
		observation("http_server_request_duration", Histogram, false, "s"))
	for _, tc := range []struct {
		name    string
		catalog string
		rules   string
		args    []string
		code    int
		want    []string
		notWant []string
	}{{
		name:    "a unit renamed: the rule reads milliseconds the catalog no longer has, and the key it meant is near",
		catalog: duration,
		rules:   alert("SlowCheckout", "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_milliseconds_bucket[5m]))) > 500"),
		code:    exitFindings,
		want: []string{`alert rule "SlowCheckout" in checkout`, "violation    consumer_missing_metric  no current schema sends http_server_request_duration_milliseconds_bucket; nearest: http.server.request.duration, sent as http_server_request_duration_seconds_bucket",
			"information  unused_metric  http.server.request.duration", "1 of 2 findings at or above violation"},
	}, {
		name:    "a rule that reads what is sent passes the default gate",
		catalog: duration,
		rules:   alert("Errors", `sum by (http_route) (rate(http_server_request_duration_seconds_count{http_request_method="POST"}[5m])) > 1`),
		code:    exitOK,
		want:    []string{"http.server.request.duration  1        http.request.method as http_request_method; http.route as http_route", "none at or above violation"},
		notWant: []string{"consumer_missing", "unused_metric"},
	}, {
		name:    "what no query reads is information, and fails when the gate says so",
		catalog: duration,
		rules:   alert("Errors", `sum by (http_route) (rate(http_server_request_duration_seconds_count[5m])) > 1`),
		args:    []string{"--fail-on", "information"},
		code:    exitFindings,
		want:    []string{"information  unused_attribute  http.server.request.duration  error.type", "information  unused_attribute  http.server.request.duration  http.request.method"},
	}, {
		name:    "a label nothing gives is a violation; one sent on some data points only an improvement",
		catalog: duration,
		rules:   alert("Errors", `sum by (error_type) (rate(http_server_request_duration_seconds_count{k8s_pod_name="x"}[5m])) > 1`),
		code:    exitFindings,
		want: []string{"violation    consumer_missing_attribute  filters on k8s_pod_name, which no attribute of http.server.request.duration gives",
			"improvement  consumer_missing_attribute  groups by error_type (error.type), which http.server.request.duration carries on 10 % of its data points only"},
	}, {
		name:    "improvements fail at --fail-on improvement, not at violation",
		catalog: duration,
		rules:   alert("Errors", `sum by (error_type) (rate(http_server_request_duration_seconds_count[5m])) > 1`),
		args:    []string{"--fail-on", "improvement"},
		code:    exitFindings,
		want:    []string{"1 of 3 findings at or above improvement"},
	}, {
		name:    "a query that does not parse is kept, counted and said, at improvement",
		catalog: twoUnits,
		rules:   alert("Broken", "sum(rate(http_server_request_duration_seconds_count[5m])"),
		code:    exitOK,
		want:    []string{"improvement  consumer_unparsed_query  does not parse", "1 query: 1 do not parse", "db.client.operation.duration"},
	}, {
		name:    "a name two keys share is said with both, and neither is unused",
		catalog: ambiguous,
		rules:   alert("Slow", "rate(http_server_request_duration_seconds_count[5m]) > 1"),
		code:    exitOK,
		want:    []string{"consumer_ambiguous_metric  http_server_request_duration_seconds_count is the name of 2 metrics once exported (http.server.request.duration, http_server_request_duration)", "2 read, 0 read by no consumer"},
		notWant: []string{"unused_metric"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"consumers", "check", "--catalog", tc.catalog, "--rules", ruleFile(t, tc.rules)}, tc.args...)
			code, out, errs := runCLI(args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tc.code, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("%q in\n%s", w, out)
				}
			}
		})
	}
}

// consumersJSON is the part of the JSON output a CI step reads.
type consumersJSON struct {
	Failed   int            `json:"failed"`
	Levels   map[string]int `json:"levels"`
	Findings []struct {
		ID       string `json:"finding_id"`
		Title    string `json:"title"`
		Level    string `json:"level"`
		Consumer *struct {
			Kind   string `json:"kind"`
			Title  string `json:"title"`
			Folder string `json:"folder"`
			Source string `json:"source"`
		} `json:"consumer"`
		Query *struct {
			Panel string `json:"panel"`
			Expr  string `json:"expr"`
			Line  int    `json:"line"`
		} `json:"query"`
		Metric string `json:"metric"`
		Key    string `json:"key"`
		Label  string `json:"label"`
		Near   []struct {
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"near"`
		Cost *struct {
			Series uint64 `json:"series_estimate"`
		} `json:"cost"`
	} `json:"findings"`
	Read []struct {
		Key        string `json:"key"`
		Attributes []struct {
			Attribute string   `json:"attribute"`
			Labels    []string `json:"labels"`
		} `json:"attributes"`
	} `json:"read"`
	Errors []string `json:"errors"`
}

func decode(t *testing.T, out string) consumersJSON {
	t.Helper()
	var doc consumersJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return doc
}

// TestConsumersCheckJSON: the JSON a CI step reads names, per finding, the
// consumer, the query as written with its line, the name read and the key
// it is near; and it is the same from one run to the next.
func TestConsumersCheckJSON(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	rules := ruleFile(t, alert("SlowCheckout", "rate(http_server_request_duration_milliseconds_count[5m]) > 1")+
		alert("Errors", `sum by (http_route) (rate(http_server_request_duration_seconds_count[5m])) > 1`))
	code, out, _ := runCLI("consumers", "check", "--catalog", url, "--rules", rules, "--format", "json")
	doc := decode(t, out)
	if code != exitFindings || doc.Failed != 1 || doc.Levels["violation"] != 1 || doc.Levels["information"] != 2 || len(doc.Errors) != 0 {
		t.Fatalf("exit %d, %+v", code, doc)
	}
	f := doc.Findings[0]
	if f.ID != "consumer_missing_metric" || f.Level != "violation" || f.Title == "" || f.Consumer == nil || f.Consumer.Kind != "alert_rule" ||
		f.Consumer.Title != "SlowCheckout" || f.Consumer.Folder != "checkout" || f.Consumer.Source != rules || f.Query == nil ||
		f.Query.Expr != "rate(http_server_request_duration_milliseconds_count[5m]) > 1" || f.Query.Line != 5 ||
		f.Metric != "http_server_request_duration_milliseconds_count" || len(f.Near) != 1 || f.Near[0].Name != "http_server_request_duration_seconds_count" {
		t.Errorf("the missing metric: %+v", f)
	}
	for _, f := range doc.Findings[1:] {
		if f.ID != "unused_attribute" || f.Key != "http.server.request.duration" || f.Cost == nil || f.Consumer != nil {
			t.Errorf("%+v", f)
		}
	}
	if len(doc.Read) != 1 || doc.Read[0].Key != "http.server.request.duration" || len(doc.Read[0].Attributes) != 1 || doc.Read[0].Attributes[0].Attribute != "http.route" {
		t.Errorf("read %+v", doc.Read)
	}
	if _, again, _ := runCLI("consumers", "check", "--catalog", url, "--rules", rules, "--format", "json"); again != out {
		t.Errorf("two runs differ:\n%s\n%s", out, again)
	}
}

// TestConsumersCheckSources: Grafana's API with its token, Prometheus'
// /api/v1/rules, and what is trouble (exit 2): no source, an unreadable
// document (the rest is still checked and printed), a Grafana refusing
// the token, an unreachable catalog. A token that may not read alert
// rules is said, and the dashboards are checked all the same.
func TestConsumersCheckSources(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	grafana := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer glsa_ci" {
			http.Error(w, `{"message": "Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/search":
			w.Write([]byte(`[{"uid": "checkout", "folderTitle": "Shop"}]`))
		case "/api/dashboards/uid/checkout":
			w.Write([]byte(`{"dashboard": {"title": "Checkout", "panels": [{"title": "Latency", "type": "timeseries",
				"datasource": {"type": "prometheus", "uid": "prom"},
				"targets": [{"refId": "A", "expr": "histogram_quantile(0.9, sum by (le, http_route) (rate(http_server_request_duration_milliseconds_bucket[$__rate_interval])))"}]}]}}`))
		case "/api/v1/provisioning/alert-rules":
			http.Error(w, `{"message": "permissions needed: alert.provisioning:read"}`, http.StatusForbidden)
		default:
			http.NotFound(w, r)
		}
	}))
	defer grafana.Close()
	b, err := os.ReadFile("../../internal/consumers/testdata/prometheus/api-v1-rules.json")
	if err != nil {
		t.Fatal(err)
	}
	prometheus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/rules" {
			w.Write(b)
		}
	}))
	defer prometheus.Close()

	t.Setenv("TALLYCAT_GRAFANA_TOKEN", "glsa_ci")
	code, out, errs := runCLI("consumers", "check", "--catalog", url, "--grafana-url", grafana.URL)
	if code != exitFindings || !strings.Contains(out, `dashboard "Checkout" in Shop · `+grafana.URL+"/d/checkout") ||
		!strings.Contains(out, `"Latency" A`) || !strings.Contains(out, "sent as http_server_request_duration_seconds_bucket") ||
		!strings.Contains(errs, "alert rules were not read (403 Forbidden)") {
		t.Errorf("grafana: exit %d\n%s\nstderr %s", code, out, errs)
	}

	code, out, _ = runCLI("consumers", "check", "--catalog", url, "--prometheus-url", prometheus.URL)
	if code != exitFindings || !strings.Contains(out, `alert rule "OpentelemetryCollectorExporterQueueNearlyFull" in EmbeddedExporter · /tmp/promrun/opentelemetry-collector.yml`) ||
		!strings.Contains(out, "no current schema sends node_cpu_seconds_total") {
		t.Errorf("prometheus: exit %d\n%s", code, out)
	}

	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte(`{"panels": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := ruleFile(t, alert("Slow", "rate(http_server_request_duration_milliseconds_count[5m]) > 1"))
	for _, tc := range []struct {
		name   string
		args   []string
		stdout string
		stderr string
	}{
		{"no source", []string{"--catalog", url}, "", "nothing to check"},
		{"a document that does not parse", []string{"--catalog", url, "--rules", rules, "--dashboards", broken}, "consumer_missing_metric", "broken.json"},
		{"a wrong Grafana URL", []string{"--catalog", url, "--grafana-url", grafana.URL + "/nope"}, "", "404"},
		{"an unreachable catalog", []string{"--catalog", "http://" + testenv.FreeAddr(t), "--rules", rules}, "", "cannot be reached"},
		{"a wrong level", []string{"--catalog", url, "--rules", rules, "--fail-on", "sometimes"}, "", "--fail-on"},
	} {
		code, out, errs := runCLI(append([]string{"consumers", "check"}, tc.args...)...)
		if code != exitTrouble || !strings.Contains(out, tc.stdout) || !strings.Contains(errs, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %.300s, stderr %q", tc.name, code, out, errs)
		}
	}
	t.Setenv("TALLYCAT_GRAFANA_TOKEN", "wrong")
	if code, _, errs := runCLI("consumers", "check", "--catalog", url, "--grafana-url", grafana.URL); code != exitTrouble || !strings.Contains(errs, "401") {
		t.Errorf("a wrong Grafana token: exit %d, %s", code, errs)
	}
}

// TestConsumersCheckReadsTheSchemasItNeeds: of a catalog of 40 metrics, a
// rule on one costs the schemas of that one; a label read off target_info
// that the metrics read do not carry costs every key's schemas before it
// is called missing, and is not when an unread metric's resource carries
// it.
func TestConsumersCheckReadsTheSchemasItNeeds(t *testing.T) {
	var obs []*tallycatv1.Observation
	for i := range 40 {
		o := observation(fmt.Sprintf("shop.queue.m%02d", i), Gauge, false, "{item}", "queue")
		if i == 39 {
			o.ResourceAttributes = []*tallycatv1.AttributeKey{{Name: "k8s.pod.name", ValueType: String}}
		}
		obs = append(obs, o)
	}
	url := catalogWith(t, obs...)
	for _, tc := range []struct {
		expr    string
		calls   int
		missing string
	}{
		{`sum by (queue) (shop_queue_m01) > 1`, 1, ""},
		{`shop_queue_m01 * on (job) group_left (k8s_pod_name) target_info > 1`, 40, ""},
		{`shop_queue_m01 * on (job) group_left (k8s_node_name) target_info > 1`, 40, "k8s_node_name"},
	} {
		cs, err := consumers.ReadDocument("rules.yml", []byte("groups:\n  - name: g\n    rules:\n"+alert("A", tc.expr)), consumers.Options{})
		if err != nil {
			t.Fatal(err)
		}
		report, calls, err := judge(context.Background(), url, cs, cusage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, f := range report.Findings {
			if f.ID == cusage.ConsumerMissingAttribute {
				missing = append(missing, f.Label)
			}
		}
		if calls != tc.calls || strings.Join(missing, ",") != tc.missing || report.Stats.Metrics != 40 || report.Stats.UsedMetrics != 1 {
			t.Errorf("%s: %d keys' schemas read, want %d; missing %v, want %q; stats %+v", tc.expr, calls, tc.calls, missing, tc.missing, report.Stats)
		}
	}
}

// testdata is the consumers package's: dashboards and rules other
// projects wrote.
const testdata = "../../internal/consumers/testdata"

// copyInto copies testdata files into dir and returns how many consumers
// each holds, by its name in dir.
func copyInto(t *testing.T, dir string, files ...string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(testdata, f))
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
		set := consumers.ReadPath(to, consumers.Options{})
		if len(set.Errors) > 0 || len(set.Consumers) == 0 {
			t.Fatalf("%s: %v, %d consumers", f, set.Errors, len(set.Consumers))
		}
		counts[filepath.Base(f)] = len(set.Consumers)
	}
	return counts
}

// storedConsumers lists the catalog's consumers as "origin source title".
func storedConsumers(t *testing.T, url string) []string {
	t.Helper()
	res, err := consumerClient(url).ListConsumers(context.Background(), &tallycatv1.ListConsumersRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range res.Consumers {
		out = append(out, c.Origin+" "+c.Source+" "+c.Title)
	}
	return out
}

// fromSource counts the listed consumers of one source.
func fromSource(list []string, origin, source string) int {
	n := 0
	for _, c := range list {
		if strings.HasPrefix(c, origin+" "+source+" ") {
			n++
		}
	}
	return n
}

// TestConsumersSync: a folder of Grafana, Prometheus and Perses files is
// synced and listed; synced again it is unchanged; a file removed is
// removed; a file that does not parse is trouble (exit 2) while the rest
// is synced and its stored consumers are kept.
func TestConsumersSync(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	dir := t.TempDir()
	counts := copyInto(t, dir, "grafana/provisioning/dashboards/demo/linux-dashboard.json", "prometheus/opentelemetry-collector.yml",
		"perses/opentelemetry-collector.yaml")
	total := counts["linux-dashboard.json"] + counts["opentelemetry-collector.yml"] + counts["opentelemetry-collector.yaml"]
	origin := "files:" + dir
	sync := func(wantCode int, want ...string) {
		t.Helper()
		code, out, errs := runCLI("consumers", "sync", "--catalog", url, "--dashboards", dir+"/")
		if code != wantCode {
			t.Errorf("exit %d, want %d\n%s\nstderr %s", code, wantCode, out, errs)
		}
		for _, w := range want {
			if !strings.Contains(out+errs, w) {
				t.Errorf("no %q in\n%s\nstderr %s", w, out, errs)
			}
		}
	}

	sync(exitOK, fmt.Sprintf("%s: %d consumers: added %d, updated 0, removed 0, unchanged 0, kept 0", origin, total, total))
	list := storedConsumers(t, url)
	if len(list) != total || fromSource(list, origin, filepath.Join(dir, "linux-dashboard.json")) != 1 ||
		fromSource(list, origin, filepath.Join(dir, "opentelemetry-collector.yml")) != counts["opentelemetry-collector.yml"] {
		t.Errorf("listed after the first sync:\n%s", strings.Join(list, "\n"))
	}
	sync(exitOK, fmt.Sprintf("added 0, updated 0, removed 0, unchanged %d, kept 0", total))

	if err := os.Remove(filepath.Join(dir, "opentelemetry-collector.yaml")); err != nil {
		t.Fatal(err)
	}
	total--
	sync(exitOK, fmt.Sprintf("%s: %d consumers: added 0, updated 0, removed 1, unchanged %d", origin, total, total))

	// The rules stop parsing and the Perses dashboard comes back: the
	// dashboard is synced, the rules kept, and the step fails.
	rules := filepath.Join(dir, "opentelemetry-collector.yml")
	if err := os.WriteFile(rules, []byte("groups:\n  - name: broken\n    rules:\n      - expr: up\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyInto(t, dir, "perses/opentelemetry-collector.yaml")
	sync(exitTrouble, fmt.Sprintf("added 1, updated 0, removed 0, unchanged 1, kept %d", counts["opentelemetry-collector.yml"]),
		"opentelemetry-collector.yml", "their stored consumers were kept")
	if list := storedConsumers(t, url); len(list) != total+1 || fromSource(list, origin, rules) != counts["opentelemetry-collector.yml"] {
		t.Errorf("listed after a file stopped parsing:\n%s", strings.Join(list, "\n"))
	}

	if code, _, errs := runCLI("consumers", "sync", "--catalog", url); code != exitTrouble || !strings.Contains(errs, "nothing to sync") {
		t.Errorf("no source: exit %d, %s", code, errs)
	}
}

// TestConsumersSyncKeepsWhatItCannotRead: an API that was synced and is
// then down is not synced at all (exit 2): its consumers stay listed; a
// folder that is gone likewise.
func TestConsumersSyncKeepsWhatItCannotRead(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	b, err := os.ReadFile(filepath.Join(testdata, "prometheus/api-v1-rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	prometheus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/rules" {
			w.Write(b)
		}
	}))
	dir := t.TempDir()
	copyInto(t, dir, "grafana/provisioning/dashboards/demo/linux-dashboard.json")
	code, out, errs := runCLI("consumers", "sync", "--catalog", url, "--prometheus-url", prometheus.URL, "--dashboards", dir)
	before := storedConsumers(t, url)
	if code != exitOK || len(before) < 2 || fromSource(before, "prometheus:"+prometheus.URL, "/tmp/promrun/opentelemetry-collector.yml") == 0 {
		t.Fatalf("exit %d\n%s\nstderr %s\nlisted:\n%s", code, out, errs, strings.Join(before, "\n"))
	}

	prometheus.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI("consumers", "sync", "--catalog", url, "--prometheus-url", prometheus.URL, "--dashboards", dir)
	if code != exitTrouble || !strings.Contains(out, "prometheus:"+prometheus.URL+": not synced") || !strings.Contains(out, "files:"+dir+": not synced") ||
		!strings.Contains(errs, "reading Prometheus' rules at "+prometheus.URL) {
		t.Errorf("exit %d\n%s\nstderr %s", code, out, errs)
	}
	if after := storedConsumers(t, url); len(after) != len(before) {
		t.Errorf("%d consumers listed after a sync that could not read, want the %d before", len(after), len(before))
	}
}

// TestConsumersCheckStored: without sources, `consumers check` prints the
// findings the catalog keeps on what was synced, with the output and exit
// codes of a check of the files themselves.
func TestConsumersCheckStored(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	rules := ruleFile(t, alert("SlowCheckout", "rate(http_server_request_duration_milliseconds_count[5m]) > 1")+
		alert("Errors", `sum by (http_route) (rate(http_server_request_duration_seconds_count[5m])) > 1`))
	if code, out, errs := runCLI("consumers", "sync", "--catalog", url, "--rules", rules); code != exitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := runCLI("consumers", "check", "--catalog", url)
	for _, w := range []string{`alert rule "SlowCheckout" in checkout · ` + rules, "rate(http_server_request_duration_milliseconds_count[5m]) > 1",
		"violation    consumer_missing_metric  no current schema sends http_server_request_duration_milliseconds_count; nearest: http.server.request.duration, sent as http_server_request_duration_seconds_count",
		"information  unused_attribute  http.server.request.duration  error.type", "2 consumers, 2 queries", "1 of 3 findings at or above violation"} {
		if !strings.Contains(out, w) {
			t.Errorf("no %q in\n%s\nstderr %s", w, out, errs)
		}
	}
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	if code, _, _ := runCLI("consumers", "check", "--catalog", url, "--fail-on", "none"); code != exitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}

	code, out, _ = runCLI("consumers", "check", "--catalog", url, "--format", "json")
	doc := decode(t, out)
	if code != exitFindings || doc.Failed != 1 || doc.Levels["violation"] != 1 || doc.Levels["information"] != 2 || len(doc.Findings) != 3 {
		t.Fatalf("json: exit %d, %+v", code, doc)
	}
	if f := doc.Findings[0]; f.ID != "consumer_missing_metric" || f.Consumer == nil || f.Consumer.Source != rules || f.Consumer.Title != "SlowCheckout" ||
		f.Query == nil || f.Query.Line != 5 || len(f.Near) != 1 || f.Near[0].Name != "http_server_request_duration_seconds_count" {
		t.Errorf("json: the missing metric: %+v", f)
	}
}

// TestConsumersSyncARealPrometheus is issue 22's "done when" for the
// sync: Debian's Prometheus serves a rule file, `consumers sync
// --prometheus-url` reads its /api/v1/rules, and ListConsumers lists each
// rule under the Prometheus' origin and the file it names.
func TestConsumersSyncARealPrometheus(t *testing.T) {
	const binary = "/usr/bin/prometheus"
	if _, err := os.Stat(binary); err != nil {
		t.Fatalf("Debian's prometheus package is not installed (%v): run `make deps`, which installs it", err)
	}
	dir := t.TempDir()
	counts := copyInto(t, dir, "prometheus/opentelemetry-collector.yml")
	rules := filepath.Join(dir, "opentelemetry-collector.yml")
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte("global:\n  evaluation_interval: 1m\nrule_files:\n  - "+rules+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	prom := exec.Command(binary, "--config.file", config, "--storage.tsdb.path", filepath.Join(dir, "data"), "--web.listen-address", addr)
	var log bytes.Buffer
	prom.Stdout, prom.Stderr = &log, &log
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		prom.Process.Kill()
		prom.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", log.String())
		}
	})
	testenv.Eventually(t, 30*time.Second, "Prometheus serves its rules", func() error {
		resp, err := http.Get("http://" + addr + "/api/v1/rules")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct {
			Data struct {
				Groups []json.RawMessage `json:"groups"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if len(body.Data.Groups) != 1 {
			return fmt.Errorf("%d groups", len(body.Data.Groups))
		}
		return nil
	})

	url := catalogWith(t, failedRequests()...)
	origin := "prometheus:http://" + addr
	n := counts["opentelemetry-collector.yml"]
	code, out, errs := runCLI("consumers", "sync", "--catalog", url, "--prometheus-url", "http://"+addr)
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("%s: %d consumers: added %d", origin, n, n)) {
		t.Fatalf("exit %d\n%s\nstderr %s", code, out, errs)
	}
	list := storedConsumers(t, url)
	if len(list) != n || fromSource(list, origin, rules) != n || !slices.Contains(list, origin+" "+rules+" OpentelemetryCollectorExporterQueueNearlyFull") {
		t.Errorf("listed:\n%s", strings.Join(list, "\n"))
	}
}
