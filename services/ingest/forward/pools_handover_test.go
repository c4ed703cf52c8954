package forward

import (
	"context"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// A release's one instance keeps its figures on its entry; when a second
// instance appears, a pool is made and takes them over. These tests hold
// the catalog's answers to what they are with each instance's own figures
// (see pools_test.go) across that hand-over.

// loneAndPooled counts the pooled forwarder's entries that keep their own
// figures and those in a pool.
func loneAndPooled(f *Forwarder) (lone, pooled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if e.pool == nil {
			lone++
		} else {
			pooled++
		}
	}
	return lone, pooled
}

// checkFigures asserts the catalog's series, data points and user.id
// estimate for the logins counter.
func checkFigures(t *testing.T, got *tallycatv1.GetSchemaResponse, series, dataPoints, users float64) {
	t.Helper()
	cost := got.Schema.GetCost()
	within(t, "series_estimate", cost.GetSeriesEstimate(), series)
	if n := cost.GetDataPoints(); float64(n) != dataPoints {
		t.Errorf("data points %d, want %.0f", n, dataPoints)
	}
	for _, f := range got.Schema.Fields {
		if f.Name == "user.id" {
			within(t, "user.id distinct", f.GetDistinctEstimate(), users)
			return
		}
	}
	t.Errorf("no user.id field in %v", got.Schema.Fields)
}

// TestSecondInstanceTakesOverTheFirstsFigures: pod-1 runs alone, is
// reported, and exports again; pod-2 of the same release appears half way
// to pod-1's heartbeat, while pod-1's second export is not reported yet.
// The pool made then holds pod-1's unreported figures with pod-2's, and
// the catalog shows what it shows with each pod's own.
func TestSecondInstanceTakesOverTheFirstsFigures(t *testing.T) {
	fl := newFleet(t, testConfig(), "pod-1", "pod-2")
	fl.export("pod-1", 0, 1000)
	fl.run(5 * time.Second)
	fl.export("pod-1", 1000, 2000)
	fl.run(5 * time.Second)
	if lone, pooled := loneAndPooled(fl.pooled); lone != 1 || pooled != 0 || len(fl.pooled.pools) != 0 {
		t.Fatalf("one instance: %d entries on their own, %d pooled, %d pools; want its entry on its own and no pool", lone, pooled, len(fl.pooled.pools))
	}
	fl.export("pod-2", 1500, 2500)
	if lone, pooled := loneAndPooled(fl.pooled); lone != 0 || pooled != 2 || len(fl.pooled.pools) != 1 {
		t.Fatalf("a second instance: %d entries on their own, %d pooled, %d pools; want both in one pool", lone, pooled, len(fl.pooled.pools))
	}
	fl.run(10 * time.Second)
	fl.export("pod-2", 2500, 3000)
	fl.run(2 * time.Minute)
	got := fl.sameView()
	// pod-1's 2,000 users and pod-2's 1,500 are series of their own (the
	// instance id differs); 3,000 users in all.
	checkFigures(t, got, 3500, 3500, 3000)
}

// onFirstSend is a catalog client that does something once, while the
// first batch it is given is on its way (outside the forwarder's lock).
type onFirstSend struct {
	Client
	do func()
}

func (c *onFirstSend) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	if do := c.do; do != nil {
		c.do = nil
		do()
	}
	return c.Client.RecordObservations(ctx, req)
}

// TestSecondInstanceAppearsWhileTheFirstIsReported: pod-2 appears while
// pod-1's report, carrying pod-1's own figures, is on its way. The pool
// starts empty; nothing pod-1 sent is counted twice or lost.
func TestSecondInstanceAppearsWhileTheFirstIsReported(t *testing.T) {
	fl := newFleet(t, testConfig(), "pod-1", "pod-2")
	fl.export("pod-1", 0, 1000)
	fl.run(5 * time.Second)
	fl.export("pod-1", 1000, 2000)
	fl.pooled.replicas = NewReplicas([]Replica{{Name: "catalog", Client: &onFirstSend{
		Client: fl.catalog.observations,
		do:     func() { fl.export("pod-2", 1500, 2500) },
	}}}, 0)
	fl.run(40 * time.Second) // pod-1's heartbeat goes out, and pod-2 appears meanwhile
	if lone, pooled := loneAndPooled(fl.pooled); lone != 0 || pooled != 2 {
		t.Fatalf("%d entries on their own, %d pooled; want both pooled", lone, pooled)
	}
	fl.export("pod-1", 2000, 2500)
	fl.export("pod-2", 2500, 3000)
	fl.run(2 * time.Minute)
	got := fl.sameView()
	// pod-1's 2,500 users and pod-2's 1,500; 3,000 users in all.
	checkFigures(t, got, 4000, 4000, 3000)
}
