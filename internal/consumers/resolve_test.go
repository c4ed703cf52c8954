package consumers_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// usage is what a set of consumers reads of an index: the keys used, the
// names no key gives (what consumer_missing_metric will say), and, per
// key and label, whether the label was found.
type usage struct {
	used    map[string]bool
	missing map[string][]string // name -> near keys
	labels  map[string]map[string]promnames.LabelMatch
}

func read(t *testing.T, ix *promnames.Index, cs []consumers.Consumer) usage {
	t.Helper()
	u := usage{used: map[string]bool{}, missing: map[string][]string{}, labels: map[string]map[string]promnames.LabelMatch{}}
	for _, c := range cs {
		if c.Broken() != 0 {
			t.Fatalf("%s: %d queries do not parse", c.Title, c.Broken())
		}
		for _, q := range c.Queries {
			for _, s := range q.Selectors {
				r := ix.ResolveSelector(s)
				if !r.Found() && !r.Pattern {
					u.missing[s.Name] = r.Near
				}
				for _, m := range r.Matches {
					if !m.TargetInfo {
						u.used[m.Key] = true
					}
					if u.labels[m.Key] == nil {
						u.labels[m.Key] = map[string]promnames.LabelMatch{}
					}
					for _, l := range m.Labels {
						u.labels[m.Key][l.Label] = l
					}
				}
			}
		}
	}
	return u
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func readFiles(t *testing.T, paths ...string) []consumers.Consumer {
	t.Helper()
	var out []consumers.Consumer
	for _, p := range paths {
		set := consumers.ReadPath(p, consumers.Options{})
		if err := set.Err(); err != nil {
			t.Fatal(err)
		}
		out = append(out, set.Consumers...)
	}
	return out
}

// The demo's host dashboard read against what the hostmetrics receiver
// really sent: the metrics it reads that are sent, those it reads that
// are not (scrapers the capture did not run, metrics off by default), and
// those sent that it does not read.
func TestHostDashboardAgainstHostmetrics(t *testing.T) {
	sent := hostmetrics(t)
	ix := promnames.New(sent, promnames.Options{})
	u := read(t, ix, readFiles(t, demo+"/dashboards/demo/linux-dashboard.json"))

	used := []string{
		"system.cpu.load_average.15m", "system.cpu.load_average.5m", "system.cpu.logical.count", "system.cpu.time",
		"system.memory.usage", "system.network.dropped", "system.network.errors", "system.network.io",
	}
	if got := keys(u.used); !slices.Equal(got, used) {
		t.Errorf("used\n%v\nwant\n%v", got, used)
	}
	missing := []string{
		"otelcol_process_uptime", "otelcol_process_uptime_seconds_total", // the Collector's own, not host metrics
		"system_cpu_utilization_ratio", "system_disk_io_bytes_total", "system_filesystem_usage_bytes",
		"system_memory_limit_bytes", "system_memory_utilization_ratio", "system_paging_usage_bytes", "system_uptime_seconds",
	}
	if got := keys(u.missing); !slices.Equal(got, missing) {
		t.Errorf("missing\n%v\nwant\n%v", got, missing)
	}
	var unused []string
	for _, m := range sent {
		if !u.used[m.Key] {
			unused = append(unused, m.Key)
		}
	}
	sort.Strings(unused)
	want := []string{"system.cpu.load_average.1m", "system.network.connections", "system.network.packets",
		"system.paging.faults", "system.paging.operations", "system.processes.count", "system.processes.created"}
	if !slices.Equal(unused, want) {
		t.Errorf("unused\n%v\nwant\n%v", unused, want)
	}

	cpu := u.labels["system.cpu.time"]
	if l := cpu["state"]; len(l.Attributes) != 1 || l.Attributes[0] != (promnames.AttributeMatch{Key: "state", Source: promnames.DataPoint, Via: promnames.ViaLabel}) {
		t.Errorf("state: %+v", l)
	}
	// The capture's resource is empty: the dashboard's host filter finds
	// nothing, and neither does the typo one of its panels carries.
	for _, l := range []string{"host_name", "k8s_cluster_name", "kk8s_cluster_name"} {
		if !cpu[l].Missing() {
			t.Errorf("%s: %+v", l, cpu[l])
		}
	}

	// With the resource attributes a resourcedetection processor adds,
	// promoted to labels, host_name is host.name.
	for i := range sent {
		sent[i].Attributes = append(sent[i].Attributes, promnames.Attribute{Key: "host.name", Source: promnames.Resource})
	}
	u = read(t, promnames.New(sent, promnames.Options{}), readFiles(t, demo+"/dashboards/demo/linux-dashboard.json"))
	if l := u.labels["system.cpu.time"]["host_name"]; l.Missing() || l.Attributes[0].Via != promnames.ViaPromoted || l.Attributes[0].Key != "host.name" {
		t.Errorf("promoted host_name: %+v", l)
	}
}

// The Collector's own telemetry, as its components declare it, read by
// the demo's Collector dashboard and alert rules, a Perses dashboard and
// Prometheus rules written without the _total suffix.
func TestCollectorConsumersAgainstCollectorTelemetry(t *testing.T) {
	ix := promnames.New(collectorTelemetry(t), promnames.Options{})
	u := read(t, ix, readFiles(t,
		demo+"/dashboards/demo/opentelemetry-collector.json",
		demo+"/alerting/opentelemetry-collector-rules.yaml",
		"testdata/perses/opentelemetry-collector.yaml",
		"testdata/prometheus/opentelemetry-collector.yml"))

	// What is read and not declared: the batch processor's own metrics
	// (it declares them itself; the helpers do not), the processors'
	// refused counts the Collector no longer has, which the Prometheus
	// rules still alert on, and `up` (Prometheus' own, of a scrape).
	missing := []string{
		"otelcol_processor_batch_batch_send_size_bucket", "otelcol_processor_batch_batch_send_size_count",
		"otelcol_processor_batch_batch_send_size_sum", "otelcol_processor_batch_batch_size_trigger_send_total",
		"otelcol_processor_batch_timeout_trigger_send_total",
		"otelcol_processor_refused_metric_points", "otelcol_processor_refused_spans", "up",
	}
	got := keys(u.missing)
	if !slices.Equal(got, missing) {
		t.Errorf("missing\n%v\nwant\n%v", got, missing)
	}
	for _, key := range []string{"otelcol_receiver_accepted_spans", "otelcol_receiver_refused_spans", "otelcol_exporter_sent_spans",
		"otelcol_exporter_queue_size", "otelcol_process_uptime", "otelcol_processor_incoming_items"} {
		if !u.used[key] {
			t.Errorf("%s is not used", key)
		}
	}
	rec := u.labels["otelcol_receiver_accepted_spans"]
	if l := rec["receiver"]; l.Missing() || l.Attributes[0].Source != promnames.DataPoint {
		t.Errorf("receiver: %+v", l)
	}
	if l := rec["service_name"]; l.Missing() || l.Attributes[0] != (promnames.AttributeMatch{Key: "service.name", Source: promnames.Resource, Via: promnames.ViaPromoted}) {
		t.Errorf("service_name: %+v", l)
	}
	// The dashboard filters on resource attributes this Collector does
	// not send: consumer_missing_attribute's material.
	if !rec["k8s_cluster_name"].Missing() || !rec["deployment_environment_name"].Missing() {
		t.Errorf("k8s_cluster_name %+v deployment_environment_name %+v", rec["k8s_cluster_name"], rec["deployment_environment_name"])
	}
	if l := u.labels["otelcol_processor_incoming_items"]["otel_signal"]; l.Missing() || l.Attributes[0].Key != "otel.signal" {
		t.Errorf("otel_signal: %+v", l)
	}
}

// The rules written without `_total` resolve through the strategy that
// adds no suffix, and say so.
func TestSuffixlessRuleNames(t *testing.T) {
	ix := promnames.New(collectorTelemetry(t), promnames.Options{})
	r := ix.Resolve("otelcol_receiver_refused_spans")
	if !slices.Equal(r.Keys, []string{"otelcol_receiver_refused_spans"}) {
		t.Fatalf("%+v", r)
	}
	var schemes []string
	for _, s := range r.Candidates[0].Schemes {
		schemes = append(schemes, s.String())
	}
	if !slices.Equal(schemes, []string{"UnderscoreEscapingWithSuffixes/WithoutTypeSuffixes", "NoUTF8EscapingWithSuffixes/WithoutTypeSuffixes", "UnderscoreEscapingWithoutSuffixes", "NoTranslation"}) {
		t.Errorf("schemes %v", schemes)
	}
}

// node_exporter's rules read none of what OpenTelemetry's hostmetrics
// receiver sends, though both describe one host.
func TestNodeExporterRulesAgainstHostmetrics(t *testing.T) {
	ix := promnames.New(hostmetrics(t), promnames.Options{})
	u := read(t, ix, readFiles(t, "testdata/prometheus/node-exporter.yml", "testdata/perses/node-exporter-nodes.yaml"))
	if len(u.used) != 0 {
		t.Errorf("node_exporter's names resolved to %v", keys(u.used))
	}
	if len(u.missing) < 30 {
		t.Errorf("only %d names missing", len(u.missing))
	}
}
