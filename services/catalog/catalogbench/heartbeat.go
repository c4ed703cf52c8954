package catalogbench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Steady state: every pair of the benchmark catalog is a live stream, and
// four ingest replicas send each one's heartbeat every 30 seconds, as the
// ingest's forwarder does once a stream's shape is known: the pair again
// (shape, producer, scope, resource keys), its data points and times since
// the last report, and its cost figures (its series and each data point
// attribute's values; each resource attribute's one value, withheld).
// A replica flushes once a second, and its streams' heartbeats ripen
// spread over the interval as the streams were first seen, so each flush
// carries a thirtieth of its streams.
//
// The catalog's work per interval is what a steady state costs; the
// interval's 30 seconds are not waited out but compressed: the batches go
// as fast as the catalog takes them, and the figures are per interval,
// then scaled to a second and an hour. An hour holds 120 intervals in six
// ten-minute cost buckets: in each, one interval opens the bucket (a new
// row per stream), the next is the first to update those rows (which a
// database whose pages the inserts filled writes anew), and 18 more
// update them again; the three kinds are measured apart and weighed so.
//
// So that a run takes a minute or two, not ten, each interval sends
// sampledFlushes of each replica's 30 flushes, the same ones every
// interval (so the same streams, a tenth of them, in batches of the real
// size), and its figures are scaled by 30 / sampledFlushes. The catalog
// they land in is the whole 100k-schema one.

const (
	// LiveStreams is every (schema, producer) pair Fill records.
	LiveStreams = Keys * SchemasPerKey
	// IngestReplicas share the streams, each holding a quarter.
	IngestReplicas = 4
	// HeartbeatInterval is the forwarder's default.
	HeartbeatInterval = 30 * time.Second
	// FlushesPerInterval is the forwarder's flushes in an interval, one a
	// second.
	FlushesPerInterval = 30
	// sampledFlushes are the flushes of each replica sent per interval:
	// 0, 10 and 20 of 30.
	sampledFlushes = 3
	// mergingIntervals are measured in each bucket after the one that
	// opens it: the first, and some of the others, whose growth is small
	// and is scaled by 1,080 (a block of DuckDB's is 256 kB).
	mergingIntervals = 4
)

// sampleScale scales a sampled interval's figures to the whole interval.
const sampleScale = float64(FlushesPerInterval) / sampledFlushes

// HeartbeatEngine is what Heartbeats needs of a store.
type HeartbeatEngine struct {
	// Open opens the benchmark catalog, filled by Fill: the same database
	// at each call.
	Open func(b *testing.B) catalog.Store
	// Size is the bytes the database holds on disk, read with the store
	// closed, once the engine has done what a running catalog does in the
	// background to keep it compact (a checkpoint, a vacuum). Its CPU is
	// counted with the interval's.
	Size func(b *testing.B) int64
	// ServerCPU is the CPU time of the database server's processes so
	// far; nil for an engine that runs in the catalog's process, whose CPU
	// the process's already counts.
	ServerCPU func(b *testing.B) time.Duration
}

// HeartbeatObservation is the heartbeat of live stream n, the pair Fill
// recorded n-th, covering the interval that ends at at: 40 data points,
// 20 series, 5 values of each of its three attributes, and its producer's
// resource values (fields, shared by the streams of one producer and
// read only).
func HeartbeatObservation(n int, fields []catalog.FieldFigures, at time.Time) catalog.Observation {
	k, v := n/SchemasPerKey, n%SchemasPerKey
	o := Observation(k, v, n%Producers, at)
	o.FirstObserved = at.Add(-HeartbeatInterval + time.Second)
	o.DataPoints = 40
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	for i := range 20 {
		o.Series.Add(cardinality.HashString(str, fmt.Sprint(n, "/", i)))
	}
	o.Fields = fields
	return o
}

// heartbeatFields are the cost figures of producer p's heartbeats: its
// variant's data point attributes (Observation's, which v = p mod
// SchemasPerKey chooses) and its five resource attributes.
func heartbeatFields(p int) []catalog.FieldFigures {
	o := CostObservation(0, p%SchemasPerKey, time.Time{})
	fields := o.Fields
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	for _, a := range o.ResourceAttributes {
		f := catalog.FieldFigures{Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, Key: a.Key, Type: a.Type,
			State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD}
		f.Distinct.Add(cardinality.HashString(str, fmt.Sprint(a.Key, "=host-", p)))
		fields = append(fields, f)
	}
	return fields
}

// heartbeatLoad is one interval's sampled batches: l[r][i] is what
// replica r sends at its flush i × 30 / sampledFlushes.
type heartbeatLoad [IngestReplicas][sampledFlushes][]catalog.Observation

// flushOf is the flush of the load's i-th batch of a replica.
func flushOf(i int) int { return i * FlushesPerInterval / sampledFlushes }

func newHeartbeatLoad() *heartbeatLoad {
	fields := make([][]catalog.FieldFigures, Producers)
	for p := range fields {
		fields[p] = heartbeatFields(p)
	}
	var l heartbeatLoad
	for n := range LiveStreams {
		r, f := n%IngestReplicas, (n/IngestReplicas)%FlushesPerInterval
		if f%(FlushesPerInterval/sampledFlushes) == 0 {
			i := f / (FlushesPerInterval / sampledFlushes)
			l[r][i] = append(l[r][i], HeartbeatObservation(n, fields[n%Producers], time.Time{}))
		}
	}
	return &l
}

// at dates the interval that ends at end: flush f at end - 29 s + f s.
func (l *heartbeatLoad) at(end time.Time) {
	for r := range l {
		for i := range l[r] {
			last := end.Add(-HeartbeatInterval + time.Duration(flushOf(i)+1)*time.Second)
			for j := range l[r][i] {
				o := &l[r][i][j]
				o.FirstObserved, o.LastObserved = last.Add(-HeartbeatInterval+time.Second), last
			}
		}
	}
}

// cost is the wall and CPU time of a piece of work.
type cost struct{ wall, cpu, serverCPU time.Duration }

// intervalFigures are what one sampled interval cost: sending its
// batches, then settling (see HeartbeatEngine.Size), and the bytes the
// store grew by.
type intervalFigures struct {
	send, settle cost
	growth       int64
	batches      []time.Duration
}

// Heartbeats measures the steady state (see above) on a store: one
// interval first, unmeasured, to give every stream a row in its bucket,
// then per b.N a bucket: the interval that opens it and mergingIntervals
// more. It reports the catalog's CPU per second (cpu-s/s; the database
// server's apart, server-cpu-s/s, where it has one), the store's growth
// per hour (store-MiB/h), the share of the time the catalog's writes
// take (writer-busy-%: past 100 one catalog falls behind), the
// heartbeats a second it took in (heartbeats/s; 3,333 is the load), and
// the batches' latency (p50-ms, p99-ms), each replica's batches queueing
// behind the others' at the catalog's one writer.
//
// The settling is counted once an interval, unscaled: about as often as
// a running catalog checkpoints (every 16 MB of log) or PostgreSQL's
// autovacuum visits the tables heartbeats update (once a minute at most).
func Heartbeats(b *testing.B, e HeartbeatEngine) {
	load := newHeartbeatLoad()
	// The buckets measured end before now: times from the future would
	// be what no ingest sends.
	t0 := cardinality.BucketOf(time.Now()).Add(-time.Duration(b.N+1) * cardinality.BucketWidth)
	size := e.Size(b)
	measure := func(fn func()) cost {
		cpu, server, start := CPUTime(), serverCPU(b, e), time.Now()
		fn()
		return cost{time.Since(start), CPUTime() - cpu, serverCPU(b, e) - server}
	}
	run := func(end time.Time, nonce string) intervalFigures {
		load.at(end)
		s := e.Open(b)
		// A store reads what it knows at its first write, once in a
		// running catalog's life: not a heartbeat's cost.
		if _, err := s.RecordObservations(context.Background(), "", nil); err != nil {
			b.Fatalf("a first, empty write: %v", err)
		}
		var fig intervalFigures
		fig.send = measure(func() { fig.batches = sendInterval(b, s, load, nonce) })
		after := size
		fig.settle = measure(func() {
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			after = e.Size(b)
		})
		fig.growth, size = after-size, after
		b.Logf("interval %s (1/%.0f of it): sent in %.1f s, %.1f CPU-s (server %.1f); settled in %.1f s, %.1f CPU-s (server %.1f); grew %.1f MiB",
			nonce, sampleScale, fig.send.wall.Seconds(), fig.send.cpu.Seconds(), fig.send.serverCPU.Seconds(),
			fig.settle.wall.Seconds(), fig.settle.cpu.Seconds(), fig.settle.serverCPU.Seconds(), float64(fig.growth)/(1<<20))
		return fig
	}
	run(t0.Add(HeartbeatInterval), "warm")
	var opening, first, later []intervalFigures
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bucket := t0.Add(time.Duration(i+1) * cardinality.BucketWidth)
		// Every flush of the opening interval falls in the new bucket.
		opening = append(opening, run(bucket.Add(HeartbeatInterval), fmt.Sprint(i, "-open")))
		for j := 1; j <= mergingIntervals; j++ {
			fig := run(bucket.Add(time.Duration(j+1)*HeartbeatInterval), fmt.Sprint(i, "-", j))
			if j == 1 {
				first = append(first, fig)
			} else {
				later = append(later, fig)
			}
		}
	}
	b.StopTimer()
	reportHeartbeats(b, opening, first, later, e.ServerCPU != nil)
}

func serverCPU(b *testing.B, e HeartbeatEngine) time.Duration {
	if e.ServerCPU == nil {
		return 0
	}
	return e.ServerCPU(b)
}

// sendInterval sends an interval's batches, each replica its own in turn
// beside the others, and returns each batch's latency.
func sendInterval(b *testing.B, s catalog.Store, load *heartbeatLoad, nonce string) []time.Duration {
	var (
		mu      sync.Mutex
		lat     []time.Duration
		wg      sync.WaitGroup
		errs    = make(chan error, IngestReplicas)
		started = time.Now().UnixNano()
	)
	for r := range load {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, batch := range load[r] {
				t := time.Now()
				id := fmt.Sprintf("heartbeat-%d-%s-%d-%d", started, nonce, r, flushOf(i))
				if _, err := s.RecordObservations(context.Background(), id, batch); err != nil {
					errs <- fmt.Errorf("replica %d, flush %d: %w", r, flushOf(i), err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return lat
}

// reportHeartbeats weighs the opening, first and later intervals as an
// hour holds them, scales the sample to the whole load, and reports the
// figures Heartbeats names.
func reportHeartbeats(b *testing.B, opening, first, later []intervalFigures, server bool) {
	const perHour = int(time.Hour / HeartbeatInterval)
	buckets := int(time.Hour / cardinality.BucketWidth)
	mean := func(figs []intervalFigures, of func(intervalFigures) float64) float64 {
		sum := 0.0
		for _, f := range figs {
			sum += of(f)
		}
		return sum / float64(len(figs))
	}
	// hourly is an hour's total of a figure of an interval's.
	hourly := func(of func(intervalFigures) float64) float64 {
		return float64(buckets)*(mean(opening, of)+mean(first, of)) + float64(perHour-2*buckets)*mean(later, of)
	}
	// whole is a cost of a whole interval: the sample's sending scaled,
	// and one settling.
	whole := func(of func(cost) time.Duration) func(intervalFigures) float64 {
		return func(f intervalFigures) float64 { return sampleScale*of(f.send).Seconds() + of(f.settle).Seconds() }
	}
	hour := time.Hour.Seconds()
	b.ReportMetric(hourly(whole(func(c cost) time.Duration { return c.cpu }))/hour, "cpu-s/s")
	if server {
		b.ReportMetric(hourly(whole(func(c cost) time.Duration { return c.serverCPU }))/hour, "server-cpu-s/s")
	}
	b.ReportMetric(sampleScale*hourly(func(f intervalFigures) float64 { return float64(f.growth) })/(1<<20), "store-MiB/h")
	b.ReportMetric(100*hourly(whole(func(c cost) time.Duration { return c.wall }))/hour, "writer-busy-%")
	all := slices.Concat(opening, first, later)
	b.ReportMetric(float64(LiveStreams)/sampleScale/mean(all, func(f intervalFigures) float64 { return f.send.wall.Seconds() }), "heartbeats/s")
	var lat []time.Duration
	for _, f := range all {
		lat = append(lat, f.batches...)
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}
