package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// TestCostRowsArePrunedPastRetention: the first write of a new bucket
// deletes the cost rows older than cardinality.Retention, and only those.
func TestCostRowsArePrunedPastRetention(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	rows := func() (old, all int) {
		t.Helper()
		if err := s.db.QueryRow(`SELECT count(*) FILTER (WHERE bucket < ?), count(*) FROM stream_costs`, sqlstore.PruneBefore(clock)).Scan(&old, &all); err != nil {
			t.Fatal(err)
		}
		return old, all
	}
	record := func(at time.Time) {
		t.Helper()
		if _, err := s.RecordObservations(ctx, "", []catalog.Observation{catalogtest.Costly(catalogtest.UserObservation(at), 0, 10)}); err != nil {
			t.Fatal(err)
		}
	}
	// Two buckets of one stream: one just inside the retention, one now;
	// each has a series row and three field rows.
	record(clock.Add(-cardinality.Retention + 5*time.Minute))
	record(clock)
	if old, all := rows(); old != 0 || all != 8 {
		t.Fatalf("before: %d rows past retention of %d, want none of 8", old, all)
	}
	// An hour later the first bucket is past the retention.
	clock = clock.Add(time.Hour)
	if old, _ := rows(); old != 4 {
		t.Fatalf("an hour later %d rows are past retention, want 4", old)
	}
	record(clock)
	if old, all := rows(); old != 0 || all != 8 {
		t.Errorf("after the first write of a new bucket: %d rows past retention of %d, want none of 8 (the old bucket gone, a new one)", old, all)
	}
}
