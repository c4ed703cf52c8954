package infer_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// reference is what the scanner must agree with: proto.Unmarshal, then
// inference on the decoded request.
func reference(b []byte) (ingest.Result, error) {
	req := &colmetricpb.ExportMetricsServiceRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		return ingest.Result{}, err
	}
	return infer.New().Infer(req), nil
}

func agree(t *testing.T, b []byte) {
	t.Helper()
	want, werr := reference(b)
	scanner := infer.New()
	for round := 0; round < 2; round++ { // the second round runs on warm caches
		got, gerr := scanner.Scan(b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("proto.Unmarshal error %v, Scan error %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("Scan disagrees with the decoded reference:\n got %s\nwant %s", describe(got), describe(want))
		}
	}
}

func describe(r ingest.Result) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "points=%d rejected=%d reasons=%q\n", r.DataPoints, r.Rejected, r.Reasons)
	for _, o := range r.Observations {
		fmt.Fprintf(&sb, "  %+v\n", o)
	}
	return sb.String()
}

func marshal(t testing.TB, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seeds are inputs for the differential tests: real producers' payloads,
// the benchmark yardstick, and edge cases.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, f := range []string{"../testdata/collector-hostmetrics.pb"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	small := otlpgen.Default()
	small.Metrics, small.PointsPerMetric = 10, 3
	out = append(out, marshal(t, otlpgen.Request(otlpgen.Default())), marshal(t, otlpgen.Request(small)))

	kv := func(k string, v *commonpb.AnyValue) *commonpb.KeyValue { return &commonpb.KeyValue{Key: k, Value: v} }
	sv := func(s string) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
	}
	edge := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{
		{}, // no resource, no scopes
		{Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			kv("service.name", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 7}}),
			kv("service.version", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 1.5}}),
			kv("process.executable.name", sv("java")),
			kv("host.arch", &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValueStrindex{StringValueStrindex: 3}}),
		}}, ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "empty.sum", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{IsMonotonic: true}}},
			{Name: "nodata"},
			{Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: []*metricspb.SummaryDataPoint{{}}}}},
			{Name: "dup", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{Attributes: []*commonpb.KeyValue{kv("a", sv("1")), kv("a", sv("2")), kv("b", nil), kv("c", &commonpb.AnyValue{})}},
			}}}},
		}}}},
		{Resource: &resourcepb.Resource{}, ScopeMetrics: []*metricspb.ScopeMetrics{{Scope: &commonpb.InstrumentationScope{Name: "s", Attributes: []*commonpb.KeyValue{kv("k", sv("v"))}}}}},
	}}
	out = append(out, marshal(t, edge), nil, []byte{})

	// Wire-level cases proto.Marshal never writes: a metric whose name comes
	// after its data, a oneof switching members, a resource in two parts.
	var m []byte
	gauge := protowire.AppendTag(nil, 1, protowire.BytesType)
	gauge = protowire.AppendBytes(gauge, marshal(t, &metricspb.NumberDataPoint{Attributes: []*commonpb.KeyValue{kv("x", sv("y"))}}))
	sum := protowire.AppendTag(nil, 2, protowire.VarintType)
	sum = protowire.AppendVarint(sum, 1)
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	m = protowire.AppendBytes(m, sum)
	m = protowire.AppendTag(m, 5, protowire.BytesType)
	m = protowire.AppendBytes(m, gauge)
	m = protowire.AppendTag(m, 5, protowire.BytesType)
	m = protowire.AppendBytes(m, gauge)
	m = protowire.AppendTag(m, 1, protowire.BytesType)
	m = protowire.AppendString(m, "late.name")
	m = protowire.AppendTag(m, 1, protowire.VarintType) // a name with the wrong wire type is unknown
	m = protowire.AppendVarint(m, 5)
	sm := protowire.AppendTag(nil, 2, protowire.BytesType)
	sm = protowire.AppendBytes(sm, m)
	res1 := marshal(t, &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", sv("first"))}})
	res2 := marshal(t, &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", sv("second")), kv("zone", sv("z"))}})
	var rm []byte
	rm = protowire.AppendTag(rm, 2, protowire.BytesType)
	rm = protowire.AppendBytes(rm, sm)
	rm = protowire.AppendTag(rm, 1, protowire.BytesType)
	rm = protowire.AppendBytes(rm, res1)
	rm = protowire.AppendTag(rm, 1, protowire.BytesType)
	rm = protowire.AppendBytes(rm, res2)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendBytes(req, rm)
	out = append(out, req)

	// Invalid inputs: truncated, invalid UTF-8 deep in a value, bad packed.
	full := marshal(t, otlpgen.Request(small))
	out = append(out, full[:len(full)/3], []byte{0x0a, 0x05, 0x01})
	bad := marshal(t, &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{SchemaUrl: "OK"}}})
	out = append(out, []byte(strings.Replace(string(bad), "OK", "\xff\xfe", 1)))
	return out
}

func TestScanAgreesWithUnmarshal(t *testing.T) {
	for i, b := range seeds(t) {
		t.Run(fmt.Sprint(i), func(t *testing.T) { agree(t, b) })
	}
}

// FuzzScanAgreesWithUnmarshal is the differential fuzz test: on every input
// the scanner accepts or refuses what proto.Unmarshal does, and infers the
// same observations as inference on the decoded request.
func FuzzScanAgreesWithUnmarshal(f *testing.F) {
	for _, b := range append(seeds(f), extraSeeds(f)...) {
		if len(b) < 16<<10 { // large inputs slow every mutation; the unit test covers them
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}
