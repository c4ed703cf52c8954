package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/pgtest"
)

// TestUpgradeFillsCostSeenTimes opens a database as the release with only
// migration 1 left it, holding cost rows of a past bucket, of the bucket
// in progress and of one ahead of the database's clock, and checks when
// the upgrade says they saw data: from their bucket's start to its end,
// to the upgrade, and at their start (not before it), so that a window's
// rate still runs from the start of its first bucket with data.
func TestUpgradeFillsCostSeenTimes(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	initSQL, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, string(initSQL), pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL);
		INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now() AT TIME ZONE 'UTC')`, pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	current := cardinality.BucketOf(before)
	past, ahead := current.Add(-2*cardinality.BucketWidth), current.Add(2*cardinality.BucketWidth)
	for _, b := range []time.Time{past, current, ahead} {
		if _, err := conn.Exec(ctx, `INSERT INTO stream_costs VALUES ('s', $1, 0, '', 0, '\x00', 5, '[]', 0)`, b); err != nil {
			t.Fatal(err)
		}
	}
	open(t, dsn)
	after := time.Now().UTC()

	seen := map[time.Time][2]time.Time{}
	rows, err := conn.Query(ctx, `SELECT bucket, first_seen, last_seen FROM stream_costs`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b, first, last time.Time
		if err := rows.Scan(&b, &first, &last); err != nil {
			t.Fatal(err)
		}
		seen[b.UTC()] = [2]time.Time{first.UTC(), last.UTC()}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if s := seen[past]; !s[0].Equal(past) || !s[1].Equal(past.Add(cardinality.BucketWidth)) {
		t.Errorf("a past bucket was seen from %v to %v, want all of it", s[0], s[1])
	}
	if s := seen[current]; !s[0].Equal(current) || s[1].Before(before.Truncate(time.Microsecond)) || s[1].After(after) {
		t.Errorf("the bucket in progress was seen from %v to %v, want from its start to the upgrade, between %v and %v", s[0], s[1], before, after)
	}
	if s := seen[ahead]; !s[0].Equal(ahead) || !s[1].Equal(ahead) {
		t.Errorf("a bucket ahead of the clock was seen from %v to %v, want at its start", s[0], s[1])
	}
}
