package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// countingStore is a replica's store that counts the full judgings the
// replica makes: each reads the catalog's first page of keys.
type countingStore struct {
	*postgres.Store
	judgings atomic.Int32
}

func (s *countingStore) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	if after == "" {
		s.judgings.Add(1)
	}
	return s.Store.ListJudging(ctx, after, limit)
}

// replica is a catalog process on the shared database, as far as
// findings go: its store and its Findings, running until stop.
type replica struct {
	store *countingStore
	x     *conformance.Findings
	stop  func()
}

func startReplica(t *testing.T, dsn string, interval time.Duration, leads bool, levels map[string]tallycatv1.FindingLevel) *replica {
	t.Helper()
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s := &countingStore{Store: open(t, dsn)}
	if leads && !s.Leading(context.Background()) {
		t.Fatal("the first replica does not lead")
	}
	x := &conformance.Findings{Store: s, Judge: conformance.Judge{Registry: reg, Levels: levels}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); x.Run(ctx, interval) }()
	r := &replica{store: s, x: x}
	r.stop = func() { cancel(); <-done; s.Close() }
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// served is what a replica serves: when its judging began, and every
// finding in its order. Before it serves a judging it is asked nothing
// else: a list asked of a replica with none judges one.
func (r *replica) served(t *testing.T) (time.Time, []string) {
	t.Helper()
	at := r.x.Summary().JudgedAt
	if at.IsZero() {
		return at, nil
	}
	all, _, err := r.x.List(context.Background(), conformance.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(all))
	for i, f := range all {
		out[i] = fmt.Sprintf("%s %v %s %s %q %v %d", f.ID, f.Level, f.SchemaID, f.Attribute, f.Message, f.Producers, f.FirstSeen.UnixMicro())
	}
	return at, out
}

// TestTheLeaderJudgesTheOthersServe: of two catalog processes on one
// database only the leader judges the catalog in full; the other serves
// the leader's findings without judging. When the leader stops, the other
// takes over and judges on; a process that starts leading serves the
// stored judging at once and judges only when it is an interval old.
func TestTheLeaderJudgesTheOthersServe(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	seed := open(t, dsn)
	str := catalogtest.Str
	if _, err := seed.RecordObservations(ctx, "", []catalog.Observation{
		catalogtest.Observation("http.server.request.duration", "checkout", catalogtest.T0, str("http.method"), str("user.id")),
		catalogtest.Observation("app.logins", "checkout", catalogtest.T0, str("user.id")),
	}); err != nil {
		t.Fatal(err)
	}

	const interval = 300 * time.Millisecond
	a := startReplica(t, dsn, interval, true, nil)
	b := startReplica(t, dsn, interval, false, nil)
	var leaders []string
	testenv.Eventually(t, 20*time.Second, "the follower serves the leader's second judging", func() error {
		atA, fromA := a.served(t)
		atB, fromB := b.served(t)
		switch {
		case a.store.judgings.Load() < 2:
			return fmt.Errorf("the leader judged %d times", a.store.judgings.Load())
		case !atB.Equal(atA) || fmt.Sprint(fromB) != fmt.Sprint(fromA):
			return fmt.Errorf("the follower serves the judging of %v (%d findings), the leader that of %v (%d)", atB, len(fromB), atA, len(fromA))
		}
		leaders = fromA
		return nil
	})
	if len(leaders) == 0 {
		t.Fatal("the catalog has no findings: the test proves nothing")
	}
	if n := b.store.judgings.Load(); n != 0 {
		t.Errorf("the follower judged the catalog %d times, want none", n)
	}

	a.stop()
	testenv.Eventually(t, 20*time.Second, "the follower takes over and judges", func() error {
		if n := b.store.judgings.Load(); n < 2 {
			return fmt.Errorf("it judged %d times", n)
		}
		return nil
	})

	// A process that starts as the leader with a fresh stored judging
	// serves it, and does not judge before its interval.
	b.stop()
	stored, err := seed.LoadJudging(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c := startReplica(t, dsn, time.Hour, true, nil)
	testenv.Eventually(t, 10*time.Second, "the new leader serves the stored judging", func() error {
		if at, _ := c.served(t); !at.Equal(stored.At) {
			return fmt.Errorf("it serves the judging of %v, want %v", at, stored.At)
		}
		return nil
	})
	time.Sleep(2 * interval) // what a judge-at-once would take
	if _, fromC := c.served(t); fmt.Sprint(fromC) != fmt.Sprint(leaders) {
		t.Errorf("the new leader serves\n%v\nwant the findings judged before\n%v", fromC, leaders)
	}
	if n := c.store.judgings.Load(); n != 0 {
		t.Errorf("the new leader judged %d times before its interval, want none", n)
	}

	// One that starts with other finding levels (a restart with a new
	// configuration) judges at once: the stored findings are not what it
	// would find.
	c.stop()
	d := startReplica(t, dsn, time.Hour, true, map[string]tallycatv1.FindingLevel{"missing_metric": tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED})
	testenv.Eventually(t, 10*time.Second, "a leader of another configuration judges at once", func() error {
		if n := d.store.judgings.Load(); n != 1 {
			return fmt.Errorf("it judged %d times", n)
		}
		if at, _ := d.served(t); !at.After(stored.At) {
			return fmt.Errorf("it serves the judging of %v, the stored one", at)
		}
		return nil
	})
}
