package forward

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"connectrpc.com/grpchealth"
)

// Replicas: which catalog replica an attempt to send a batch goes to. The
// batching logic (send.go) knows nothing of replicas beyond asking for one
// and saying how the attempt went.

// DefaultCheckInterval is how often each replica's health is checked.
const DefaultCheckInterval = time.Second

// Replica is one catalog the forwarder may send to.
type Replica struct {
	// Name identifies the replica in logs; the ingest uses its base URL.
	Name string
	// Client sends batches to it.
	Client Client
	// Check asks the replica whether it can take batches, through gRPC
	// health (see HealthCheck). Nil judges the replica by its sends alone.
	Check func(context.Context) error
}

// replica is a Replica and what is known of its health.
type replica struct {
	Replica
	healthy bool
	// down is closed when the replica is found unhealthy, so that an
	// attempt in flight on it can give up and go to another replica
	// instead of waiting for its timeout; a new channel is made when the
	// replica is healthy again.
	down chan struct{}
}

// Replicas chooses the catalog replica each attempt goes to: the healthy
// ones in turn, so that batches spread over them. A replica that fails a
// send or a check is unhealthy until a check or a send succeeds; Watch
// checks every replica every interval. It is safe for concurrent use.
type Replicas struct {
	interval time.Duration

	mu   sync.Mutex
	all  []*replica
	next int // where the round robin goes on from
}

// NewReplicas returns replicas that are all taken to be healthy until a
// check or a send says otherwise, so that the first batch need not wait
// for the first checks. An interval of 0 is DefaultCheckInterval.
func NewReplicas(reps []Replica, interval time.Duration) *Replicas {
	if interval <= 0 {
		interval = DefaultCheckInterval
	}
	r := &Replicas{interval: interval}
	for _, rep := range reps {
		r.all = append(r.all, &replica{Replica: rep, healthy: true, down: make(chan struct{})})
	}
	return r
}

// pick returns the replica for the next attempt, and a channel closed if
// it is found unhealthy meanwhile (nil when it is not healthy now). It is
// the next healthy replica in turn, or, when none is healthy, the next one
// in turn anyway: the forwarder then backs off between attempts exactly
// as it does when a single catalog is down, each attempt is a check of its
// own, and one that succeeds finds its replica healthy before the
// background check would.
func (r *Replicas) pick() (*replica, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.all)
	for i := range n {
		rep := r.all[(r.next+i)%n]
		if rep.healthy {
			r.next = (r.next + i + 1) % n
			return rep, rep.down
		}
	}
	rep := r.all[r.next%n]
	r.next = (r.next + 1) % n
	return rep, nil
}

// anyHealthy reports whether some replica is healthy: whether a failed
// attempt can go on at once to another replica rather than back off.
func (r *Replicas) anyHealthy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rep := range r.all {
		if rep.healthy {
			return true
		}
	}
	return false
}

// failed marks a replica unhealthy after a send to it failed.
func (r *Replicas) failed(rep *replica, err error) { r.set(rep, err, "send") }

// succeeded marks a replica healthy after it took a batch.
func (r *Replicas) succeeded(rep *replica) { r.set(rep, nil, "send") }

// set records what a send or a check found, and logs the changes only.
func (r *Replicas) set(rep *replica, err error, by string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	healthy := err == nil
	if healthy == rep.healthy {
		return
	}
	rep.healthy = healthy
	if healthy {
		rep.down = make(chan struct{})
		slog.Info("catalog replica healthy", "catalog", rep.Name, "by", by)
		return
	}
	close(rep.down)
	slog.Warn("catalog replica unhealthy", "catalog", rep.Name, "by", by, "error", err)
}

// Healthy names the replicas now healthy, in the order they were given.
func (r *Replicas) Healthy() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, rep := range r.all {
		if rep.healthy {
			names = append(names, rep.Name)
		}
	}
	return names
}

// failedChecksToDown is how many health checks in a row must fail before
// Watch takes a replica out of rotation.
const failedChecksToDown = 2

// Watch checks every replica that has a Check, at once and then every
// interval, until ctx ends. A check may take up to two intervals, so that
// a replica that is slow to answer is not taken for a dead one, while one
// that stopped answering is found within a few seconds.
func (r *Replicas) Watch(ctx context.Context) {
	var wg sync.WaitGroup
	for _, rep := range r.all {
		if rep.Check == nil {
			continue
		}
		wg.Go(func() {
			t := time.NewTicker(r.interval)
			defer t.Stop()
			fails := 0
			for {
				checkCtx, cancel := context.WithTimeout(ctx, 2*r.interval)
				err := rep.Check(checkCtx)
				cancel()
				if ctx.Err() != nil {
					return
				}
				// One failed check may be a busy moment; two in a row take
				// the replica out (a failed send does at once).
				if fails = fails + 1; err == nil {
					fails = 0
				}
				if err == nil || fails >= failedChecksToDown {
					r.set(rep, err, "health check")
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}

// HealthCheck is a Replica's Check through gRPC health: the replica is
// healthy when it says the service is SERVING. The catalog says
// NOT_SERVING while its database does not answer.
func HealthCheck(checker grpchealth.Checker, service string) func(context.Context) error {
	return func(ctx context.Context) error {
		res, err := checker.Check(ctx, &grpchealth.CheckRequest{Service: service})
		if err != nil {
			return err
		}
		if res.Status != grpchealth.StatusServing {
			return fmt.Errorf("gRPC health of %s: %v", service, res.Status)
		}
		return nil
	}
}
