package consumers_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"gopkg.in/yaml.v3"

	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// hostmetrics are the schemas of the Collector's hostmetrics receiver, as
// captured (testdata/otlp): its resource carries no attributes at all.
func hostmetrics(t *testing.T) []promnames.Metric {
	t.Helper()
	b, err := os.ReadFile("testdata/otlp/collector-hostmetrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var req colmetricspb.ExportMetricsServiceRequest
	if err := protojson.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	return promnames.FromOTLP(req.GetResourceMetrics())
}

// collectorTelemetry are the schemas of the Collector's own metrics, from
// the metadata.yaml its components declare them in (testdata/collector):
// the name under the `otelcol_` prefix (or the one given), the unit and
// the type, the declared attributes, the attributes the helpers add at run
// time (receiverhelper's receiver and transport, processorhelper's
// processor and otel.signal, exporterhelper's exporter and, on its queue
// metrics, data_type), and the Collector's resource.
func collectorTelemetry(t *testing.T) []promnames.Metric {
	t.Helper()
	files, err := filepath.Glob("testdata/collector/*.metadata.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no metadata: %v", err)
	}
	component := map[string][]string{
		"receiverhelper":  {"receiver", "transport"},
		"exporterhelper":  {"exporter"},
		"processorhelper": {"processor", "otel.signal"},
	}
	// The queue's and the in-flight requests' metrics also say which
	// signal the exporter's queue holds.
	dataType := map[string]bool{"exporter_queue_size": true, "exporter_queue_capacity": true, "exporter_in_flight_requests": true}
	resource := []promnames.Attribute{
		{Key: "service.name", Source: promnames.Resource},
		{Key: "service.instance.id", Source: promnames.Resource},
		{Key: "service.version", Source: promnames.Resource},
	}
	var out []promnames.Metric
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Telemetry struct {
				Metrics map[string]struct {
					Prefix     *string  `yaml:"prefix"`
					Unit       string   `yaml:"unit"`
					Attributes []string `yaml:"attributes"`
					Sum        *struct {
						Monotonic bool `yaml:"monotonic"`
					} `yaml:"sum"`
					Gauge     *struct{} `yaml:"gauge"`
					Histogram *struct{} `yaml:"histogram"`
				} `yaml:"metrics"`
			} `yaml:"telemetry"`
		}
		if err := yaml.Unmarshal(b, &md); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		helper := strings.TrimSuffix(filepath.Base(f), ".metadata.yaml")
		var names []string
		for name := range md.Telemetry.Metrics {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			d := md.Telemetry.Metrics[name]
			prefix := "otelcol_"
			if d.Prefix != nil {
				prefix = *d.Prefix
			}
			m := promnames.Metric{Key: prefix + name, Unit: d.Unit, Attributes: append([]promnames.Attribute(nil), resource...)}
			switch {
			case d.Sum != nil:
				m.Instrument, m.Monotonic = promnames.Sum, d.Sum.Monotonic
			case d.Gauge != nil:
				m.Instrument = promnames.Gauge
			case d.Histogram != nil:
				m.Instrument = promnames.Histogram
			}
			attrs := append(append([]string(nil), component[helper]...), d.Attributes...)
			if dataType[name] {
				attrs = append(attrs, "data_type")
			}
			for _, a := range attrs {
				m.Attributes = append(m.Attributes, promnames.Attribute{Key: a, Source: promnames.DataPoint})
			}
			out = append(out, m)
		}
	}
	return out
}
