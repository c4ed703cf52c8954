package inprocess

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/testenv"
)

// The consumers in internal/consumers/testdata: dashboards and rules other
// projects wrote for the Prometheus names of OpenTelemetry metrics.
const consumersTestdata = "../../internal/consumers/testdata"

// tallycatCLI is the tallycat command (see testenv.Binaries): `consumers
// check` is run as users and CI run it, flags, output and exit code.
func tallycatCLI(t *testing.T) string {
	t.Helper()
	dir, cleanup, err := testenv.Binaries("../..", "./cmd/tallycat")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return filepath.Join(dir, "tallycat")
}

// hostmetricsCatalog is a catalog fed, through the in-process ingest's
// OTLP/HTTP endpoint, the two requests a Collector's hostmetrics receiver
// really sent (protobuf and JSON; services/ingest/testdata holds copies of
// the shared fixtures): 15 metrics, a resource with no attributes.
func hostmetricsCatalog(t *testing.T) *catalogProc {
	t.Helper()
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	for _, f := range []struct{ file, contentType string }{
		{"collector-hostmetrics.pb", "application/x-protobuf"},
		{"collector-hostmetrics.json", "application/json"},
	} {
		body, err := os.ReadFile(filepath.Join("../../services/ingest/testdata", f.file))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post("http://"+ing.httpAddr+"/v1/metrics", f.contentType, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", f.file, resp.Status)
		}
	}
	testenv.Eventually(t, 20*time.Second, "the catalog holds the 15 host metrics", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		res, err := cat.client().ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 100})
		if err != nil {
			return err
		}
		if res.TotalSize != 15 {
			return fmt.Errorf("%d keys", res.TotalSize)
		}
		return nil
	})
	return cat
}

// checkOutput is what the tests read of `consumers check --format json`.
type checkOutput struct {
	Failed   int `json:"failed"`
	Findings []struct {
		ID       string `json:"finding_id"`
		Level    string `json:"level"`
		Consumer *struct {
			Kind, Title, Folder, Source string
		} `json:"consumer"`
		Query *struct {
			Panel string `json:"panel"`
		} `json:"query"`
		Metric string `json:"metric"`
		Key    string `json:"key"`
		Label  string `json:"label"`
		Cost   *struct {
			Series uint64 `json:"series_estimate"`
		} `json:"cost"`
	} `json:"findings"`
	Read []struct {
		Key        string `json:"key"`
		Attributes []struct {
			Attribute string   `json:"attribute"`
			Source    string   `json:"source"`
			Labels    []string `json:"labels"`
		} `json:"attributes"`
	} `json:"read"`
	Stats struct {
		Consumers, Queries, Unparsed int
	} `json:"stats"`
}

func runCheck(t *testing.T, bin string, args ...string) (int, checkOutput, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"consumers", "check", "--format", "json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var out checkOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("exit %d, %v\nstdout %s\nstderr %s", code, err, stdout.String(), stderr.String())
	}
	return code, out, stderr.String()
}

// readAttributes lists a read key's attributes as "attribute<-label" rows.
func (o checkOutput) readAttributes(key string) []string {
	var out []string
	for _, r := range o.Read {
		if r.Key == key {
			for _, a := range r.Attributes {
				out = append(out, a.Attribute+"<-"+strings.Join(a.Labels, ","))
			}
		}
	}
	return out
}

func (o checkOutput) keys(id string) []string {
	var out []string
	for _, f := range o.Findings {
		if f.ID == id && !slices.Contains(out, f.Key) {
			out = append(out, f.Key)
		}
	}
	return out
}

// TestConsumersAgainstRealHostmetrics is issue 22's first "done when": the
// OpenTelemetry demo's Grafana provisioning folder (its Collector, host,
// APM and spanmetrics dashboards and its alert rules) and Perses'
// community dashboards, read against a catalog fed what a real Collector's
// hostmetrics receiver sent. The host dashboard's metrics and labels are
// matched to their keys and attributes; its panels on metrics this
// Collector does not send (CPU utilization, filesystems, disks, uptime)
// are consumer_missing_metric; the host metrics no panel reads are
// unused_metric, dearest first; and the gate fails.
func TestConsumersAgainstRealHostmetrics(t *testing.T) {
	cat := hostmetricsCatalog(t)
	bin := tallycatCLI(t)
	code, out, stderr := runCheck(t, bin, "--catalog", cat.url(),
		"--dashboards", consumersTestdata+"/grafana/provisioning", "--dashboards", consumersTestdata+"/perses")
	if code != 1 || out.Failed == 0 || out.Stats.Unparsed != 0 || out.Stats.Consumers < 10 {
		t.Fatalf("exit %d, %d failed, stats %+v; stderr %s", code, out.Failed, out.Stats, stderr)
	}

	var read []string
	for _, r := range out.Read {
		read = append(read, r.Key)
	}
	want := []string{"system.cpu.load_average.15m", "system.cpu.load_average.5m", "system.cpu.logical.count", "system.cpu.time",
		"system.memory.usage", "system.network.dropped", "system.network.errors", "system.network.io"}
	if !slices.Equal(read, want) {
		t.Errorf("read\n%v\nwant\n%v", read, want)
	}
	if got := out.readAttributes("system.network.io"); !slices.Equal(got, []string{"device<-device", "direction<-direction"}) {
		t.Errorf("system.network.io's attributes read: %v", got)
	}
	if got := out.readAttributes("system.cpu.time"); !slices.Equal(got, []string{"state<-state"}) {
		t.Errorf("system.cpu.time's attributes read: %v", got)
	}

	missing := map[string]bool{}
	for _, f := range out.Findings {
		if f.ID != "consumer_missing_metric" {
			continue
		}
		if f.Level != "violation" || f.Consumer == nil || f.Query == nil {
			t.Errorf("%+v", f)
			continue
		}
		missing[f.Consumer.Title+" / "+f.Query.Panel+": "+f.Metric] = true
	}
	for _, m := range []string{
		"Linux / overview【 $host_name】 / CPU Busy: system_cpu_utilization_ratio",
		"Linux / Basic / I/O Usage Read / Write: system_disk_io_bytes_total",
		"Linux / overview【 $host_name】 / Uptime: system_uptime_seconds",
		"OpenTelemetry Collector / Receivers / Span Rate: otelcol_receiver_accepted_spans_total",
		// A variable that lists the receivers by a name pattern matches none.
		"OpenTelemetry Collector / variable receiver: {__name__=~'otelcol_receiver_.+', job='$job'}",
	} {
		if !missing[m] {
			t.Errorf("no consumer_missing_metric %q", m)
		}
	}
	var attrs []string
	for _, f := range out.Findings {
		if f.ID == "consumer_missing_attribute" && f.Key == "system.cpu.time" && !slices.Contains(attrs, f.Label) {
			attrs = append(attrs, f.Label)
		}
	}
	slices.Sort(attrs)
	// The host dashboard filters on resource attributes this Collector,
	// without a resourcedetection processor, does not send, and on a typo;
	// the APM dashboard matches the host's CPU to a service's instance.
	if !slices.Equal(attrs, []string{"host_name", "k8s_cluster_name", "k8s_node_name", "kk8s_cluster_name", "service_instance_id"}) {
		t.Errorf("system.cpu.time's missing labels: %v", attrs)
	}

	unused := out.keys("unused_metric")
	wantUnused := []string{"system.cpu.load_average.1m", "system.network.connections", "system.network.packets",
		"system.paging.faults", "system.paging.operations", "system.processes.count", "system.processes.created"}
	sorted := slices.Sorted(slices.Values(unused))
	if !slices.Equal(sorted, wantUnused) || unused[0] != "system.network.connections" {
		t.Errorf("unused, dearest first: %v", unused)
	}
	var last uint64 = 1 << 62
	for _, f := range out.Findings {
		if f.ID == "unused_metric" {
			if f.Cost == nil || f.Cost.Series == 0 || f.Cost.Series > last {
				t.Errorf("unused %s out of its cost's order or without one: %+v", f.Key, f.Cost)
			} else {
				last = f.Cost.Series
			}
		}
	}
}

// TestConsumersReadARealPrometheus is issue 22's second "done when":
// Debian's Prometheus serves a rule file of testdata (the Collector's
// alerts, which read none of the host metrics) and one written here (on
// them), and `--prometheus-url` reads them through /api/v1/rules, each
// rule under the file Prometheus names, judged as the same files read
// with `--rules` are.
func TestConsumersReadARealPrometheus(t *testing.T) {
	const binary = "/usr/bin/prometheus"
	if _, err := os.Stat(binary); err != nil {
		t.Fatalf("Debian's prometheus package is not installed (%v): run `make deps`, which installs it", err)
	}
	dir := t.TempDir()
	rules, err := os.ReadFile(consumersTestdata + "/prometheus/opentelemetry-collector.yml")
	if err != nil {
		t.Fatal(err)
	}
	collectorRules, hostRules := filepath.Join(dir, "opentelemetry-collector.yml"), filepath.Join(dir, "host.yml")
	files := map[string]string{
		collectorRules: string(rules),
		hostRules: `groups:
  - name: host
    rules:
      - record: host:network_receive_bytes:rate5m
        expr: sum by (device) (rate(system_network_io_bytes_total{direction="receive"}[5m]))
      - alert: HostLoad
        expr: system_cpu_load_average_15m{host_name!=""} > 4
`,
		filepath.Join(dir, "prometheus.yml"): fmt.Sprintf("global:\n  evaluation_interval: 1m\nrule_files:\n  - %s\n  - %s\n", collectorRules, hostRules),
	}
	for path, body := range files {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addr := testenv.FreeAddr(t)
	prom := exec.Command(binary, "--config.file", filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path", filepath.Join(dir, "data"), "--web.listen-address", addr)
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
		if len(body.Data.Groups) != 2 {
			return fmt.Errorf("%d groups", len(body.Data.Groups))
		}
		return nil
	})

	cat := hostmetricsCatalog(t)
	bin := tallycatCLI(t)
	code, api, stderr := runCheck(t, bin, "--catalog", cat.url(), "--prometheus-url", "http://"+addr)
	if code != 1 || api.Stats.Consumers != 14 || api.Stats.Unparsed != 0 {
		t.Fatalf("exit %d, stats %+v; stderr %s", code, api.Stats, stderr)
	}
	_, files2, _ := runCheck(t, bin, "--catalog", cat.url(), "--rules", collectorRules, "--rules", hostRules)

	// Each finding as "id rule group source metric key label": what the API
	// and the files say must be the same, Prometheus' reprinted
	// expressions and all.
	rows := func(o checkOutput) []string {
		var out []string
		for _, f := range o.Findings {
			row := f.ID + " " + f.Key + " " + f.Metric + " " + f.Label
			if f.Consumer != nil {
				row += " " + f.Consumer.Kind + " " + f.Consumer.Folder + "/" + f.Consumer.Title + " " + f.Consumer.Source
			}
			out = append(out, row)
		}
		slices.Sort(out)
		return out
	}
	if got, want := rows(api), rows(files2); !slices.Equal(got, want) {
		t.Errorf("through --prometheus-url\n%s\nfrom the files\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	found := false
	for _, f := range api.Findings {
		if f.ID == "consumer_missing_metric" && f.Metric == "otelcol_exporter_queue_size" && f.Consumer.Title == "OpentelemetryCollectorExporterQueueNearlyFull" &&
			f.Consumer.Folder == "EmbeddedExporter" && f.Consumer.Source == collectorRules {
			found = true
		}
		if f.Consumer != nil && f.Consumer.Folder == "host" && f.ID != "consumer_missing_attribute" {
			t.Errorf("the host rules read what is sent: %+v", f)
		}
	}
	if !found {
		t.Errorf("the queue alert's missing metric is not named with its rule, group and file")
	}
	if got := api.readAttributes("system.network.io"); !slices.Equal(got, []string{"device<-device", "direction<-direction"}) {
		t.Errorf("system.network.io's attributes read through Prometheus: %v", got)
	}
	if got := api.keys("consumer_missing_attribute"); !slices.Equal(got, []string{"system.cpu.load_average.15m"}) {
		t.Errorf("host_name, which this Collector does not send, is missing on the load only: %v", got)
	}
}
