package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
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

// TestUpgradeAddsLogBytes opens a catalog whose cost rows were written
// before logs kept their bytes: a log's count row reads as a log that said
// nothing of its bytes (0), and the next write of the bucket adds its
// bytes to it.
func TestUpgradeAddsLogBytes(t *testing.T) {
	ctx := context.Background()
	at := time.Now().UTC().Add(-2 * time.Minute)
	o := catalogtest.LogObservation("app.login", false, "users", at, catalogtest.From(schemaid.Severity, "severity_text", tallycatv1.ValueType_VALUE_TYPE_STRING))
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := openAt(ctx, path, 8)
	if err != nil {
		t.Fatal(err)
	}
	// The schema as today's writer keeps it, from a report that counted
	// nothing (so no cost row), then a log's count row with the eleven
	// columns the release before wrote.
	// The stream is the one the cost row below and the write after the
	// upgrade name: the same release, scope (version too) and header.
	silent := o
	silent.DataPoints, silent.Fields, silent.Series, silent.RecordBytes = 0, nil, cardinality.Distinct{}, 0
	if _, err := old.RecordObservations(ctx, "", []catalog.Observation{silent}); err != nil {
		t.Fatal(err)
	}
	var blob []byte
	var empty cardinality.Distinct
	if blob, err = empty.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	stream := catalog.StreamOf(&o).ID()
	if _, err := old.db.ExecContext(ctx, `INSERT INTO stream_costs VALUES (?, ?, 0, '', 0, ?, 30, '[]', 0, ?, ?)`,
		stream, cardinality.BucketOf(at), blob, at, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := reopen(t, path)
	var bytes uint64
	if err := s.db.QueryRowContext(ctx, `SELECT log_bytes FROM stream_costs WHERE stream_id = ?`, stream).Scan(&bytes); err != nil || bytes != 0 {
		t.Fatalf("log_bytes after the upgrade = %d (%v), want 0", bytes, err)
	}
	next := o
	next.FirstObserved, next.LastObserved, next.DataPoints, next.RecordBytes = at.Add(time.Minute), at.Add(time.Minute), 10, 4000
	if _, err := s.RecordObservations(ctx, "", []catalog.Observation{next}); err != nil {
		t.Fatal(err)
	}
	d, err := s.GetSchema(ctx, o.VariantID, tallycatv1.Window_WINDOW_LAST_HOUR)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Schema.Cost; c == nil || c.DataPoints != 40 || c.LogBytes != 4000 {
		t.Errorf("cost after a write = %+v, want 40 records and the 4,000 bytes written since", c)
	}
}
