package forward

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/ingest"
)

// fakeCatalog records calls and fails the first failures of them.
type fakeCatalog struct {
	mu       sync.Mutex
	calls    []*tallycatv1.RecordObservationsRequest
	failures int
	err      error
}

func (c *fakeCatalog) RecordObservations(_ context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, req)
	if c.failures > 0 {
		c.failures--
		if c.err != nil {
			return nil, c.err
		}
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("catalog down"))
	}
	return &tallycatv1.RecordObservationsResponse{}, nil
}

func (c *fakeCatalog) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTest(t *testing.T, cfg Config) (*Forwarder, *fakeCatalog, *clock) {
	t.Helper()
	cat := &fakeCatalog{}
	f, err := New(cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.now = c.now
	return f, cat, c
}

func obs(name, service string) ingest.Observation {
	sh := schemaid.Shape{Name: name, Type: Gauge}
	return ingest.Observation{VariantID: schemaid.ID(sh), Shape: sh, Producer: ingest.Producer{ServiceName: service}, DataPoints: 10}
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.RetryMin, cfg.RetryMax = time.Millisecond, 2*time.Millisecond
	return cfg
}

func TestKnownShapesAreOnlyHeartbeats(t *testing.T) {
	ctx := context.Background()
	f, cat, clk := newTest(t, testConfig())
	o := obs("m", "svc")
	for i := 0; i < 100; i++ {
		if _, err := f.Add([]ingest.Observation{o}, clk.now()); err != nil {
			t.Fatal(err)
		}
	}
	f.flush(ctx, false)
	if cat.count() != 1 || cat.calls[0].Observations[0].DataPointCount != 1000 {
		t.Fatalf("first flush: %d calls %v, want one with 1000 points", cat.count(), cat.calls)
	}
	for i := 0; i < 10; i++ {
		clk.t = clk.t.Add(time.Second)
		f.Add([]ingest.Observation{o}, clk.now())
		f.flush(ctx, false)
	}
	if cat.count() != 1 {
		t.Fatalf("a known shape was sent %d more times before its heartbeat", cat.count()-1)
	}
	clk.t = clk.t.Add(30 * time.Second)
	f.flush(ctx, false)
	if cat.count() != 2 || cat.calls[1].Observations[0].DataPointCount != 100 {
		t.Fatalf("heartbeat: %d calls, want a second with the 100 points seen since", cat.count())
	}
	f.flush(ctx, false)
	if cat.count() != 2 {
		t.Error("an idle shape was sent again")
	}
	// A changed description is news: it goes at the next flush.
	changed := o
	changed.Description = "now described"
	f.Add([]ingest.Observation{changed}, clk.now())
	f.flush(ctx, false)
	if cat.count() != 3 || cat.calls[2].Observations[0].Description != "now described" {
		t.Errorf("changed description not sent promptly: %d calls", cat.count())
	}
}

func TestRetriesKeepTheBatchID(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	cat.failures = 3
	f.Add([]ingest.Observation{obs("m", "svc")}, clk.now())
	if err := f.flush(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if cat.count() != 4 {
		t.Fatalf("%d attempts, want 4", cat.count())
	}
	for _, c := range cat.calls[1:] {
		if c.BatchId != cat.calls[0].BatchId {
			t.Errorf("a retry used batch id %s, the first %s", c.BatchId, cat.calls[0].BatchId)
		}
	}
	if f.Pending() != 0 || f.Stats().Retries != 3 {
		t.Errorf("stats = %+v", f.Stats())
	}
}

func TestBoundedBufferRefusesWhenFull(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPending = 2
	f, cat, clk := newTest(t, cfg)
	cat.failures = 1 << 30
	if _, err := f.Add([]ingest.Observation{obs("a", "s"), obs("b", "s")}, clk.now()); err != nil {
		t.Fatal(err)
	}
	// The catalog is down: the attempt is abandoned and everything kept.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	f.flush(ctx, false)
	cancel()
	if _, err := f.Add([]ingest.Observation{obs("c", "s")}, clk.now()); !errors.Is(err, ingest.ErrOverloaded) {
		t.Fatalf("third new shape = %v, want overloaded", err)
	}
	if _, err := f.Add([]ingest.Observation{obs("a", "s")}, clk.now()); err != nil {
		t.Errorf("a shape already held = %v, want accepted", err)
	}
	cat.mu.Lock()
	cat.failures = 0
	cat.mu.Unlock()
	if err := f.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := cat.calls[len(cat.calls)-1]
	if len(last.Observations) != 2 {
		t.Errorf("after recovery sent %d observations, want 2", len(last.Observations))
	}
	var total uint64
	for _, o := range last.Observations {
		total += o.DataPointCount
	}
	if total != 30 {
		t.Errorf("delivered %d data points, want 30: counts of failed attempts must not be lost", total)
	}
	if _, err := f.Add([]ingest.Observation{obs("c", "s")}, clk.now()); err != nil {
		t.Errorf("after draining, a new shape = %v", err)
	}
}

func TestInvalidObservationsAreRefusedWithAReason(t *testing.T) {
	f, _, clk := newTest(t, testConfig())
	long := obs(strings.Repeat("n", 2000), "svc")
	// A NUL, which PostgreSQL's text cannot hold: refused here, alone,
	// rather than failing the catalog's batch again and again.
	nul := obs("cpu\x00time", "svc")
	res, err := f.Add([]ingest.Observation{long, nul, obs("ok", "svc")}, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 20 || len(res.Reasons) != 2 || !strings.Contains(res.Reasons[0], "metric_name") || !strings.Contains(res.Reasons[1], "metric_name") {
		t.Errorf("refused %d: %v; want the 10 points of the long name and of the NUL one, naming metric_name", res.Rejected, res.Reasons)
	}
	if f.Pending() != 1 {
		t.Errorf("pending = %d, want the valid one", f.Pending())
	}
}

func TestPermanentRefusalIsCountedNotRetried(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	cat.failures, cat.err = 1, connect.NewError(connect.CodeInvalidArgument, errors.New("bad"))
	f.Add([]ingest.Observation{obs("m", "svc")}, clk.now())
	f.flush(context.Background(), false)
	if cat.count() != 1 || f.Stats().Dropped != 1 || f.Pending() != 0 {
		t.Errorf("calls %d, stats %+v", cat.count(), f.Stats())
	}
}

func TestKnownSetIsBounded(t *testing.T) {
	cfg := testConfig()
	cfg.MaxKnown = 10
	f, _, clk := newTest(t, cfg)
	for i := 0; i < 50; i++ {
		f.Add([]ingest.Observation{obs("m", string(rune('a'+i)))}, clk.now())
		f.flush(context.Background(), false)
	}
	if n := f.Stats().Known; n > 10 {
		t.Errorf("remembers %d observations, bound 10", n)
	}
	// Producers are forgotten with their last observation, so that a fleet
	// whose instances come and go does not grow the ingest.
	if len(f.producers) > 10 || len(f.scopes) > 1 {
		t.Errorf("remembers %d producers and %d scopes for %d observations", len(f.producers), len(f.scopes), f.Stats().Known)
	}
}

// TestKnownSetForgetsTheOldestReports: over its bound, the forwarder
// forgets the pairs it reported longest ago, and keeps the recent ones,
// however many it must forget at once.
func TestKnownSetForgetsTheOldestReports(t *testing.T) {
	f, _, clk := newTest(t, testConfig())
	add := func(svc string) {
		clk.t = clk.t.Add(time.Second)
		f.Add([]ingest.Observation{obs("m", svc)}, clk.now())
		f.flush(context.Background(), false)
	}
	for _, svc := range []string{"c", "a", "e", "b", "d", "f"} {
		add(svc)
	}
	f.cfg.MaxKnown = 3 // six known: the next report forgets four
	add("g")
	var kept []string
	for k := range f.entries {
		kept = append(kept, k.producer.p.ServiceName)
	}
	slices.Sort(kept)
	if !slices.Equal(kept, []string{"d", "f", "g"}) {
		t.Errorf("kept %v, want the three reported last, d, f and g", kept)
	}
}

// TestSentMessageCarriesTheShape checks that what the forwarder remembers of
// a shape (its canonical encoding) gives back every field of it when sent.
func TestSentMessageCarriesTheShape(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	sh := schemaid.Shape{
		Name: "http.server.request.duration", Type: Sum, Unit: "s",
		Temporality: Delta, Monotonic: true,
		Attributes: []schemaid.Attribute{{Key: "http.method", Type: String}, {Key: "ok", Type: Bool}},
	}
	o := ingest.Observation{
		VariantID: schemaid.ID(sh), Shape: sh, Canonical: string(schemaid.AppendCanonical(nil, &sh)),
		Description: "time", Producer: ingest.Producer{ServiceName: "api", ServiceInstanceID: "i-1"},
		ScopeName: "net/http", ScopeVersion: "1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: String}},
		DataPoints:         3,
	}
	if _, err := f.Add([]ingest.Observation{o}, clk.now()); err != nil {
		t.Fatal(err)
	}
	f.flush(context.Background(), false)
	if cat.count() != 1 {
		t.Fatalf("%d calls", cat.count())
	}
	got := cat.calls[0].Observations[0]
	want := toProto(&o)
	want.DataPointCount = 3
	want.FirstObserved, want.LastObserved = got.FirstObserved, got.LastObserved
	if !proto.Equal(got, want) {
		t.Errorf("sent\n%v\nwant\n%v", got, want)
	}
	if !got.FirstObserved.AsTime().Equal(clk.now()) {
		t.Errorf("first observed %v, want %v", got.FirstObserved.AsTime(), clk.now())
	}
}

// TestHeartbeatsFollowTheSchedule checks the queue of heartbeats over many
// entries: each entry seen since its last report is sent once its interval
// is over, idle ones are not, and one sent early because it changed is not
// also sent for its old schedule.
func TestHeartbeatsFollowTheSchedule(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.MaxBatch = 7 // several batches a flush
	f, cat, clk := newTest(t, cfg)
	var all []ingest.Observation
	for i := 0; i < 40; i++ {
		all = append(all, obs(fmt.Sprintf("m%d", i), "svc"))
	}
	if _, err := f.Add(all, clk.now()); err != nil {
		t.Fatal(err)
	}
	f.flush(ctx, false)
	sent := func() map[string]int {
		n := map[string]int{}
		for _, c := range cat.calls {
			for _, o := range c.Observations {
				n[o.MetricName]++
			}
		}
		return n
	}
	if got := sent(); len(got) != 40 {
		t.Fatalf("first flush sent %d of 40 observations", len(got))
	}
	// Half are seen again; one of them changes and goes at once.
	clk.t = clk.t.Add(time.Second)
	f.Add(all[:20], clk.now())
	changed := all[0]
	changed.Description = "changed"
	f.Add([]ingest.Observation{changed}, clk.now())
	f.flush(ctx, false)
	if got := sent(); got["m0"] != 2 || got["m1"] != 1 {
		t.Fatalf("after a change: m0 sent %d times (want 2), m1 %d (want 1)", got["m0"], got["m1"])
	}
	clk.t = clk.t.Add(cfg.HeartbeatInterval)
	f.flush(ctx, false)
	got := sent()
	for i := 1; i < 40; i++ {
		want := 1
		if i < 20 {
			want = 2 // seen since: a heartbeat
		}
		if n := got[fmt.Sprintf("m%d", i)]; n != want {
			t.Errorf("m%d sent %d times, want %d", i, n, want)
		}
	}
	if got["m0"] != 2 {
		t.Errorf("m0, sent early when it changed and not seen since, was sent %d times, want 2", got["m0"])
	}
	// The idle ones are looked at again later, and sent once they are seen.
	f.Add(all[30:31], clk.now())
	clk.t = clk.t.Add(cfg.HeartbeatInterval)
	f.flush(ctx, false)
	if n := sent()["m30"]; n != 2 {
		t.Errorf("m30, idle for an interval then seen, was sent %d times, want 2", n)
	}
}
