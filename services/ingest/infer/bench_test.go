package infer_test

import (
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// report adds the figures docs/BENCHMARKS.md uses: data points per second
// and allocations per data point.
func report(b *testing.B, points int, allocsPerRun float64) {
	b.ReportMetric(float64(b.N*points)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(allocsPerRun/float64(points), "allocs/point")
}

// BenchmarkUnmarshal is the naive floor: proto.Unmarshal of the yardstick
// request (1,000 data points) alone, no inference.
func BenchmarkUnmarshal(b *testing.B) {
	cfg := otlpgen.Default()
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	run := func() {
		req := &colmetricpb.ExportMetricsServiceRequest{}
		if err := proto.Unmarshal(body, req); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		run()
	}
	report(b, cfg.DataPoints(), testing.AllocsPerRun(10, run))
}

// BenchmarkScan is inference straight from protobuf bytes, validation
// included, once the shapes are known: the steady state of a live ingest.
func BenchmarkScan(b *testing.B) {
	cfg := otlpgen.Default()
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	in := infer.New()
	run := func() {
		if _, err := in.Scan(body); err != nil {
			b.Fatal(err)
		}
	}
	run()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	report(b, cfg.DataPoints(), testing.AllocsPerRun(10, run))
}

// BenchmarkInferDecoded is inference on an already decoded request, the
// OTLP/JSON path after decoding.
func BenchmarkInferDecoded(b *testing.B) {
	cfg := otlpgen.Default()
	req := otlpgen.Request(cfg)
	in := infer.New()
	in.Infer(req)
	b.ReportAllocs()
	for b.Loop() {
		in.Infer(req)
	}
	report(b, cfg.DataPoints(), testing.AllocsPerRun(10, func() { in.Infer(req) }))
}
