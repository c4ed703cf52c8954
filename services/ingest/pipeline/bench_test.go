package pipeline_test

import (
	"context"
	"runtime"
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
// goroutine, so points/s is per core. Cost tracking off and on side by side:
// what counting series and values costs is the difference.
func BenchmarkPipeline(b *testing.B) {
	for _, track := range []bool{false, true} {
		b.Run(map[bool]string{false: "cost=off", true: "cost=on"}[track], func(b *testing.B) {
			cfg := otlpgen.Default()
			body, _ := proto.Marshal(otlpgen.Request(cfg))
			fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			in := infer.New()
			in.SetCostTracking(track)
			p := &pipeline.Pipeline{Inferrer: in, Forwarder: fwd}
			ctx := context.Background()
			run := func() {
				if _, err := p.Consume(ctx, ingest.Request{Proto: body}); err != nil {
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
		})
	}
}

// BenchmarkKnownPairsHeap loads 100,000 known (schema, producer) pairs the
// way the loopback benchmark's warm-up does (2,000 requests of 50 new
// shapes, each delivered) and reports the live heap they hold per pair,
// after a collection: the figure the ingest's memory limit is sized by.
// "reported" is the heap once every pair was reported; "seen" the heap when
// every pair has data points not yet reported, so holds its cost figures,
// the steady state of a fleet exporting more often than the heartbeat.
func BenchmarkKnownPairsHeap(b *testing.B) {
	for _, pending := range []bool{false, true} {
		b.Run(map[bool]string{false: "reported", true: "seen"}[pending], func(b *testing.B) {
			for b.Loop() {
				knownPairsHeap(b, pending)
			}
		})
	}
}

func knownPairsHeap(b *testing.B, pending bool) {
	fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	p := &pipeline.Pipeline{Inferrer: infer.New(), Forwarder: fwd}
	cfg := otlpgen.Default()
	cfg.PointsPerMetric = 1
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ctx := context.Background()
	feed := func(drain bool) {
		for salt := 1; salt <= 2000; salt++ {
			cfg.ShapeSalt = salt
			body, _ := proto.Marshal(otlpgen.Request(cfg))
			if _, err := p.Consume(ctx, ingest.Request{Proto: body}); err != nil {
				b.Fatal(err)
			}
			if drain && salt%100 == 0 {
				fwd.Drain(ctx)
			}
		}
		fwd.Drain(ctx)
	}
	feed(true)
	if pending {
		// Every pair again, left unreported: each holds its figures.
		for salt := 1; salt <= 2000; salt++ {
			cfg.ShapeSalt = salt
			body, _ := proto.Marshal(otlpgen.Request(cfg))
			if _, err := p.Consume(ctx, ingest.Request{Proto: body}); err != nil {
				b.Fatal(err)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	known := fwd.Stats().Known
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(known), "live-bytes/pair")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "live-MiB")
	runtime.KeepAlive(p)
}
