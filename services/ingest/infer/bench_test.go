package infer_test

import (
	"testing"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// BenchmarkInfer measures inference of the yardstick request (1,000 data
// points) once its shapes are known: the steady state of a live ingest.
func BenchmarkInfer(b *testing.B) {
	cfg := otlpgen.Default()
	req := otlpgen.Request(cfg)
	in := infer.New()
	in.Infer(req)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		in.Infer(req)
	}
	points := float64(b.N * cfg.DataPoints())
	b.ReportMetric(points/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(testing.AllocsPerRun(10, func() { in.Infer(req) }))/float64(cfg.DataPoints()), "allocs/point")
}
