package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/forward"
	"github.com/tallycat/tallycat/services/ingest/infer"
	"github.com/tallycat/tallycat/services/ingest/pipeline"
)

// instanceBody is the yardstick request from one instance of the
// yardstick's release: service.instance.id is "pod-00000" in the body, at
// the offset returned, so that as sets it to another instance in place
// (the same length, so the body stays well formed).
type instanceBody struct {
	body   []byte
	offset int
}

func newInstanceBody(tb testing.TB) instanceBody {
	req := otlpgen.Request(otlpgen.Default())
	res := req.ResourceMetrics[0].Resource
	res.Attributes = append(res.Attributes, &commonpb.KeyValue{Key: "service.instance.id",
		Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "pod-00000"}}})
	body, err := proto.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	at := bytes.Index(body, []byte("pod-00000"))
	if at < 0 || bytes.Count(body, []byte("pod-00000")) != 1 {
		tb.Fatal("the instance id is not in the body once")
	}
	return instanceBody{body: body, offset: at}
}

// as makes the body the request of instance i.
func (b instanceBody) as(i int) []byte {
	copy(b.body[b.offset:], fmt.Sprintf("pod-%05d", i))
	return b.body
}

// instanceCounts are the fleets the release benchmarks compare: one pod,
// and a thousand pods of the same release.
var instanceCounts = []int{1, 1000}

// BenchmarkReleaseInstances is the in-process ingest path when a release
// runs as many pods: every instance sends the yardstick request (50
// metrics, 1,000 data points) once per report interval, and then every
// observation is reported (Drain: heartbeats, with their cost figures).
// One op is one interval of the whole fleet; ns/point is what a data point
// costs, scan, tallies, dedup and reports included, so that 1,000 pods
// can be set beside one.
func BenchmarkReleaseInstances(b *testing.B) {
	for _, track := range []bool{false, true} {
		for _, n := range instanceCounts {
			b.Run(fmt.Sprintf("cost=%s/instances=%d", map[bool]string{false: "off", true: "on"}[track], n), func(b *testing.B) {
				fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
				in := infer.New()
				in.SetCostTracking(track)
				p := &pipeline.Pipeline{Inferrer: in, Forwarder: fwd}
				body := newInstanceBody(b)
				ctx := context.Background()
				interval := func() {
					for i := range n {
						if _, err := p.Consume(ctx, ingest.Request{Proto: body.as(i)}); err != nil {
							b.Fatal(err)
						}
					}
					if err := fwd.Drain(ctx); err != nil {
						b.Fatal(err)
					}
				}
				interval() // every pair known: what follows is the steady state
				b.ReportAllocs()
				for b.Loop() {
					interval()
				}
				points := float64(b.N * n * otlpgen.Default().DataPoints())
				b.ReportMetric(b.Elapsed().Seconds()*1e9/points, "ns/point")
			})
		}
	}
}

// BenchmarkReleaseInstancesHeap is the live heap the ingest holds for a
// release's instances, each known (reported once) and with the yardstick
// request's data points seen since and not yet reported: the state
// between two heartbeats of a fleet that exports more often than the
// heartbeat. Tracking off, it is the pairs alone; on minus off is what the
// cost figures hold.
func BenchmarkReleaseInstancesHeap(b *testing.B) {
	for _, track := range []bool{false, true} {
		for _, n := range instanceCounts {
			b.Run(fmt.Sprintf("cost=%s/instances=%d", map[bool]string{false: "off", true: "on"}[track], n), func(b *testing.B) {
				for b.Loop() {
					releaseInstancesHeap(b, n, track)
				}
			})
		}
	}
}

func releaseInstancesHeap(b *testing.B, n int, track bool) {
	body := newInstanceBody(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	in := infer.New()
	in.SetCostTracking(track)
	p := &pipeline.Pipeline{Inferrer: in, Forwarder: fwd}
	ctx := context.Background()
	feed := func() {
		for i := range n {
			if _, err := p.Consume(ctx, ingest.Request{Proto: body.as(i)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	feed()
	if err := fwd.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	feed()
	runtime.GC()
	runtime.ReadMemStats(&after)
	live := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportMetric(live/float64(n), "live-bytes/instance")
	b.ReportMetric(live/(1<<20), "live-MiB")
	runtime.KeepAlive(p)
}
