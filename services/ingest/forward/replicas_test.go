package forward

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/ingest"
)

// sink is the database that catalog replicas share: it applies a batch id
// once, however many replicas it reaches, as the catalog's stores do.
type sink struct {
	mu       sync.Mutex
	arrivals map[string]int // batch id → deliveries, applied or not
	applied  map[string]int // metric name → times a new observation of it was applied
}

func newSink() *sink { return &sink{arrivals: map[string]int{}, applied: map[string]int{}} }

func (s *sink) record(req *tallycatv1.RecordObservationsRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.arrivals[req.BatchId]++; s.arrivals[req.BatchId] > 1 {
		return
	}
	for _, o := range req.Observations {
		s.applied[o.MetricName]++
	}
}

// testReplica is a catalog replica over real HTTP, with gRPC health. It can
// be closed (connections refused) or stalled: then it still records what it
// is sent, as a replica whose answer is lost would, but answers nothing,
// health checks included, until the test ends.
type testReplica struct {
	sink    *sink
	srv     *httptest.Server
	taken   atomic.Int64 // batches acknowledged
	stalled atomic.Bool
	release chan struct{}
}

func startReplica(t *testing.T, s *sink) *testReplica {
	t.Helper()
	r := &testReplica{sink: s, release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle(tallycatv1connect.NewObservationServiceHandler(r))
	health, healthHandler := grpchealth.NewHandler(grpchealth.NewStaticChecker(tallycatv1connect.ObservationServiceName))
	mux.Handle(health, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.stalled.Load() {
			r.stall(req.Context())
			return
		}
		healthHandler.ServeHTTP(w, req)
	}))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	t.Cleanup(func() { close(r.release) }) // before Close, which waits for stalled requests
	return r
}

func (r *testReplica) stall(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-r.release:
	}
}

func (r *testReplica) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	r.sink.record(req)
	if r.stalled.Load() {
		r.stall(ctx)
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("stalled"))
	}
	r.taken.Add(1)
	return &tallycatv1.RecordObservationsResponse{}, nil
}

// replicasOf are the forwarder's replicas for test replicas, as the ingest
// makes them: a Connect client and a gRPC health check each.
func replicasOf(interval time.Duration, rs ...*testReplica) *Replicas {
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	var reps []Replica
	for _, r := range rs {
		reps = append(reps, Replica{
			Name:   r.srv.URL,
			Client: tallycatv1connect.NewObservationServiceClient(hc, r.srv.URL),
			Check:  HealthCheck(grpchealth.NewClient(hc, r.srv.URL), tallycatv1connect.ObservationServiceName),
		})
	}
	return NewReplicas(reps, interval)
}

// TestFailoverLosesNothing sends a stream of new shapes over two replicas
// and makes one stop answering midway, by dying (connections refused) or by
// hanging (after recording, as when only its answer is lost). Every batch
// after that lands on the other replica, well within the ten-second attempt
// timeout, and the shared sink has every shape exactly once.
func TestFailoverLosesNothing(t *testing.T) {
	for _, mode := range []string{"closed", "stalled"} {
		t.Run(mode, func(t *testing.T) {
			s := newSink()
			a, b := startReplica(t, s), startReplica(t, s)
			reps := replicasOf(50*time.Millisecond, a, b)
			cfg := DefaultConfig()
			cfg.FlushInterval, cfg.MaxBatch = 10*time.Millisecond, 4
			cfg.RetryMin, cfg.RetryMax = 5*time.Millisecond, 50*time.Millisecond
			f, err := NewReplicated(reps, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { f.Run(ctx) })
			wg.Go(func() { reps.Watch(ctx) })
			t.Cleanup(func() { cancel(); wg.Wait() })

			const shapes = 300
			var stoppedAt time.Time
			var aBefore int64
			for i := 0; i < shapes; i += 5 {
				if i == shapes/2 {
					waitUntil(t, "both replicas took batches", func() bool { return a.taken.Load() > 0 && b.taken.Load() > 0 })
					aBefore, stoppedAt = a.taken.Load(), time.Now()
					if mode == "closed" {
						a.srv.Close()
					} else {
						a.stalled.Store(true)
					}
				}
				var batch []ingest.Observation
				for j := i; j < i+5; j++ {
					batch = append(batch, obs(fmt.Sprintf("m%03d", j), "svc"))
				}
				if _, err := f.Add(batch, time.Now()); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Millisecond)
			}
			waitUntil(t, "everything delivered", func() bool { return f.Pending() == 0 })
			if took := time.Since(stoppedAt); took > 5*time.Second {
				t.Errorf("delivering the second half took %v: failover waited for attempt timeouts", took)
			}
			if got := reps.Healthy(); len(got) != 1 || got[0] != b.srv.URL {
				t.Errorf("healthy replicas %v, want only %s", got, b.srv.URL)
			}
			if a.taken.Load() > aBefore+1 { // one batch may have been in flight when it stopped
				t.Errorf("the stopped replica acknowledged %d batches after it stopped", a.taken.Load()-aBefore)
			}

			s.mu.Lock()
			defer s.mu.Unlock()
			for i := range shapes {
				if n := s.applied[fmt.Sprintf("m%03d", i)]; n != 1 {
					t.Errorf("m%03d applied %d times, want 1", i, n)
				}
			}
			if len(s.applied) != shapes {
				t.Errorf("%d shapes applied, want %d", len(s.applied), shapes)
			}
			if st := f.Stats(); st.Dropped != 0 {
				t.Errorf("%d observations dropped", st.Dropped)
			}
			if mode == "stalled" {
				retried := 0
				for _, n := range s.arrivals {
					if n > 1 {
						retried++
					}
				}
				if retried == 0 {
					t.Error("no batch reached both replicas: the stalled one's batch was not retried under its id")
				}
			}
		})
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: not %s", what)
		}
	}
}

// switchCatalog is a replica that is down or up at the test's word; its
// health check says the same.
type switchCatalog struct {
	fakeCatalog
	up atomic.Bool
}

func (c *switchCatalog) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	if !c.up.Load() {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("down"))
	}
	return c.fakeCatalog.RecordObservations(ctx, req)
}

func (c *switchCatalog) check(context.Context) error {
	if !c.up.Load() {
		return errors.New("not serving")
	}
	return nil
}

// TestNoHealthyReplicaBuffers: with every replica down, the forwarder holds
// new observations and refuses past MaxPending, as with one catalog down,
// and delivers them all once any replica is back.
func TestNoHealthyReplicaBuffers(t *testing.T) {
	a, b := &switchCatalog{}, &switchCatalog{}
	reps := NewReplicas([]Replica{{Name: "a", Client: a, Check: a.check}, {Name: "b", Client: b, Check: b.check}}, 20*time.Millisecond)
	cfg := testConfig()
	cfg.FlushInterval, cfg.MaxPending = 10*time.Millisecond, 10
	f, err := NewReplicated(reps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { f.Run(ctx) })
	wg.Go(func() { reps.Watch(ctx) })
	defer func() { cancel(); wg.Wait() }()

	waitUntil(t, "both replicas unhealthy", func() bool { return len(reps.Healthy()) == 0 })
	for i := range 10 {
		if _, err := f.Add([]ingest.Observation{obs(fmt.Sprintf("m%d", i), "svc")}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Add([]ingest.Observation{obs("one-too-many", "svc")}, time.Now()); !errors.Is(err, ingest.ErrOverloaded) {
		t.Fatalf("past MaxPending with no replica up: %v, want ErrOverloaded", err)
	}
	b.up.Store(true)
	waitUntil(t, "everything delivered to b", func() bool { return f.Pending() == 0 })
	if a.count() != 0 {
		t.Errorf("a, down throughout, acknowledged %d batches", a.count())
	}
	var names []string
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, req := range b.calls {
		for _, o := range req.Observations {
			names = append(names, o.MetricName)
		}
	}
	if len(names) != 10 {
		t.Errorf("b got %d observations (%s), want 10", len(names), strings.Join(names, " "))
	}
	if _, err := f.Add([]ingest.Observation{obs("one-too-many", "svc")}, time.Now()); err != nil {
		t.Errorf("after delivery: %v", err)
	}
}

// TestRoundRobinOverHealthyReplicas: picks go round the healthy replicas,
// skip one that failed, and fall back to every replica in turn when none is
// healthy.
func TestRoundRobinOverHealthyReplicas(t *testing.T) {
	reps := NewReplicas([]Replica{{Name: "a"}, {Name: "b"}, {Name: "c"}}, 0)
	picks := func(n int) string {
		var out []string
		for range n {
			rep, _ := reps.pick()
			out = append(out, rep.Name)
		}
		return strings.Join(out, "")
	}
	if got := picks(6); got != "abcabc" {
		t.Errorf("all healthy: %s", got)
	}
	reps.failed(reps.all[1], errors.New("refused"))
	if got := picks(4); got != "acac" {
		t.Errorf("b failed: %s", got)
	}
	reps.failed(reps.all[0], errors.New("refused"))
	reps.failed(reps.all[2], errors.New("refused"))
	if _, down := reps.pick(); down != nil {
		t.Error("a pick with no healthy replica can be cancelled by a health change")
	}
	if got := picks(3); len(got) != 3 || !strings.Contains(got, "a") || !strings.Contains(got, "b") || !strings.Contains(got, "c") {
		t.Errorf("none healthy: %s, want each in turn", got)
	}
	reps.succeeded(reps.all[1])
	if got := picks(2); got != "bb" {
		t.Errorf("b back: %s", got)
	}
}
