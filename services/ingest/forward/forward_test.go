package forward

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
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
	sh := schemaid.Shape{Name: name, Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE}
	return ingest.Observation{SchemaID: schemaid.ID(sh), Shape: sh, Producer: ingest.Producer{ServiceName: service}, DataPoints: 10}
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
	res, err := f.Add([]ingest.Observation{long, obs("ok", "svc")}, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 10 || len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "metric_name") {
		t.Errorf("refused %d: %v; want the 10 points of the long name, naming metric_name", res.Rejected, res.Reasons)
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

// TestSentMessageCarriesTheShape checks that what the forwarder remembers of
// a shape (its canonical encoding) gives back every field of it when sent.
func TestSentMessageCarriesTheShape(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	sh := schemaid.Shape{
		Name: "http.server.request.duration", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_DELTA, Monotonic: true,
		Attributes: []schemaid.Attribute{{Key: "http.method", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}, {Key: "ok", Type: tallycatv1.ValueType_VALUE_TYPE_BOOL}},
	}
	o := ingest.Observation{
		SchemaID: schemaid.ID(sh), Shape: sh, Canonical: string(schemaid.AppendCanonical(nil, &sh)),
		Description: "time", Producer: ingest.Producer{ServiceName: "api", ServiceInstanceID: "i-1"},
		ScopeName: "net/http", ScopeVersion: "1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}},
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
