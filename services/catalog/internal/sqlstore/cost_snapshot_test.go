package sqlstore

import (
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// A snapshot is served as it is while younger than the age and than
// FreshPerWorkingOut times its working-out, served while a fresh one is
// worked out up to StaleAfter times that, and not served past it.
func TestSnapshotStates(t *testing.T) {
	hour := tallycatv1.Window_WINDOW_LAST_HOUR
	for _, tc := range []struct {
		name      string
		age       time.Duration
		took, old time.Duration
		want      snapshotState
	}{
		{"the store keeps none", 0, time.Second, 0, off},
		{"young", time.Minute, 5 * time.Second, 30 * time.Second, fresh},
		{"older than the age", time.Minute, 5 * time.Second, 2 * time.Minute, stale},
		{"too old to serve", time.Minute, 5 * time.Second, 11 * time.Minute, missing},
		// Figures worked out in 2 ms are fresh for 40 ms, however long
		// the store would keep slower ones.
		{"quick to work out, and past its share", time.Minute, 2 * time.Millisecond, 100 * time.Millisecond, stale},
		{"quick to work out, and long past it", time.Minute, 2 * time.Millisecond, time.Second, missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCostSnapshots()
			c.age = tc.age
			c.byWin[hour] = &costSnapshot{made: time.Now().Add(-tc.old), took: tc.took}
			if _, got := c.held(hour); got != tc.want {
				t.Errorf("a snapshot worked out in %s, %s ago, with an age of %s: state %d, want %d", tc.took, tc.old, tc.age, got, tc.want)
			}
		})
	}
	c := newCostSnapshots()
	c.age = time.Minute
	if s, got := c.held(hour); s != nil || got != missing {
		t.Errorf("no snapshot yet: %v, state %d, want none, missing", s, got)
	}
}

// A closed store works out no snapshot: a read that would wait for one is
// told the store is closed, and nothing reads the database it closed.
func TestNoWorkingOutAfterClose(t *testing.T) {
	f := Flows{snaps: newCostSnapshots()}
	f.SetCostFigureAge(time.Minute)
	f.CloseCostSnapshots()
	f.CloseCostSnapshots() // a store may be closed twice
	if _, err := f.snaps.workOut(nil, tallycatv1.Window_WINDOW_LAST_DAY); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("working out after close: %v, want an error saying the store is closed", err)
	}
}
