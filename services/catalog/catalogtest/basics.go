package catalogtest

import (
	"context"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// The basics: recording, listing, retries, versions, events, restarts.

func testRecordAndRead(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	a := Observation("cpu.time", "api", T0, Str("cpu.mode"))
	b := Observation("cpu.time", "worker", T0.Add(time.Minute), Int("cpu.mode"))
	c := Observation("cpu.time", "worker", T0.Add(2*time.Minute), Int("cpu.mode"))
	res := record(t, s, "b1", a, b, c, Observation("mem.used", "api", T0))
	if res.NewSchemas != 3 {
		t.Errorf("NewSchemas = %d, want 3", res.NewSchemas)
	}
	if len(res.SchemaIDs) != 4 || res.SchemaIDs[0] != a.VariantID || res.SchemaIDs[1] != b.VariantID {
		t.Errorf("SchemaIDs = %v, want the schema of each observation in order", res.SchemaIDs)
	}

	keys, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if total != 2 || len(keys) != 2 || keys[0].Key != "cpu.time" || keys[1].Key != "mem.used" {
		t.Fatalf("keys = %v (total %d), want cpu.time and mem.used", keys, total)
	}
	if k := keys[0]; k.Schemas != 2 || k.Producers != 2 || k.Versioned || !k.FirstSeen.Equal(T0) {
		t.Errorf("cpu.time summary = %+v", k)
	}

	schemas := must[[]catalog.Schema](t)(s.ListSchemas(ctx, "cpu.time", false))
	if len(schemas) != 2 {
		t.Fatalf("got %d schemas of cpu.time, want 2", len(schemas))
	}
	got := schemas[0]
	if got.ID != a.VariantID || got.ProducerCount != 1 || got.ReleaseCount != 1 || got.DataPoints != 10 || got.Superseded {
		t.Errorf("first schema = %+v, want id %s with one producer and 10 points, current", got, a.VariantID)
	}
	if len(got.Fields) != 2 || got.Fields[0].Name != "host.name" || got.Fields[0].Source != resource ||
		got.Fields[1].Name != "cpu.mode" || got.Fields[1].Source != dataPoint || got.Fields[1].Presence != always {
		t.Errorf("fields = %+v, want host.name (resource) then cpu.mode (data point, always)", got.Fields)
	}
	if worker := schemas[1]; worker.DataPoints != 20 || !worker.LastSeen.Equal(T0.Add(2*time.Minute+time.Second)) {
		t.Errorf("worker schema = %+v, want 20 points and last seen at the later observation", worker)
	}

	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, b.VariantID, lastHour))
	if len(d.Producers) != 1 || d.Producers[0].ServiceName != "worker" || len(d.Scopes) != 1 || d.Scopes[0].Name != "io.example/worker" ||
		len(d.Releases) != 1 || d.Releases[0].Instances != 1 || len(d.Variants) != 1 || d.Variants[0].DataPoints != 20 {
		t.Errorf("detail = %+v", d)
	}

	byService, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ServiceName: "worker"}))
	if len(byService) != 1 || byService[0].Key != "cpu.time" {
		t.Errorf("keys of worker = %v", byService)
	}
	if searched, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: "MEM"})); len(searched) != 1 || searched[0].Key != "mem.used" {
		t.Errorf("search MEM = %v", searched)
	}
	if gauges, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{MetricTypes: []tallycatv1.MetricType{tallycatv1.MetricType_METRIC_TYPE_GAUGE}})); len(gauges) != 0 {
		t.Errorf("gauge keys = %v", gauges)
	}
	if sorted, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT, Descending: true, Limit: 1})); len(sorted) != 1 || sorted[0].Key != "cpu.time" {
		t.Errorf("most schemas first = %v", sorted)
	}
	for sort := range tallycatv1.SchemaKeySort_name {
		for _, desc := range []bool{false, true} {
			rows, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort(sort), Descending: desc})
			if err != nil || len(rows) != 2 {
				t.Errorf("sort %v desc %v: %d rows, %v", tallycatv1.SchemaKeySort(sort), desc, len(rows), err)
			}
		}
	}
	if past, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Offset: 10, Limit: 5}); err != nil || len(past) != 0 || total != 2 {
		t.Errorf("a page past the end = %v, total %d, %v; want no rows and the true total 2", past, total, err)
	}
	pair := must[[]catalog.Schema](t)(s.GetSchemas(ctx, b.VariantID, a.VariantID))
	if len(pair) != 2 || pair[0].ID != b.VariantID || pair[1].ID != a.VariantID || len(pair[1].Fields) != 2 {
		t.Errorf("GetSchemas(b, a) = %v; want b then a, with fields", ids(pair))
	}
	services := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{}))
	if len(services) != 2 || services[0].Name != "api" || services[0].Instances != 1 || services[0].Releases != 1 || services[1].Name != "worker" {
		t.Errorf("services = %+v, want api and worker, one release and instance each", services)
	}
	if page := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{Offset: 1, Limit: 1})); len(page) != 1 || page[0].Name != "worker" {
		t.Errorf("second page of one service = %+v, want worker", page)
	}
	producers := must[[]catalog.Producer](t)(s.ListProducers(ctx, catalog.ProducerFilter{SchemaKey: "cpu.time"}))
	if len(producers) != 2 || producers[0].ServiceName != "api" || producers[0].SchemaCount != 1 {
		t.Errorf("producers of cpu.time = %+v", producers)
	}
}

func testNotFound(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	a := Observation("cpu.time", "api", T0)
	record(t, s, "", a)
	const unknown = "00000000000000000000000000000000"
	for name, err := range map[string]error{
		"ListSchemas":           second(s.ListSchemas(ctx, "nope", true)),
		"GetSchema":             second(s.GetSchema(ctx, unknown, lastHour)),
		"GetSchemas":            second(s.GetSchemas(ctx, a.VariantID, unknown)),
		"ListSchemaEvents":      second(s.ListSchemaEvents(ctx, "nope", 0, 0)),
		"ListProducers(schema)": second(s.ListProducers(ctx, catalog.ProducerFilter{SchemaID: unknown})),
		"ListProducers(key)":    second(s.ListProducers(ctx, catalog.ProducerFilter{SchemaKey: "nope"})),
		"ListVersions":          second(s.ListVersions(ctx, unknown, "")),
		"GetSeriesHistory":      second(s.GetSeriesHistory(ctx, "nope")),
		"AssignVersion":         second(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: unknown, Version: "1.0.0"})),
	} {
		if catalog.ErrorCode(err) != catalog.ENOTFOUND {
			t.Errorf("%s of something unknown = %v, want not found", name, err)
		}
	}
}

func testRetriedBatch(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	o := Observation("cpu.time", "api", T0)
	first := record(t, s, "batch-1", o)
	again := record(t, s, "batch-1", o)
	if !again.Duplicate || len(again.SchemaIDs) != 1 || again.SchemaIDs[0] != first.SchemaIDs[0] {
		t.Errorf("retry = %+v, want a duplicate naming the same schema", again)
	}
	if len(first.Events) != 1 || first.Events[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN || len(again.Events) != 0 {
		t.Errorf("events returned = %+v, then %+v; want the first-seen event, then none for the duplicate", first.Events, again.Events)
	}
	schemas := must[[]catalog.Schema](t)(s.ListSchemas(ctx, "cpu.time", false))
	if schemas[0].DataPoints != 10 {
		t.Errorf("data points = %d after a retry, want 10", schemas[0].DataPoints)
	}
	if events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, "cpu.time", 0, 0)); len(events) != 1 {
		t.Errorf("events = %v; want one first-seen event", events)
	}
}

func testVersions(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	a, b := Observation("cpu.time", "api", T0, Str("mode")), Observation("cpu.time", "worker", T0, Int("mode"))
	record(t, s, "", a, b)
	deprecated := tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED

	if _, err := s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: a.VariantID, Status: deprecated, Reason: "x"}); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Errorf("status change without a version = %v, want failed precondition", err)
	}
	v := must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: a.VariantID, Version: "1.0.0", Actor: "alice"}))
	if v.Status != tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE || v.Actor != "alice" || v.AssignedAt.IsZero() {
		t.Errorf("assigned = %+v, want active by alice, stamped", v)
	}
	_, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: b.VariantID, Version: "1.0.0", Actor: "bob"})
	if catalog.ErrorCode(err) != catalog.ECONFLICT {
		t.Fatalf("second holder of 1.0.0 = %v, want conflict", err)
	}
	if msg := catalog.ErrorMessage(err); msg != `version 1.0.0 of metric "cpu.time" is already held by schema `+a.VariantID {
		t.Errorf("conflict message = %q", msg)
	}
	if _, err := s.AssignVersion(ctx, catalog.VersionChange{SchemaID: a.VariantID, Version: "1.0.0", Actor: "alice"}); err != nil {
		t.Errorf("assigning the same version again = %v, want no error", err)
	}
	must[catalog.Version](t)(s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: a.VariantID, Status: deprecated, Reason: "use 2.0.0", Actor: "carol"}))
	history := must[[]catalog.Version](t)(s.ListVersions(ctx, a.VariantID, ""))
	if len(history) != 2 || history[0].Status != deprecated || history[0].Actor != "carol" || history[1].Actor != "alice" {
		t.Errorf("history = %+v, want deprecated by carol over active by alice", history)
	}
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, a.VariantID, lastHour))
	if d.Schema.CurrentVersion.GetStatus() != deprecated || len(d.Versions) != 2 {
		t.Errorf("detail current version = %+v", d.Schema.CurrentVersion)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if !keys[0].Versioned || !keys[0].Deprecated {
		t.Errorf("key summary = %+v, want versioned and deprecated", keys[0])
	}
	if byKey := must[[]catalog.Version](t)(s.ListVersions(ctx, "", "cpu.time")); len(byKey) != 2 {
		t.Errorf("versions by key = %v", byKey)
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, "cpu.time", 0, 0))
	k := kinds(events)
	if k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN] != 2 || k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED] != 1 ||
		k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED] != 1 {
		t.Errorf("event kinds = %v", k)
	}
	if events[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED || events[0].Version == nil || events[0].Actor != "carol" {
		t.Errorf("newest event = %+v, want the status change by carol", events[0])
	}
}

func testEvents(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	a := Observation("cpu.time", "api", T0)
	record(t, s, "", a)
	// Another instance of the same release: pooled, not an event.
	b := a
	b.Producer.ServiceInstanceID = "api-2"
	b.Description = "CPU time."
	b.FirstObserved, b.LastObserved = T0.Add(time.Hour), T0.Add(time.Hour)
	record(t, s, "", b)
	// Another release sending the same union joins the schema.
	c := a
	c.Producer.ServiceVersion = "1.1.0"
	c.FirstObserved, c.LastObserved = T0.Add(2*time.Hour), T0.Add(2*time.Hour)
	record(t, s, "", c)
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, "cpu.time", 0, 0))
	k := kinds(events)
	if len(events) != 4 || k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN] != 1 ||
		k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED] != 2 || k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED] != 1 {
		t.Fatalf("events = %v, want first seen, description changed (api 1.0.0), producer added and its description (api 1.1.0)", k)
	}
	if added := events[1]; added.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED || added.Producer == nil ||
		added.Producer.ServiceVersion != "1.1.0" || added.Producer.ServiceInstanceID != "" {
		t.Errorf("producer added = %+v, want the release api 1.1.0 without an instance", added)
	}
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, a.VariantID, lastHour))
	if d.Schema.Description != "Time spent." || !d.Schema.DescriptionConflict || d.Schema.ProducerCount != 3 || d.Schema.ReleaseCount != 2 {
		t.Errorf("schema = %+v, want the newest description flagged as disputed, three instances of two releases", d.Schema)
	}
}

func testReopen(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	o := Observation("cpu.time", "api", T0, Str("method"))
	grown := Observation("cpu.time", "api", T0.Add(time.Minute), Str("method"), Str("error.type"))
	record(t, s, "b1", o)
	must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: o.VariantID, Version: "1.2.3", Actor: "alice"}))
	record(t, s, "b2", grown)
	s = h.Reopen(t, s)
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, o.VariantID, lastHour))
	if d.Schema.CurrentVersion == nil || d.Schema.CurrentVersion.Version != "1.2.3" || len(d.Producers) != 1 || d.Schema.DataPoints != 10 ||
		!d.Schema.Superseded || len(d.Schema.SupersededBy) != 1 || d.Schema.SupersededBy[0] != grown.VariantID {
		t.Errorf("after reopening: %+v", d.Schema)
	}
	if res := record(t, s, "b1", o); !res.Duplicate {
		t.Error("batch ids were forgotten across a restart")
	}
	cur := must[[]catalog.Schema](t)(s.ListSchemas(ctx, "cpu.time", false))
	if len(cur) != 1 || cur[0].ID != grown.VariantID || cur[0].DataPoints != 20 {
		t.Errorf("current schemas after reopening = %+v", cur)
	}
}

func second[T any](_ T, err error) error { return err }

func must2(t *testing.T) func([]catalog.KeySummary, int64, error) ([]catalog.KeySummary, int64) {
	return func(k []catalog.KeySummary, n int64, err error) ([]catalog.KeySummary, int64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return k, n
	}
}
