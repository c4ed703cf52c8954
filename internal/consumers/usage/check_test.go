package usage_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
	"github.com/tallycat/tallycat/internal/consumers/usage"
)

const demo = "../testdata/grafana/provisioning"

// hostmetrics are the Collector's hostmetrics receiver's metrics as the
// capture in testdata holds them, one schema each, every attribute always
// present, with made-up costs that rank system.network.connections (11
// series, the most) first.
func hostmetrics(t *testing.T) []usage.Metric {
	t.Helper()
	b, err := os.ReadFile("../testdata/otlp/collector-hostmetrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var req colmetricspb.ExportMetricsServiceRequest
	if err := protojson.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	var out []usage.Metric
	for _, m := range promnames.FromOTLP(req.GetResourceMetrics()) {
		s := usage.Schema{ID: m.Key, Unit: m.Unit, Instrument: m.Instrument, Monotonic: m.Monotonic, Temporality: m.Temporality}
		for _, a := range m.Attributes {
			s.Fields = append(s.Fields, usage.Field{Key: a.Key, Source: a.Source})
		}
		series := uint64(1 + 2*len(s.Fields))
		if m.Key == "system.network.connections" {
			series = 11
		}
		out = append(out, usage.Metric{Key: m.Key, Schemas: []usage.Schema{s}, Cost: usage.Cost{Series: series, DataPointsPerMinute: float64(series)}})
	}
	return out
}

func read(t *testing.T, paths ...string) []consumers.Consumer {
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

func doc(t *testing.T, name, body string) []consumers.Consumer {
	t.Helper()
	cs, err := consumers.ReadDocument(name, []byte(body), consumers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// of lists the findings of one id as "metric|key|label|attribute" rows.
func of(r usage.Report, id string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.ID == id {
			row := strings.Join([]string{f.Metric, f.Key, f.Label, f.Attribute}, "|")
			if !slices.Contains(out, row) {
				out = append(out, row)
			}
		}
	}
	return out
}

func usedKeys(r usage.Report) []string {
	var out []string
	for _, u := range r.Used {
		out = append(out, u.Key)
	}
	return out
}

// The demo's host dashboard against what the hostmetrics receiver sends:
// the metrics it reads are matched to their keys, the ones it reads that
// are not sent are consumer_missing_metric, the resource attributes it
// filters on (this Collector adds none) consumer_missing_attribute, and
// the metrics nothing reads unused_metric, dearest first.
func TestHostDashboard(t *testing.T) {
	r := usage.Check(read(t, demo+"/dashboards/demo/linux-dashboard.json"), hostmetrics(t), usage.Options{})
	want := []string{"system.cpu.load_average.15m", "system.cpu.load_average.5m", "system.cpu.logical.count", "system.cpu.time",
		"system.memory.usage", "system.network.dropped", "system.network.errors", "system.network.io"}
	if got := usedKeys(r); !slices.Equal(got, want) {
		t.Errorf("read\n%v\nwant\n%v", got, want)
	}
	missing := of(r, usage.ConsumerMissingMetric)
	for _, name := range []string{"system_cpu_utilization_ratio|||", "system_disk_io_bytes_total|||", "system_uptime_seconds|||"} {
		if !slices.Contains(missing, name) {
			t.Errorf("%s is not missing: %v", name, missing)
		}
	}
	attrs := of(r, usage.ConsumerMissingAttribute)
	for _, row := range []string{
		"system_cpu_time_seconds_total|system.cpu.time|host_name|", "system_cpu_time_seconds_total|system.cpu.time|kk8s_cluster_name|",
		// The dashboard's panel asks the CPU count for its used state.
		"system_cpu_logical_count|system.cpu.logical.count|state|",
		"target_info|target_info|service_name|",
	} {
		if !slices.Contains(attrs, row) {
			t.Errorf("no finding %s among\n%s", row, strings.Join(attrs, "\n"))
		}
	}
	// state is sent and job is the exporter's: neither is missing.
	for _, row := range attrs {
		if strings.HasSuffix(row, "|state|") && !strings.HasPrefix(row, "system_cpu_logical_count") || strings.Contains(row, "|job|") {
			t.Errorf("wrongly missing: %s", row)
		}
	}
	unused := of(r, usage.UnusedMetric)
	wantUnused := []string{"|system.network.connections||", "|system.network.packets||", "|system.paging.operations||",
		"|system.paging.faults||", "|system.processes.count||", "|system.cpu.load_average.1m||", "|system.processes.created||"}
	if !slices.Equal(unused, wantUnused) {
		t.Errorf("unused, dearest first\n%v\nwant\n%v", unused, wantUnused)
	}
	for _, f := range r.Findings {
		if f.ID == usage.ConsumerMissingMetric && (f.Level != usage.Violation || f.Consumer == nil || f.Consumer.Title == "" || f.Query == nil || f.Query.Panel == "" || f.Query.Expr == "") {
			t.Errorf("a missing metric without its level or its consumer: %+v", f)
		}
		if f.ID == usage.UnusedMetric && (f.Level != usage.Information || f.Cost == nil || f.Consumer != nil) {
			t.Errorf("unused: %+v", f)
		}
	}
	if r.Stats.Metrics != 15 || r.Stats.UsedMetrics != 8 || r.Stats.Unparsed != 0 || r.Stats.Queries == 0 {
		t.Errorf("stats %+v", r.Stats)
	}
}

// A dashboard still on milliseconds after the unit moved to seconds: the
// name is not sent, and the key it meant is near, with the name to read.
func TestUnitRenameIsNear(t *testing.T) {
	metrics := []usage.Metric{{Key: "http.server.request.duration", Schemas: []usage.Schema{{Unit: "s", Instrument: promnames.Histogram,
		Fields: []usage.Field{{Key: "http.route", Source: promnames.DataPoint}}}}}}
	cs := doc(t, "rules.yml", `
groups:
  - name: latency
    rules:
      - alert: SlowCheckout
        expr: histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_milliseconds_bucket[5m]))) > 500
`)
	r := usage.Check(cs, metrics, usage.Options{})
	if len(r.Findings) == 0 || r.Findings[0].ID != usage.ConsumerMissingMetric {
		t.Fatalf("%+v", r.Findings)
	}
	f := r.Findings[0]
	if !slices.Equal(f.Near, []usage.Near{{Key: "http.server.request.duration", Name: "http_server_request_duration_seconds_bucket"}}) ||
		f.Consumer.Title != "SlowCheckout" || f.Consumer.Folder != "latency" || !strings.Contains(f.Message, "sent as http_server_request_duration_seconds_bucket") {
		t.Errorf("%+v", f)
	}
	// What is not read is unused: the only metric, since its name is wrong.
	if got := of(r, usage.UnusedMetric); !slices.Equal(got, []string{"|http.server.request.duration||"}) {
		t.Errorf("unused %v", got)
	}
}

// Presence: a label no attribute gives is a violation; one sent on part of
// the data points, or by one release of two, is an improvement; a label
// only dropped (`without`) or not matched on is nothing.
func TestAttributePresence(t *testing.T) {
	metrics := []usage.Metric{
		{Key: "http.server.request.duration", Schemas: []usage.Schema{{Unit: "s", Instrument: promnames.Histogram, Fields: []usage.Field{
			{Key: "http.route", Source: promnames.DataPoint},
			{Key: "error.type", Source: promnames.DataPoint, Sometimes: true, SeenRatio: 0.12},
		}}}},
		{Key: "db.client.operation.duration", Schemas: []usage.Schema{
			{ID: "inventory", Unit: "s", Instrument: promnames.Histogram, Fields: []usage.Field{{Key: "db.system.name", Source: promnames.DataPoint}}},
			{ID: "orders", Unit: "s", Instrument: promnames.Histogram},
		}},
	}
	cs := doc(t, "rules.yml", `
groups:
  - name: g
    rules:
      - record: errors:rate5m
        expr: sum by (error_type, http_route) (rate(http_server_request_duration_seconds_count[5m]))
      - record: db:rate5m
        expr: sum by (db_system_name) (rate(db_client_operation_duration_seconds_count{k8s_pod_name="a"}[5m]))
      - record: without:rate5m
        expr: sum without (region, http_route) (rate(http_server_request_duration_seconds_count[5m]))
`)
	r := usage.Check(cs, metrics, usage.Options{})
	var got []string
	for _, f := range r.Findings {
		if f.ID == usage.ConsumerMissingAttribute {
			got = append(got, f.Level.String()+" "+f.Key+" "+f.Label+" "+f.Attribute)
		}
	}
	want := []string{
		"improvement http.server.request.duration error_type error.type",
		"violation db.client.operation.duration k8s_pod_name ",
		"improvement db.client.operation.duration db_system_name db.system.name",
	}
	if !slices.Equal(got, want) {
		t.Errorf("missing attributes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range r.Findings {
		if f.Label == "error_type" && !strings.Contains(f.Message, "12 %") {
			t.Errorf("the share is not said: %s", f.Message)
		}
		if f.Label == "db_system_name" && !strings.Contains(f.Message, "1 of its 2 schemas") {
			t.Errorf("the schemas are not said: %s", f.Message)
		}
	}
	// `without (http_route)` keeps every other label: error.type is read by
	// it, and http.route by the first rule; nothing is unused.
	if u := of(r, usage.UnusedAttribute); len(u) != 0 {
		t.Errorf("unused attributes %v", u)
	}
}

// A name two keys share once escaped is said to be ambiguous with both
// keys; both count as read, so neither is called unused.
func TestAmbiguousName(t *testing.T) {
	metrics := []usage.Metric{
		{Key: "http.server.request.duration", Schemas: []usage.Schema{{Unit: "s", Instrument: promnames.Histogram}}},
		{Key: "http_server_request_duration", Schemas: []usage.Schema{{Unit: "s", Instrument: promnames.Histogram}}},
	}
	cs := doc(t, "rules.yml", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(http_server_request_duration_seconds_count[5m]) > 1\n")
	r := usage.Check(cs, metrics, usage.Options{})
	if len(r.Findings) != 1 || r.Findings[0].ID != usage.ConsumerAmbiguousMetric ||
		!slices.Equal(r.Findings[0].Candidates, []string{"http.server.request.duration", "http_server_request_duration"}) {
		t.Fatalf("%+v", r.Findings)
	}
	if len(r.Used) != 2 {
		t.Errorf("read %v", usedKeys(r))
	}
}

// A dashboard on what a recording rule writes reads the rule, and the
// rule's query is judged; Prometheus' own series (`up`) are nobody's to
// send. A query that does not parse is kept, counted and said, with its
// error, at improvement.
func TestRulesOwnSeriesAndParseErrors(t *testing.T) {
	metrics := hostmetrics(t)
	cs := doc(t, "rules.yml", `
groups:
  - name: host
    rules:
      - record: host:cpu_seconds:rate5m
        expr: sum by (state) (rate(system_cpu_time_seconds_total[5m]))
      - alert: HostDown
        expr: up{job="node"} == 0
      - alert: Busy
        expr: host:cpu_seconds:rate5m{state="user"} > 0.9
      - alert: Broken
        expr: sum(rate(system_cpu_time_seconds_total[5m])
`)
	r := usage.Check(cs, metrics, usage.Options{})
	if got := of(r, usage.ConsumerMissingMetric); len(got) != 0 {
		t.Errorf("missing %v", got)
	}
	if r.Stats.OwnSeries != 1 || r.Stats.Recorded != 1 || r.Stats.Unparsed != 1 {
		t.Errorf("stats %+v", r.Stats)
	}
	var broken *usage.Finding
	for i, f := range r.Findings {
		if f.ID == usage.ConsumerUnparsedQuery {
			broken = &r.Findings[i]
		}
	}
	if broken == nil || broken.Level != usage.Improvement || broken.Consumer.Title != "Broken" || broken.Error == "" || broken.Query.Expr == "" {
		t.Errorf("the broken query: %+v", broken)
	}
}

// What a query on a read metric does not use is unused_attribute; a panel
// that shows every series (`rate(x[5m])`) uses every attribute.
func TestUnusedAttributes(t *testing.T) {
	metrics := hostmetrics(t)
	cs := doc(t, "rules.yml", `
groups:
  - name: host
    rules:
      - record: a
        expr: sum by (direction) (rate(system_network_io_bytes_total[5m]))
      - record: b
        expr: rate(system_network_errors_total[5m])
      - record: c
        expr: sum by (state) (system_network_connections)
`)
	r := usage.Check(cs, metrics, usage.Options{})
	got := of(r, usage.UnusedAttribute)
	want := []string{"|system.network.connections||protocol", "|system.network.io||device"}
	if !slices.Equal(got, want) {
		t.Errorf("unused attributes\n%v\nwant\n%v", got, want)
	}
	for _, u := range r.Used {
		if u.Key == "system.network.errors" && !u.AllAttributes {
			t.Errorf("rate(x) shows every label: %+v", u)
		}
		if u.Key == "system.network.io" && (len(u.Attributes) != 1 || u.Attributes[0].Attribute != "direction" || !slices.Equal(u.Attributes[0].Labels, []string{"direction"})) {
			t.Errorf("io: %+v", u.Attributes)
		}
	}
}

// loosen is what a caller knows of metrics from the catalog's key list
// alone: each key's units and data types, a sum both monotonic and not,
// and no fields.
func loosen(ms []usage.Metric) []usage.Metric {
	var out []usage.Metric
	for _, m := range ms {
		l := usage.Metric{Key: m.Key, Cost: m.Cost}
		for _, s := range m.Schemas {
			l.Schemas = append(l.Schemas, usage.Schema{Unit: s.Unit, Instrument: s.Instrument, Monotonic: true},
				usage.Schema{Unit: s.Unit, Instrument: s.Instrument})
		}
		out = append(out, l)
	}
	return out
}

// Needed names the keys whose schemas the check needs, from the key list
// alone; with those in full and the rest loose, the check says exactly
// what it says with every schema in full.
func TestNeededKeysSuffice(t *testing.T) {
	cs := read(t, demo, "../testdata/perses", "../testdata/prometheus")
	exact := hostmetrics(t)
	loose := loosen(exact)
	needed := usage.Needed(cs, loose, usage.Options{})
	want := []string{"system.cpu.load_average.15m", "system.cpu.load_average.5m", "system.cpu.logical.count", "system.cpu.time",
		"system.memory.usage", "system.network.dropped", "system.network.errors", "system.network.io"}
	if !slices.Equal(needed, want) {
		t.Errorf("needed\n%v\nwant\n%v", needed, want)
	}
	mixed := slices.Clone(loose)
	for i, m := range mixed {
		if slices.Contains(needed, m.Key) {
			mixed[i] = exact[i]
		}
	}
	full, partial := usage.Check(cs, exact, usage.Options{}), usage.Check(cs, mixed, usage.Options{})
	if len(full.Findings) != len(partial.Findings) {
		t.Fatalf("%d findings with every schema, %d with the needed ones", len(full.Findings), len(partial.Findings))
	}
	for i := range full.Findings {
		a, b := full.Findings[i], partial.Findings[i]
		if a.ID != b.ID || a.Metric != b.Metric || a.Key != b.Key || a.Label != b.Label || a.Message != b.Message {
			t.Errorf("finding %d: %+v\nwith the needed schemas only: %+v", i, a, b)
		}
	}
}
