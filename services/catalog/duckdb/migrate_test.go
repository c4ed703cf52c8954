package duckdb

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
)

type row struct {
	sql  string
	args []any
}

// oldCatalog writes rows into a database as the release with migrations up
// to version left it, and returns its path.
func oldCatalog(t *testing.T, version int, rows []row) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := openAt(ctx, path, version)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if _, err := old.db.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func reopen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestUpgradeFromVersion2 opens a catalog as the release with migrations 1
// and 2 left it, upgrades it, and checks that keys, fields and producers
// read as before and that the next write of a known pair adds no duplicate
// field.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sh := schemaid.Shape{Name: "http.server.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE,
		Attributes:  []schemaid.Attribute{{Key: "http.method", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}}}
	oldID := schemaid.IDv1(sh)
	producer := catalog.ProducerIdentity{ServiceName: "api", ServiceInstanceID: "api-1"}
	pid := producer.ID()
	s := reopen(t, oldCatalog(t, 2, []row{
		{`INSERT INTO schemas VALUES (?, ?, 3, 's', 2, false, 'Duration.', ?, ?, ?, 5)`, []any{oldID, sh.Name, at, at, at}},
		{`INSERT INTO schema_fields VALUES (?, 'http.method', 1)`, []any{oldID}},
		{`INSERT INTO producers VALUES (?, 'api', '', '', 'api-1', ?, ?)`, []any{pid, at, at}},
		{`INSERT INTO schema_producers VALUES (?, ?, ?, 'Duration.', ?, ?, ?, 5)`, []any{oldID, pid, sh.Name, at, at, at}},
		{`INSERT INTO producer_fields VALUES (?, ?, 1, 'host.name', 1)`, []any{oldID, pid}},
		{`INSERT INTO schema_scopes VALUES (?, 'otelhttp', '1.0', ?, ?)`, []any{oldID, at, at}},
	}))
	keys, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || keys[0].Key != sh.Name || keys[0].Schemas != 1 || keys[0].Producers != 1 ||
		keys[0].Description != "Duration." || keys[0].Type != tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM {
		t.Fatalf("keys after the upgrade: %+v (total %d)", keys, total)
	}
	// The same pair again, with its resource field and a new one.
	_, err = s.RecordObservations(ctx, "", []catalog.Observation{{
		Shape: sh, Description: "Duration.", Producer: producer, ScopeName: "otelhttp", ScopeVersion: "1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: tallycatv1.ValueType_VALUE_TYPE_STRING},
			{Key: "cloud.region", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		DataPoints: 1, FirstObserved: at.Add(time.Hour), LastObserved: at.Add(time.Hour),
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetSchema(ctx, schemaid.ID(sh), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Schema.Fields {
		got = append(got, f.Source.String()+":"+f.Name)
	}
	want := []string{"FIELD_SOURCE_RESOURCE:cloud.region", "FIELD_SOURCE_RESOURCE:host.name", "FIELD_SOURCE_DATA_POINT:http.method"}
	if !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM producer_fields`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("producer_fields holds %d rows (%v), want 2: a known field was written again", rows, err)
	}
	if d.Schema.DataPoints != 6 || !d.Schema.LastSeen.Equal(at.Add(time.Hour)) {
		t.Errorf("count %d, last seen %v", d.Schema.DataPoints, d.Schema.LastSeen)
	}
}

// TestUpgradeFoldsIntoReleases opens a catalog as the release before
// schemas per release left it, with one schema per attribute set, versions
// and events, and checks the fold: per release, scope and metric the union
// of the shapes it had; no version, event or producer lost.
func TestUpgradeFoldsIntoReleases(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	shape := func(attrs ...schemaid.Attribute) schemaid.Shape {
		return schemaid.Shape{Name: "http.server.request.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s",
			Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Attributes: attrs}
	}
	method, errType, status := schemaid.Attribute{Key: "http.request.method", Type: String}, schemaid.Attribute{Key: "error.type", Type: String},
		schemaid.Attribute{Key: "http.request.method", Type: Int}
	ok, failed, payments := shape(method), shape(errType, method), shape(status)
	c1, c2 := catalog.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.2.0", ServiceInstanceID: "c-1"},
		catalog.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.2.0", ServiceInstanceID: "c-2"}
	p1 := catalog.ProducerIdentity{ServiceName: "payments", ServiceVersion: "3.0.0", ServiceInstanceID: "p-1"}
	var rows []row
	schema := func(sh schemaid.Shape, first time.Time, n int, producers ...catalog.ProducerIdentity) string {
		id := schemaid.IDv1(sh)
		rows = append(rows, row{`INSERT INTO schemas VALUES (?, ?, 3, 's', 2, false, 'Duration.', ?, ?, ?, ?)`, []any{id, sh.Name, first, first, first.Add(time.Hour), n}},
			row{`INSERT INTO schema_scopes VALUES (?, 'otelhttp', '0.72.0', ?, ?)`, []any{id, first, first.Add(time.Hour)}})
		for _, a := range sh.Attributes {
			rows = append(rows, row{`INSERT INTO schema_fields VALUES (?, ?, ?)`, []any{id, a.Key, int8(a.Type)}})
		}
		for _, p := range producers {
			rows = append(rows, row{`INSERT INTO schema_producers VALUES (?, ?, ?, 'Duration.', ?, ?, ?, ?, 0)`,
				[]any{id, p.ID(), sh.Name, first, first, first.Add(time.Hour), n / len(producers)}},
				row{`INSERT INTO producer_fields VALUES (?, ?, 1, 'host.name', 1)`, []any{id, p.ID()}},
				row{`INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
					VALUES (nextval('schema_events_seq'), ?, ?, 2, ?, '', ?, NULL, '', '')`, []any{sh.Name, id, first, p.ID()}})
		}
		rows = append(rows, row{`INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
			VALUES (nextval('schema_events_seq'), ?, ?, 1, ?, '', ?, NULL, '', 'Duration.')`, []any{sh.Name, id, first, producers[0].ID()}})
		return id
	}
	for _, p := range []catalog.ProducerIdentity{c1, c2, p1} {
		rows = append(rows, row{`INSERT INTO producers VALUES (?, ?, '', ?, ?, ?, ?)`, []any{p.ID(), p.ServiceName, p.ServiceVersion, p.ServiceInstanceID, at, at.Add(2 * time.Hour)}})
	}
	okID := schema(ok, at, 90, c1, c2)
	failedID := schema(failed, at.Add(time.Minute), 10, c2)
	schema(payments, at, 40, p1)
	version := func(id, v, actor string) {
		rows = append(rows, row{`INSERT INTO schema_versions VALUES (nextval('schema_versions_seq'), ?, ?, ?, 1, '', ?, ?)`, []any{id, ok.Name, v, actor, at}},
			row{`INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, version_seq, previous_description, description)
				VALUES (nextval('schema_events_seq'), ?, ?, 3, ?, ?, '', currval('schema_versions_seq'), '', '')`, []any{ok.Name, id, at, actor}})
	}
	version(okID, "1.0.0", "alice")
	version(failedID, "1.1.0", "bob")
	rows = append(rows, row{`INSERT INTO schema_keys SELECT schema_key, 3, 's', [3], ['s'], 3, 3, min(first_seen), max(last_seen), 'Duration.', max(last_seen) FROM schemas GROUP BY schema_key`, nil})
	s := reopen(t, oldCatalog(t, 3, rows))

	keys, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].Schemas != 2 || keys[0].Superseded != 1 || keys[0].Producers != 3 || !keys[0].Versioned {
		t.Fatalf("key after the fold = %+v, want checkout's union and payments' current, checkout's {method} superseded, 3 producers", keys)
	}
	union, err := s.GetSchema(ctx, schemaid.ID(failed), 0)
	if err != nil {
		t.Fatal(err)
	}
	if union.Schema.Superseded || union.Schema.ProducerCount != 2 || union.Schema.DataPoints != 100 || len(union.Variants) != 2 ||
		union.Schema.CurrentVersion == nil || union.Schema.CurrentVersion.Version != "1.1.0" {
		t.Errorf("checkout's union = %+v, want current, both instances, 100 points, two variants, bob's 1.1.0", union.Schema)
	}
	for _, f := range union.Schema.Fields {
		if f.Name == "error.type" && (f.Presence != tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES || f.SeenRatio != 0.1) {
			t.Errorf("error.type = %+v, want sometimes, 10 %%", f)
		}
	}
	kept, err := s.GetSchema(ctx, schemaid.ID(ok), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !kept.Schema.Superseded || !slices.Equal(kept.Schema.SupersededBy, []string{union.Schema.ID}) ||
		len(kept.Versions) != 1 || kept.Versions[0].Actor != "alice" || len(kept.Producers) != 2 {
		t.Errorf("checkout's old {method} schema = %+v with versions %+v and %d producers; want it superseded by the union, alice's version and both producers kept",
			kept.Schema, kept.Versions, len(kept.Producers))
	}
	events, err := s.ListSchemaEvents(ctx, ok.Name, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[tallycatv1.SchemaEventKind]int{}
	for _, e := range events {
		count[e.Kind]++
		if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED && e.Version == nil {
			t.Errorf("version event lost its version: %+v", e)
		}
	}
	if count[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED] != 2 || count[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN] != 3 {
		t.Errorf("events by kind = %v, want both version assignments and a first-seen event per schema", count)
	}
	producers, err := s.ListProducers(ctx, catalog.ProducerFilter{})
	if err != nil || len(producers) != 3 {
		t.Errorf("producers = %+v, %v; want all three", producers, err)
	}
}

// TestUpgradeKeptSchemaCountsOnce: an old schema kept as superseded keeps
// the points it had, whatever the number of releases that produced it.
func TestUpgradeKeptSchemaCountsOnce(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	m, e := schemaid.Attribute{Key: "method", Type: String}, schemaid.Attribute{Key: "error.type", Type: String}
	x := schemaid.Shape{Name: "h", Type: 3, Unit: "s", Temporality: 2, Attributes: []schemaid.Attribute{m}}
	y := schemaid.Shape{Name: "h", Type: 3, Unit: "s", Temporality: 2, Attributes: []schemaid.Attribute{e, m}}
	ps := []catalog.ProducerIdentity{{ServiceName: "a", ServiceVersion: "1", ServiceInstanceID: "a-1"},
		{ServiceName: "b", ServiceVersion: "1", ServiceInstanceID: "b-1"}}
	var rows []row
	for _, p := range ps {
		rows = append(rows, row{`INSERT INTO producers VALUES (?, ?, '', ?, ?, ?, ?)`, []any{p.ID(), p.ServiceName, p.ServiceVersion, p.ServiceInstanceID, at, at}})
	}
	for _, sh := range []schemaid.Shape{x, y} {
		id := schemaid.IDv1(sh)
		rows = append(rows, row{`INSERT INTO schemas VALUES (?, 'h', 3, 's', 2, false, 'D', ?, ?, ?, 100)`, []any{id, at, at, at}},
			row{`INSERT INTO schema_scopes VALUES (?, 'sc', '1', ?, ?)`, []any{id, at, at}},
			row{`INSERT INTO schema_scopes VALUES (?, 'other', '1', ?, ?)`, []any{id, at.Add(time.Hour), at.Add(time.Hour)}})
		for _, a := range sh.Attributes {
			rows = append(rows, row{`INSERT INTO schema_fields VALUES (?, ?, ?)`, []any{id, a.Key, int8(a.Type)}})
		}
		for _, p := range ps {
			rows = append(rows, row{`INSERT INTO schema_producers VALUES (?, ?, 'h', 'D', ?, ?, ?, 50, 0)`, []any{id, p.ID(), at, at, at}})
		}
	}
	rows = append(rows, row{`INSERT INTO schema_keys SELECT schema_key, 3, 's', [3], ['s'], 2, 2, min(first_seen), max(last_seen), 'D', max(last_seen) FROM schemas GROUP BY schema_key`, nil})
	s := reopen(t, oldCatalog(t, 3, rows))
	d, err := s.GetSchema(ctx, schemaid.ID(x), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Schema.Superseded || d.Schema.DataPoints != 100 || len(d.Variants) != 1 || d.Variants[0].DataPoints != 100 {
		t.Errorf("kept schema: superseded %v, %d points, variants %+v; want superseded with its 100 points", d.Schema.Superseded, d.Schema.DataPoints, d.Variants)
	}
	union, err := s.GetSchema(ctx, schemaid.ID(y), 0)
	if err != nil {
		t.Fatal(err)
	}
	if union.Schema.Superseded || union.Schema.ReleaseCount != 2 || union.Schema.DataPoints != 200 {
		t.Errorf("the union = %+v, want both releases current on it with 200 points", union.Schema)
	}
}

// TestRefusesANewerDatabase: a file a newer TallyCat migrated is refused
// at open, saying to run a newer TallyCat, rather than misread.
func TestRefusesANewerDatabase(t *testing.T) {
	path := oldCatalog(t, 1<<30, []row{{`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', now())`, nil}})
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "newer than this TallyCat knows") {
		t.Fatalf("open a newer database: %v", err)
	}
}

// TestUpgradeKeepsCostRates opens a catalog whose cost rows were written
// before they kept when they saw data: a producer's series rows of two
// buckets, the second in progress. Its rate reads as it did, from the
// start of its first bucket until now, and the bucket in progress, written
// to again, still counts from its start: its earlier points were seen
// there, not when the new ones were.
func TestUpgradeKeepsCostRates(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	current := cardinality.BucketOf(now)
	earlier := current.Add(-2 * cardinality.BucketWidth)
	o := catalogtest.Observation("app.logins", "checkout", earlier, catalogtest.Str("region"))
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := openAt(ctx, path, 6)
	if err != nil {
		t.Fatal(err)
	}
	// The release before kept the schema's rows as today's does; only its
	// cost rows differ, which an observation without figures leaves alone.
	// Today's writer writes the columns of spans and logs too, which a
	// metric's rows hold at their defaults, and a key's divergence: add
	// them as migrations 4 and 13 do.
	if err := addLaterColumns(ctx, old.db, signalsMigration, "migrations/0013_key_flags.sql"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.RecordObservations(ctx, "", []catalog.Observation{o}); err != nil {
		t.Fatal(err)
	}
	var series cardinality.Distinct
	series.Add(1)
	blob, err := series.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	stream := catalog.StreamOf(&o).ID()
	for bucket, points := range map[time.Time]int{earlier: 600, current: 100} {
		if _, err := old.db.ExecContext(ctx, `INSERT INTO stream_costs VALUES (?, ?, 0, '', 0, ?, ?, '[]', 0)`, stream, bucket, blob, points); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := reopen(t, path)
	d, err := s.GetSchema(ctx, o.VariantID, tallycatv1.Window_WINDOW_LAST_HOUR)
	if err != nil {
		t.Fatal(err)
	}
	before := 700 / time.Now().UTC().Sub(earlier).Minutes() // the rule the rows were written under
	if c := d.Schema.Cost; c == nil || c.DataPoints != 700 || math.Abs(c.DataPointsPerMinute-before)/before > 0.01 {
		t.Fatalf("cost after the upgrade = %+v, want 700 data points at %.2f a minute, as before", c, before)
	}

	// Written after the upgrade, in the bucket in progress (its last
	// instant, if the clock has moved past it).
	at := time.Now().UTC().Truncate(time.Microsecond)
	if end := current.Add(cardinality.BucketWidth - time.Microsecond); at.After(end) {
		at = end
	}
	next := catalogtest.Costly(catalogtest.Observation("app.logins", "checkout", at.Add(-time.Second), catalogtest.Str("region")), 0, 1)
	next.DataPoints = 50
	if _, err := s.RecordObservations(ctx, "", []catalog.Observation{next}); err != nil {
		t.Fatal(err)
	}
	var first, last time.Time
	if err := s.db.QueryRowContext(ctx, `SELECT first_seen, last_seen FROM stream_costs WHERE stream_id = ? AND bucket = ? AND source = 0`,
		stream, current).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if !first.Equal(current) || !last.Equal(at) {
		t.Errorf("the bucket in progress was seen from %v to %v, want from its start %v to the new write's %v", first, last, current, next.LastObserved)
	}
	d, err = s.GetSchema(ctx, o.VariantID, tallycatv1.Window_WINDOW_LAST_HOUR)
	if err != nil {
		t.Fatal(err)
	}
	want := 750 / next.LastObserved.Sub(earlier).Minutes()
	if c := d.Schema.Cost; c.DataPoints != 750 || math.Abs(c.DataPointsPerMinute-want)/want > 0.01 {
		t.Errorf("cost after a write = %+v, want 750 data points at %.2f a minute", c, want)
	}
}

// TestUpgradeToSignals opens a catalog as the release before spans and logs
// left it and checks that it reads as metrics, and that its schema id,
// stream id and stored attribute sets are what they were, byte for byte,
// after the same shape is written again.
func TestUpgradeToSignals(t *testing.T) {
	ctx := context.Background()
	var rows []row
	for _, q := range catalogtest.PreSignalsRows() {
		rows = append(rows, row{sql: q})
	}
	s := reopen(t, oldCatalog(t, 7, rows))
	catalogtest.CheckPreSignals(t, s)
	var stream, union, variant string
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), min(ss.stream_id), min(ss.union_attributes), min(v.attributes)
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
	path := oldCatalog(t, 7, []row{{`INSERT INTO schema_keys (schema_key, metric_type, unit, metric_types, units, schema_count, producer_count,
		first_seen, last_seen, description, description_at, superseded_count) VALUES (chr(31) || 'S' || chr(31) || 'x', 3, '', [], [], 1, 1,
		TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01', '', TIMESTAMP '2026-01-01', 0)`, nil}})
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "U+001F") {
		t.Fatalf("opening a catalog with a metric key like a span's: %v, want the upgrade refused", err)
	}
}
