package infer_test

import (
	"os"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/internal/sdkcapture"
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
	benchScan(b, body, cfg.DataPoints())
}

// benchScan measures Scan of body, which holds points data points, after a
// first call has made its shapes known, with cost tracking off and on side
// by side: what tracking adds is the difference.
func benchScan(b *testing.B, body []byte, points int) {
	for _, track := range []bool{false, true} {
		b.Run(map[bool]string{false: "cost=off", true: "cost=on"}[track], func(b *testing.B) {
			in := infer.New()
			in.SetCostTracking(track)
			benchScanWith(b, in, body, points)
		})
	}
}

func benchScanWith(b *testing.B, in *infer.Inferrer, body []byte, points int) {
	run := func() {
		res, err := in.Scan(body)
		if err != nil {
			b.Fatal(err)
		}
		in.Recycle(res)
	}
	run()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	report(b, points, testing.AllocsPerRun(10, run))
}

// BenchmarkInferDecoded is inference on an already decoded request, the
// OTLP/JSON path after decoding.
func BenchmarkInferDecoded(b *testing.B) {
	cfg := otlpgen.Default()
	req := otlpgen.Request(cfg)
	for _, track := range []bool{false, true} {
		b.Run(map[bool]string{false: "cost=off", true: "cost=on"}[track], func(b *testing.B) {
			in := infer.New()
			in.SetCostTracking(track)
			in.Infer(req)
			b.ReportAllocs()
			for b.Loop() {
				in.Recycle(in.Infer(req))
			}
			report(b, cfg.DataPoints(), testing.AllocsPerRun(10, func() { in.Recycle(in.Infer(req)) }))
		})
	}
}

// capturedPayloads are real exports: one of the OpenTelemetry Go SDK
// instrumenting an HTTP server (the semantic conventions' instruments and
// attributes, 4 methods × 10 routes × 3 status codes), captured by
// sdkcapture as e2e's BenchmarkOTLPLoopback captures it, and one of a
// Collector's hostmetrics receiver (services/ingest/testdata).
func capturedPayloads(b *testing.B) map[string][]byte {
	sdk := sdkcapture.HTTPServerExport(b)
	hostmetrics, err := os.ReadFile("../testdata/collector-hostmetrics.pb")
	if err != nil {
		b.Fatal(err)
	}
	return map[string][]byte{"go-sdk-http-server": sdk, "collector-hostmetrics": hostmetrics}
}

// BenchmarkScanCaptured is the scanner on captured exports, beside
// proto.Unmarshal of the same bytes.
func BenchmarkScanCaptured(b *testing.B) {
	for name, body := range capturedPayloads(b) {
		req := &colmetricpb.ExportMetricsServiceRequest{}
		if err := proto.Unmarshal(body, req); err != nil {
			b.Fatal(err)
		}
		points := 0
		for _, o := range infer.New().Infer(req).Observations {
			points += int(o.DataPoints)
		}
		b.Run(name+"/Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := proto.Unmarshal(body, &colmetricpb.ExportMetricsServiceRequest{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*points)/b.Elapsed().Seconds(), "points/s")
		})
		b.Run(name+"/Scan", func(b *testing.B) { benchScan(b, body, points) })
	}
}
