package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// TestUpgradeFromVersion2 opens a catalog as the release with migrations 1
// and 2 left it, upgrades it, and checks that keys, fields and producers
// read as before and that the next write of a known pair adds no duplicate
// field.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := openAt(ctx, path, 2)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sh := schemaid.Shape{Name: "http.server.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE,
		Attributes:  []schemaid.Attribute{{Key: "http.method", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}}}
	id := schemaid.ID(sh)
	producer := catalog.ProducerIdentity{ServiceName: "api", ServiceInstanceID: "api-1"}
	pid := producer.ID()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO schemas VALUES (?, ?, 3, 's', 2, false, 'Duration.', ?, ?, ?, 5)`, []any{id, sh.Name, at, at, at}},
		{`INSERT INTO schema_fields VALUES (?, 'http.method', 1)`, []any{id}},
		{`INSERT INTO producers VALUES (?, 'api', '', '', 'api-1', ?, ?)`, []any{pid, at, at}},
		{`INSERT INTO schema_producers VALUES (?, ?, ?, 'Duration.', ?, ?, ?, 5)`, []any{id, pid, sh.Name, at, at, at}},
		{`INSERT INTO producer_fields VALUES (?, ?, 1, 'host.name', 1)`, []any{id, pid}},
		{`INSERT INTO schema_scopes VALUES (?, 'otelhttp', '1.0', ?, ?)`, []any{id, at, at}},
	} {
		if _, err := old.db.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || keys[0].SchemaKey != sh.Name || keys[0].SchemaCount != 1 || keys[0].ProducerCount != 1 ||
		keys[0].Description != "Duration." || keys[0].MetricType != tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM {
		t.Fatalf("keys after the upgrade: %v (total %d)", keys, total)
	}
	// The same pair again, with its resource field and a new one.
	_, err = s.RecordObservations(ctx, "", []catalog.Observation{{
		SchemaID: id, Shape: sh, Description: "Duration.", Producer: producer, ScopeName: "otelhttp", ScopeVer: "1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: tallycatv1.ValueType_VALUE_TYPE_STRING},
			{Key: "cloud.region", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		DataPoints: 1, FirstObserved: at.Add(time.Hour), LastObserved: at.Add(time.Hour),
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetSchema(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Schema.Fields {
		got = append(got, f.Source.String()+":"+f.Name)
	}
	want := []string{"FIELD_SOURCE_RESOURCE:cloud.region", "FIELD_SOURCE_RESOURCE:host.name", "FIELD_SOURCE_DATA_POINT:http.method"}
	if len(got) != len(want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fields %v, want %v", got, want)
		}
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM producer_fields`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("producer_fields holds %d rows (%v), want 2: a known field was written again", rows, err)
	}
	if d.Schema.DataPointCount != 6 || !d.Schema.LastSeen.AsTime().Equal(at.Add(time.Hour)) {
		t.Errorf("count %d, last seen %v", d.Schema.DataPointCount, d.Schema.LastSeen.AsTime())
	}
}
