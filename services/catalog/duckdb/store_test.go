package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func open(t *testing.T, path string) *duckdb.Store {
	t.Helper()
	s, err := duckdb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// observation builds an observation of a monotonic cumulative sum in seconds.
func observation(name, service string, at time.Time, attrs ...schemaid.Attribute) catalog.Observation {
	sh := schemaid.Shape{Name: name, Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Monotonic: true, Attributes: attrs}
	sh.Normalize()
	return catalog.Observation{
		SchemaID: schemaid.ID(sh), Shape: sh, Description: "Time spent.",
		Producer:  catalog.ProducerIdentity{ServiceName: service, ServiceVersion: "1.0.0", ServiceInstanceID: service + "-1"},
		ScopeName: "io.example/" + service, ScopeVer: "0.1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		DataPoints:         10, FirstObserved: at, LastObserved: at.Add(time.Second),
	}
}

func str(k string) schemaid.Attribute {
	return schemaid.Attribute{Key: k, Type: tallycatv1.ValueType_VALUE_TYPE_STRING}
}
func num(k string) schemaid.Attribute {
	return schemaid.Attribute{Key: k, Type: tallycatv1.ValueType_VALUE_TYPE_INT}
}

func record(t *testing.T, s *duckdb.Store, batch string, obs ...catalog.Observation) catalog.RecordResult {
	t.Helper()
	res, err := s.RecordObservations(context.Background(), batch, obs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRecordAndRead(t *testing.T) {
	ctx := context.Background()
	s := open(t, ":memory:")
	a := observation("cpu.time", "api", t0, str("cpu.mode"))
	b := observation("cpu.time", "worker", t0.Add(time.Minute), num("cpu.mode"))
	c := observation("cpu.time", "worker", t0.Add(2*time.Minute), num("cpu.mode"))
	res := record(t, s, "b1", a, b, c, observation("mem.used", "api", t0))
	if res.NewSchemas != 3 {
		t.Errorf("NewSchemas = %d, want 3", res.NewSchemas)
	}

	keys, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(keys) != 2 || keys[0].SchemaKey != "cpu.time" || keys[1].SchemaKey != "mem.used" {
		t.Fatalf("keys = %v (total %d), want cpu.time and mem.used", keys, total)
	}
	if k := keys[0]; k.SchemaCount != 2 || k.ProducerCount != 2 || k.Versioned || !k.FirstSeen.AsTime().Equal(t0) {
		t.Errorf("cpu.time summary = %v", k)
	}

	schemas, err := s.ListSchemas(ctx, "cpu.time")
	if err != nil {
		t.Fatal(err)
	}
	if len(schemas) != 2 {
		t.Fatalf("got %d schemas of cpu.time, want 2", len(schemas))
	}
	got := schemas[0]
	if got.SchemaId != a.SchemaID || got.ProducerCount != 1 || got.DataPointCount != 10 {
		t.Errorf("first schema = %v, want id %s with one producer and 10 points", got, a.SchemaID)
	}
	wantFields := []*tallycatv1.Field{
		{Name: "host.name", Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING},
		{Name: "cpu.mode", Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING},
	}
	if len(got.Fields) != 2 || got.Fields[0].String() != wantFields[0].String() || got.Fields[1].String() != wantFields[1].String() {
		t.Errorf("fields = %v, want %v", got.Fields, wantFields)
	}
	if worker := schemas[1]; worker.DataPointCount != 20 || !worker.LastSeen.AsTime().Equal(t0.Add(2*time.Minute+time.Second)) {
		t.Errorf("worker schema = %v, want 20 points and last seen at the later batch", worker)
	}

	d, err := s.GetSchema(ctx, b.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Producers) != 1 || d.Producers[0].ServiceName != "worker" || len(d.Scopes) != 1 || d.Scopes[0].Name != "io.example/worker" {
		t.Errorf("detail = %v", d)
	}

	byService, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{ServiceName: "worker"})
	if err != nil || len(byService) != 1 || byService[0].SchemaKey != "cpu.time" {
		t.Errorf("keys of worker = %v, %v", byService, err)
	}
	searched, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: "MEM"})
	if err != nil || len(searched) != 1 || searched[0].SchemaKey != "mem.used" {
		t.Errorf("search MEM = %v, %v", searched, err)
	}
	gauges, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{MetricTypes: []tallycatv1.MetricType{tallycatv1.MetricType_METRIC_TYPE_GAUGE}})
	if err != nil || len(gauges) != 0 {
		t.Errorf("gauge keys = %v, %v", gauges, err)
	}
	sorted, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT, Descending: true, Limit: 1})
	if err != nil || len(sorted) != 1 || sorted[0].SchemaKey != "cpu.time" {
		t.Errorf("most schemas first = %v, %v", sorted, err)
	}

	for sort := range tallycatv1.SchemaKeySort_name {
		for _, desc := range []bool{false, true} {
			rows, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort(sort), Descending: desc})
			if err != nil || len(rows) != 2 {
				t.Errorf("sort %v desc %v: %d rows, %v", tallycatv1.SchemaKeySort(sort), desc, len(rows), err)
			}
		}
	}
	byProducers, _, _ := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_PRODUCER_COUNT, Descending: true})
	if len(byProducers) == 2 && byProducers[0].SchemaKey != "cpu.time" {
		t.Errorf("most producers first = %v, want cpu.time (2 producers) first", byProducers[0].SchemaKey)
	}
	if past, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Offset: 10, Limit: 5}); err != nil || len(past) != 0 || total != 2 {
		t.Errorf("a page past the end = %v, total %d, %v; want no rows and the true total 2", past, total, err)
	}
	if _, err := s.ListSchemas(ctx, "nope"); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("ListSchemas(nope) = %v, want not found", err)
	}
	pair, err := s.GetSchemas(ctx, b.SchemaID, a.SchemaID)
	if err != nil || len(pair) != 2 || pair[0].SchemaId != b.SchemaID || pair[1].SchemaId != a.SchemaID || len(pair[1].Fields) != 2 {
		t.Errorf("GetSchemas(b, a) = %v, %v; want b then a, with fields", pair, err)
	}
	if _, err := s.GetSchemas(ctx, a.SchemaID, "00000000000000000000000000000000"); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("GetSchemas with an unknown id = %v, want not found", err)
	}
	if _, err := s.GetSchema(ctx, "00000000000000000000000000000000"); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("GetSchema(unknown) = %v, want not found", err)
	}
}

func TestRetriedBatchIsAppliedOnce(t *testing.T) {
	ctx := context.Background()
	s := open(t, ":memory:")
	o := observation("cpu.time", "api", t0)
	record(t, s, "batch-1", o)
	if res := record(t, s, "batch-1", o); !res.Duplicate {
		t.Error("a retried batch was not recognised")
	}
	schemas, err := s.ListSchemas(ctx, "cpu.time")
	if err != nil {
		t.Fatal(err)
	}
	if schemas[0].DataPointCount != 10 {
		t.Errorf("data points = %d after a retry, want 10", schemas[0].DataPointCount)
	}
	events, err := s.ListSchemaEvents(ctx, "cpu.time", 0, 0)
	if err != nil || len(events) != 1 {
		t.Errorf("events = %v, %v; want one first-seen event", events, err)
	}
}

func TestVersions(t *testing.T) {
	ctx := context.Background()
	s := open(t, ":memory:")
	a, b := observation("cpu.time", "api", t0, str("mode")), observation("cpu.time", "worker", t0, num("mode"))
	record(t, s, "", a, b)

	if _, err := s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: a.SchemaID, Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "x"}); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Errorf("status change without a version = %v, want failed precondition", err)
	}
	v, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: a.SchemaID, Version: "1.0.0", Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE || v.Actor != "alice" {
		t.Errorf("assigned = %v, want active by alice", v)
	}
	_, err = s.AssignVersion(ctx, catalog.VersionChange{SchemaID: b.SchemaID, Version: "1.0.0", Actor: "bob"})
	if catalog.ErrorCode(err) != catalog.ECONFLICT {
		t.Fatalf("second holder of 1.0.0 = %v, want conflict", err)
	}
	if msg := catalog.ErrorMessage(err); msg != `version 1.0.0 of metric "cpu.time" is already held by schema `+a.SchemaID {
		t.Errorf("conflict message = %q", msg)
	}
	if _, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: a.SchemaID, Version: "1.0.0", Actor: "alice"}); err != nil {
		t.Errorf("assigning the same version again = %v, want no error", err)
	}
	if _, err := s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: a.SchemaID, Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "use 2.0.0", Actor: "carol"}); err != nil {
		t.Fatal(err)
	}
	history, err := s.ListVersions(ctx, a.SchemaID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].Status != tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED || history[0].Actor != "carol" || history[1].Actor != "alice" {
		t.Errorf("history = %v, want deprecated by carol over active by alice", history)
	}
	d, err := s.GetSchema(ctx, a.SchemaID)
	if err != nil || d.Schema.CurrentVersion.GetStatus() != tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED || len(d.Versions) != 2 {
		t.Errorf("detail current version = %v, %v", d, err)
	}
	keys, _, _ := s.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if !keys[0].Versioned || !keys[0].Deprecated {
		t.Errorf("key summary = %v, want versioned and deprecated", keys[0])
	}
	byKey, err := s.ListVersions(ctx, "", "cpu.time")
	if err != nil || len(byKey) != 2 {
		t.Errorf("versions by key = %v, %v", byKey, err)
	}
	if _, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: "00000000000000000000000000000000", Version: "1.0.0"}); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("assign to unknown schema = %v, want not found", err)
	}
	events, err := s.ListSchemaEvents(ctx, "cpu.time", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[tallycatv1.SchemaEventKind]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	if kinds[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN] != 2 ||
		kinds[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED] != 1 ||
		kinds[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED] != 1 {
		t.Errorf("event kinds = %v", kinds)
	}
	if events[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED || events[0].Summary == "" {
		t.Errorf("newest event = %v, want the status change with a summary", events[0])
	}
}

func TestEventsForNewProducersAndDescriptions(t *testing.T) {
	ctx := context.Background()
	s := open(t, ":memory:")
	a := observation("cpu.time", "api", t0)
	record(t, s, "", a)
	b := a
	b.Producer.ServiceInstanceID = "api-2"
	b.Description = "CPU time."
	b.FirstObserved, b.LastObserved = t0.Add(time.Hour), t0.Add(time.Hour)
	record(t, s, "", b)
	events, err := s.ListSchemaEvents(ctx, "cpu.time", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("events = %v, want first seen, producer added, description changed", events)
	}
	d, _ := s.GetSchema(ctx, a.SchemaID)
	if d.Schema.Description != "CPU time." || !d.Schema.DescriptionConflict || d.Schema.ProducerCount != 2 {
		t.Errorf("schema = %v, want the newest description flagged as disputed, two producers", d.Schema)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.duckdb")
	s, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := observation("cpu.time", "api", t0)
	record(t, s, "b1", o)
	if _, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: o.SchemaID, Version: "1.2.3", Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	d, err := s.GetSchema(ctx, o.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Schema.CurrentVersion.GetVersion() != "1.2.3" || len(d.Producers) != 1 || d.Schema.DataPointCount != 10 {
		t.Errorf("after reopening: %v", d)
	}
	if res := record(t, s, "b1", o); !res.Duplicate {
		t.Error("batch ids were forgotten across a restart")
	}
}
