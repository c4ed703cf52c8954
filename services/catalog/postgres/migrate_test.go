package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/postgres"
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

// oldDatabase makes a new database as the release with migrations up to
// version left it, holding rows, and returns its DSN and a connection to it.
func oldDatabase(t *testing.T, version int, rows []string) (string, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files[:version] {
		body, err := os.ReadFile("migrations/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(body), pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, now() AT TIME ZONE 'UTC')`, i+1, f.Name()); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range rows {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return dsn, conn
}

// TestUpgradeToSignals opens a catalog as the release before spans and logs
// left it and checks that it reads as metrics, and that its schema id,
// stream id and stored attribute sets are what they were, byte for byte,
// after the same shape is written again.
func TestUpgradeToSignals(t *testing.T) {
	dsn, conn := oldDatabase(t, 2, catalogtest.PreSignalsRows())
	catalogtest.CheckPreSignals(t, open(t, dsn))
	var stream, union, variant string
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*), min(ss.stream_id), min(ss.union_attributes), min(v.attributes)
		FROM schema_streams ss JOIN variants v USING (schema_id, stream_id)`).Scan(&n, &stream, &union, &variant); err != nil {
		t.Fatal(err)
	}
	if n != 1 || stream != catalogtest.PreSignalsStreamID || union != catalogtest.PreSignalsAttributes || variant != union {
		t.Errorf("stored streams: %d, %s %s %s; want one, %s, with %s", n, stream, union, variant, catalogtest.PreSignalsStreamID, catalogtest.PreSignalsAttributes)
	}
}

// TestUpgradeRefusesAMetricKeyLikeASpans: a metric key that starts with
// U+001F would read as a span's after the upgrade, which stops instead.
func TestUpgradeRefusesAMetricKeyLikeASpans(t *testing.T) {
	dsn, _ := oldDatabase(t, 2, []string{fmt.Sprintf(`INSERT INTO schema_keys (schema_key, metric_type, unit, metric_types, units,
		schema_count, producer_count, first_seen, last_seen, description, description_at) VALUES (chr(31) || 'S' || chr(31) || 'x', 3, '',
		'{}', '{}', 1, 1, %[1]s, %[1]s, '', %[1]s)`, "TIMESTAMP '2026-01-01'")})
	s, err := postgres.Open(context.Background(), dsn)
	if err == nil {
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "U+001F") {
		t.Fatalf("opening a catalog with a metric key like a span's: %v, want the upgrade refused", err)
	}
}

// TestUpgradeWorksOutKeyFlags opens a catalog as the release before
// migration 9 left it (no columns of its keys' flags) and checks that the
// upgrade works them out for every key it holds.
func TestUpgradeWorksOutKeyFlags(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	s := open(t, dsn)
	diverging, self := catalogtest.RecordKeyFlags(t, s)
	s.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER TABLE schema_keys DROP COLUMN diverging, DROP COLUMN self_only; DELETE FROM schema_migrations WHERE version = 9`,
		pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	catalogtest.CheckKeyFlags(t, open(t, dsn), diverging, self)
}
