package promnames

import (
	"os"
	"slices"
	"testing"

	"github.com/prometheus/otlptranslator"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tallycat/tallycat/internal/consumers/promql"
)

// hostmetrics is what the Collector's hostmetrics receiver sent in the
// capture in testdata (see its README), with the resource attributes a
// resourcedetection processor would add: the capture's resource has none.
func hostmetrics(t *testing.T) []Metric {
	t.Helper()
	b, err := os.ReadFile("../testdata/otlp/collector-hostmetrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var req colmetricspb.ExportMetricsServiceRequest
	if err := protojson.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	ms := FromOTLP(req.GetResourceMetrics())
	if len(ms) != 15 {
		t.Fatalf("%d metrics in the capture, want 15", len(ms))
	}
	for i := range ms {
		ms[i].Attributes = append(ms[i].Attributes,
			Attribute{Key: "host.name", Source: Resource},
			Attribute{Key: "service.name", Source: Resource},
			Attribute{Key: "service.instance.id", Source: Resource})
	}
	return ms
}

func names(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestNamesOfHostMetrics(t *testing.T) {
	ix := New(hostmetrics(t), Options{})
	cases := map[string][]string{
		// A monotonic sum in seconds: every strategy, and the SDK's options.
		"system.cpu.time": {
			"system_cpu_time_seconds_total", "system_cpu_time_total", "system_cpu_time_seconds",
			"system.cpu.time_seconds_total", "system.cpu.time_total", "system.cpu.time_seconds",
			"system_cpu_time", "system.cpu.time",
		},
		// Non-monotonic: a gauge to Prometheus, no _total.
		"system.memory.usage": {
			"system_memory_usage_bytes", "system_memory_usage",
			"system.memory.usage_bytes", "system.memory.usage",
		},
		// A unit in braces adds no suffix.
		"system.cpu.load_average.15m": {"system_cpu_load_average_15m", "system.cpu.load_average.15m"},
	}
	for key, want := range cases {
		got := names(ix.Names(key))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: names\n%v\nwant\n%v", key, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	ix := New(hostmetrics(t), Options{})
	r := ix.Resolve("system_network_io_bytes_total")
	if !slices.Equal(r.Keys, []string{"system.network.io"}) || r.Ambiguous() {
		t.Fatalf("keys %v", r.Keys)
	}
	var schemes []string
	for _, s := range r.Candidates[0].Schemes {
		schemes = append(schemes, s.String())
	}
	if !slices.Equal(schemes, []string{string(otlptranslator.UnderscoreEscapingWithSuffixes)}) {
		t.Errorf("schemes %v", schemes)
	}
	if r := ix.Resolve("node_cpu_seconds_total"); r.Found() || len(r.Near) > 0 {
		t.Errorf("a node_exporter name resolved: %+v", r)
	}
	// A unit renamed: the query's name is not sent, the key it meant is near.
	r = ix.Resolve("system_memory_usage_kilobytes")
	if r.Found() || !slices.Equal(r.Near, []string{"system.memory.usage"}) {
		t.Errorf("near: %+v", r)
	}
	if r := ix.Resolve("target_info"); !r.TargetInfo || !r.Found() {
		t.Errorf("target_info: %+v", r)
	}
}

// Two keys that differ only in separators are one name once escaped: the
// resolution names both and picks neither.
func TestAmbiguous(t *testing.T) {
	ix := New([]Metric{
		{Key: "http.server.request.duration", Unit: "s", Instrument: Histogram},
		{Key: "http_server_request_duration", Unit: "s", Instrument: Histogram},
	}, Options{})
	r := ix.Resolve("http_server_request_duration_seconds_bucket")
	if !r.Ambiguous() || !slices.Equal(r.Keys, []string{"http.server.request.duration", "http_server_request_duration"}) {
		t.Fatalf("keys %v", r.Keys)
	}
	// Quoted UTF-8 names are not escaped, and are not ambiguous.
	r = ix.Resolve("http.server.request.duration_seconds_bucket")
	if r.Ambiguous() || r.Candidates[0].Series != SeriesBucket {
		t.Errorf("utf-8: %+v", r)
	}
}

func TestNamespace(t *testing.T) {
	ix := New(hostmetrics(t), Options{Namespaces: []string{"otel"}})
	r := ix.Resolve("otel_system_cpu_time_seconds_total")
	if !slices.Equal(r.Keys, []string{"system.cpu.time"}) || r.Candidates[0].Schemes[0].Namespace != "otel" {
		t.Errorf("%+v", r)
	}
}

func selector(t *testing.T, expr string) promql.Selector {
	t.Helper()
	a, err := promql.Analyze(expr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Selectors[0]
}

func labelOf(t *testing.T, km KeyMatch, label string) LabelMatch {
	t.Helper()
	for _, l := range km.Labels {
		if l.Label == label {
			return l
		}
	}
	t.Fatalf("%s: no label %s in %+v", km.Key, label, km.Labels)
	return LabelMatch{}
}

func TestSelectorLabels(t *testing.T) {
	ix := New(hostmetrics(t), Options{})
	sel := selector(t, `sum by (job, device) (rate(system_network_io_bytes_total{host_name=~"$host", direction="receive", k8s_cluster_name="a"}[5m]))`)
	r := ix.ResolveSelector(sel)
	if len(r.Matches) != 1 || r.Matches[0].Key != "system.network.io" {
		t.Fatalf("matches %+v", r.Matches)
	}
	km := r.Matches[0]
	if l := labelOf(t, km, "direction"); !slices.Equal(l.Attributes, []AttributeMatch{{"direction", DataPoint, ViaLabel}}) {
		t.Errorf("direction: %+v", l)
	}
	if l := labelOf(t, km, "host_name"); !slices.Equal(l.Attributes, []AttributeMatch{{"host.name", Resource, ViaPromoted}}) {
		t.Errorf("host_name: %+v", l)
	}
	if l := labelOf(t, km, "k8s_cluster_name"); !l.Missing() {
		t.Errorf("k8s_cluster_name is sent by nobody: %+v", l)
	}
	if l := labelOf(t, km, "job"); !l.Exporter || !slices.Equal(l.Attributes, []AttributeMatch{{"service.name", Resource, ViaJob}}) {
		t.Errorf("job: %+v", l)
	}
	// UTF-8 labels do not exist under an escaping scheme.
	sel = selector(t, `system_network_io_bytes_total{"host.name"="a"}`)
	if l := labelOf(t, ix.ResolveSelector(sel).Matches[0], "host.name"); !l.Missing() {
		t.Errorf("host.name on an escaped name: %+v", l)
	}
	sel = selector(t, `{"system.network.io_bytes_total", "host.name"="a"}`)
	if l := labelOf(t, ix.ResolveSelector(sel).Matches[0], "host.name"); l.Missing() {
		t.Errorf("host.name on a UTF-8 name: %+v", l)
	}
}

func TestPatternsAndTargetInfo(t *testing.T) {
	ix := New(hostmetrics(t), Options{})
	r := ix.ResolveSelector(selector(t, `{__name__=~"system_cpu_.*"}`))
	want := []string{"system.cpu.load_average.15m", "system.cpu.load_average.1m", "system.cpu.load_average.5m", "system.cpu.logical.count", "system.cpu.time"}
	if !r.Pattern || !slices.Equal(r.Keys, want) {
		t.Errorf("pattern keys %v", r.Keys)
	}
	a, err := promql.Analyze(`rate(system_cpu_time_seconds_total[5m]) * on (job, instance) group_left (host_name) target_info`)
	if err != nil {
		t.Fatal(err)
	}
	r = ix.ResolveSelector(a.Selectors[1])
	if len(r.Matches) != 1 || !r.Matches[0].TargetInfo {
		t.Fatalf("target_info: %+v", r.Matches)
	}
	if l := labelOf(t, r.Matches[0], "host_name"); !slices.Equal(l.Attributes, []AttributeMatch{{"host.name", Resource, ViaTargetInfo}}) {
		t.Errorf("host_name off target_info: %+v", l)
	}
	if l := labelOf(t, r.Matches[0], "instance"); !l.Exporter || len(l.Attributes) != 1 || l.Attributes[0].Key != "service.instance.id" {
		t.Errorf("instance: %+v", l)
	}
}

func TestHistogramSeries(t *testing.T) {
	ix := New([]Metric{{Key: "http.server.request.duration", Unit: "s", Instrument: Histogram,
		Attributes: []Attribute{{"http.route", DataPoint}}}}, Options{})
	sel := selector(t, `histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))`)
	r := ix.ResolveSelector(sel)
	if len(r.Matches) != 1 || r.Matches[0].Names[0].Series != SeriesBucket {
		t.Fatalf("%+v", r)
	}
	if l := labelOf(t, r.Matches[0], "le"); !l.Exporter || l.Missing() {
		t.Errorf("le: %+v", l)
	}
	if l := labelOf(t, r.Matches[0], "http_route"); l.Missing() {
		t.Errorf("http_route: %+v", l)
	}
	sel = selector(t, `sum(rate(http_server_request_duration_seconds_count{le="1"}[5m]))`)
	if l := labelOf(t, ix.ResolveSelector(sel).Matches[0], "le"); !l.Missing() {
		t.Errorf("le on _count: %+v", l)
	}
}

// One key sent in two units by two services (the demo's checkout in s,
// payments in ms): each unit's name finds its schema, and a name both
// give is one key, not ambiguous, with both candidates.
func TestOneKeyTwoUnits(t *testing.T) {
	ix := New([]Metric{
		{Key: "http.server.request.duration", Unit: "s", Instrument: Histogram},
		{Key: "http.server.request.duration", Unit: "ms", Instrument: Histogram},
	}, Options{})
	r := ix.Resolve("http_server_request_duration_milliseconds_bucket")
	if len(r.Candidates) != 1 || r.Candidates[0].Unit != "ms" {
		t.Errorf("ms: %+v", r.Candidates)
	}
	r = ix.Resolve("http_server_request_duration_count")
	if r.Ambiguous() || len(r.Candidates) != 2 || r.Candidates[0].Series != SeriesCount {
		t.Errorf("without units: %+v", r)
	}
}

func TestSummarySeries(t *testing.T) {
	ix := New([]Metric{{Key: "rpc.latency", Unit: "ms", Instrument: Summary}}, Options{})
	for name, series := range map[string]Series{
		"rpc_latency_milliseconds":       SeriesValue,
		"rpc_latency_milliseconds_count": SeriesCount,
		"rpc_latency_milliseconds_sum":   SeriesSum,
	} {
		r := ix.Resolve(name)
		if len(r.Candidates) != 1 || r.Candidates[0].Series != series {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := ix.Resolve("rpc_latency_milliseconds_bucket"); r.Found() {
		t.Errorf("a summary has no buckets: %+v", r)
	}
	sel := selector(t, `rpc_latency_milliseconds{quantile="0.99"}`)
	if l := labelOf(t, ix.ResolveSelector(sel).Matches[0], "quantile"); !l.Exporter {
		t.Errorf("quantile: %+v", l)
	}
}
