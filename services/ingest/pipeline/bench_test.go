package pipeline_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/forward"
	"github.com/tallycat/tallycat/services/ingest/infer"
	"github.com/tallycat/tallycat/services/ingest/pipeline"
)

// BenchmarkPipeline is the whole in-process ingest path for the yardstick
// request (1,000 data points): scanning, inference, deduplication against
// what was already reported, and batching; no network. It runs on one
// goroutine, so points/s is per core.
func BenchmarkPipeline(b *testing.B) {
	cfg := otlpgen.Default()
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	p := &pipeline.Pipeline{Inferrer: infer.New(), Forwarder: fwd}
	ctx := context.Background()
	run := func() {
		if _, err := p.ConsumeMetrics(ctx, ingest.Request{Proto: body}); err != nil {
			b.Fatal(err)
		}
	}
	run()
	fwd.Drain(ctx) // the shapes are known: what follows is the steady state
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	points := cfg.DataPoints()
	b.ReportMetric(float64(b.N*points)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(testing.AllocsPerRun(10, run)/float64(points), "allocs/point")
}
