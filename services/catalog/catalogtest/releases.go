package catalogtest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Schemas as producers emit them: a release's union, presence, moves.

// instance is o from another instance of the same release.
func instance(o catalog.Observation, id string) catalog.Observation {
	o.Producer.ServiceInstanceID = id
	return o
}

// inScope is o sent through another instrumentation scope.
func inScope(o catalog.Observation, scope string) catalog.Observation {
	o.ScopeName = scope
	return o
}

func points(o catalog.Observation, n uint64) catalog.Observation {
	o.DataPoints = n
	return o
}

func testPresence(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	ok := points(Observation("http.server.request.duration", "checkout", T0, Str("http.request.method")), 90)
	failed := points(Observation("http.server.request.duration", "checkout", T0.Add(time.Minute), Str("http.request.method"), Str("error.type")), 10)
	// Only one of two instances ever fails a request.
	record(t, s, "", ok, instance(ok, "checkout-2"), instance(failed, "checkout-2"))

	schemas := must[[]catalog.Schema](t)(s.ListSchemas(ctx, "http.server.request.duration", false))
	if len(schemas) != 1 {
		t.Fatalf("%d current schemas, want one: the release's union", len(schemas))
	}
	sc := schemas[0]
	if want := SchemaID("http.server.request.duration", Str("http.request.method"), Str("error.type")); sc.ID != want {
		t.Errorf("schema id = %s, want the union's %s", sc.ID, want)
	}
	method, errType := field(sc, dataPoint, "http.request.method"), field(sc, dataPoint, "error.type")
	if method == nil || method.Presence != always || method.SeenRatio != 1 {
		t.Errorf("http.request.method = %+v, want always", method)
	}
	if errType == nil || errType.Presence != sometimes || math.Abs(errType.SeenRatio-10.0/190) > 1e-9 || !errType.FirstSeen.Equal(T0.Add(time.Minute)) {
		t.Errorf("error.type = %+v, want sometimes, 10 of 190 points, first seen with the failure", errType)
	}
	if host := field(sc, resource, "host.name"); host == nil || host.Presence != always {
		t.Errorf("host.name = %+v, want always: every instance carries it", host)
	}
	if sc.ProducerCount != 2 || sc.ReleaseCount != 1 || sc.DataPoints != 190 {
		t.Errorf("schema = %+v, want two instances of one release and 190 points", sc)
	}
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, sc.ID, lastHour))
	if len(d.Variants) != 2 || d.Variants[0].DataPoints != 180 || len(d.Variants[0].Attributes) != 1 || d.Variants[1].DataPoints != 10 {
		t.Errorf("variants = %+v, want {method} with 180 points, then {method, error.type} with 10", d.Variants)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if keys[0].Schemas != 1 || keys[0].Superseded != 0 {
		t.Errorf("key = %+v, want one current schema: no divergence", keys[0])
	}
}

func testMove(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "http.server.request.duration"
	ok := Observation(name, "checkout", T0, Str("http.request.method"))
	other := instance(ok, "checkout-2")
	record(t, s, "", ok, other)
	must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: ok.VariantID, Version: "1.0.0", Actor: "alice"}))
	failed := Observation(name, "checkout", T0.Add(time.Hour), Str("http.request.method"), Str("error.type"))
	res := record(t, s, "", failed)
	if res.NewSchemas != 1 || res.SchemaIDs[0] != failed.VariantID {
		t.Fatalf("growing the union = %+v, want one new schema, the union's", res)
	}
	old := ok.VariantID

	current := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	if len(current) != 1 || current[0].ID != failed.VariantID {
		t.Fatalf("current schemas = %v, want only the union's", ids(current))
	}
	grown := current[0]
	if grown.DataPoints != 30 || grown.ProducerCount != 2 || grown.Superseded {
		t.Errorf("new schema = %+v, want the release's history carried over: 30 points, both instances", grown)
	}
	if f := field(grown, dataPoint, "error.type"); f == nil || f.Presence != sometimes || math.Abs(f.SeenRatio-1.0/3) > 1e-9 {
		t.Errorf("error.type on the new schema = %+v, want sometimes, a third of the points", f)
	}
	all := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, true))
	if len(all) != 2 {
		t.Fatalf("schemas with superseded = %v, want two", ids(all))
	}
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, old, lastHour))
	if !d.Schema.Superseded || !slices.Equal(d.Schema.SupersededBy, []string{grown.ID}) || d.Schema.CurrentVersion == nil || d.Schema.CurrentVersion.Version != "1.0.0" {
		t.Errorf("old schema = %+v, want superseded by %s, keeping its version", d.Schema, grown.ID)
	}
	for _, p := range d.Producers {
		if p.SupersededBy != grown.ID {
			t.Errorf("producer %s on the old schema names successor %q, want %s", p.ServiceInstanceID, p.SupersededBy, grown.ID)
		}
	}
	if len(d.Releases) != 1 || d.Releases[0].SupersededBy != grown.ID || d.Releases[0].Instances != 2 {
		t.Errorf("releases of the old schema = %+v", d.Releases)
	}
	nd := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, grown.ID, lastHour))
	if len(nd.Producers) != 2 || nd.Producers[0].SupersededBy != "" || len(nd.Variants) != 2 || len(nd.Scopes) != 1 {
		t.Errorf("new schema's detail = producers %+v, variants %+v, scopes %+v", nd.Producers, nd.Variants, nd.Scopes)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if keys[0].Schemas != 1 || keys[0].Superseded != 1 || keys[0].Producers != 2 {
		t.Errorf("key = %+v, want one current and one superseded schema, two producers", keys[0])
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, name, 0, 0))
	var moved *catalog.Event
	for i := range events {
		if events[i].Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			moved = &events[i]
		}
	}
	want := fmt.Sprintf("checkout 1.0.0 moved from %s to %s: added error.type (string)", old[:8], grown.ID[:8])
	if moved == nil || moved.SchemaID != old || moved.TargetSchemaID != grown.ID || catalog.SummarizeEvent(moved) != want {
		t.Errorf("move event = %+v, want %q", moved, want)
	}
	// The batch returns what it wrote: the union first seen, and the move.
	if k := kinds(res.Events); len(res.Events) != 2 || k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN] != 1 ||
		k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED] != 1 {
		t.Errorf("events the growing batch returned = %+v, want the union first seen and the move", res.Events)
	}
	// The old schema's producers keep coming back as heartbeats of their
	// old variant: they land on the union, and nothing moves again.
	record(t, s, "", instance(Observation(name, "checkout", T0.Add(2*time.Hour), Str("http.request.method")), "checkout-2"))
	if again := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, true)); len(again) != 2 {
		t.Errorf("after a heartbeat of the old variant: %v, want the same two schemas", ids(again))
	}
}

func testFewerLater(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "http.server.request.duration"
	full := Observation(name, "checkout", T0, Str("http.request.method"), Str("error.type"), Int("http.response.status_code"))
	record(t, s, "", full)
	// A delta export of a quiet interval, then another instance.
	record(t, s, "", Observation(name, "checkout", T0.Add(time.Minute), Str("http.request.method")))
	record(t, s, "", instance(Observation(name, "checkout", T0.Add(2*time.Minute), Int("http.response.status_code")), "checkout-9"))
	all := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, true))
	if len(all) != 1 || all[0].ID != full.VariantID {
		t.Errorf("schemas = %v, want only the first export's: fewer attributes are no change", ids(all))
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, name, 0, 0))
	if len(events) != 1 {
		t.Errorf("events = %+v, want only the first seen", events)
	}
}

func testNewRelease(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "db.client.operation.duration"
	v1 := Observation(name, "orders", T0, Str("db.system.name"), Str("db.operation.name"))
	v2 := Observation(name, "orders", T0.Add(time.Hour), Str("db.operation.name"))
	v2.Producer.ServiceVersion = "2.0.0"
	other := Observation(name, "inventory", T0, Str("db.operation.name"))
	record(t, s, "", v1, v2, other)
	current := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	if len(current) != 2 {
		t.Fatalf("current schemas = %v, want the 1.0.0 union and the 2.0.0 one (shared with inventory)", ids(current))
	}
	byID := map[string]catalog.Schema{}
	for _, sc := range current {
		byID[sc.ID] = sc
	}
	if sc, ok := byID[v2.VariantID]; !ok || sc.ReleaseCount != 2 {
		t.Errorf("the dropped attribute's schema = %+v, want orders 2.0.0 and inventory on it", sc)
	}
	if sc, ok := byID[v1.VariantID]; !ok || sc.Superseded {
		t.Errorf("orders 1.0.0's schema = %+v, want it current beside the new release's", sc)
	}
}

func testTypeConflict(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "http.client.request.duration"
	record(t, s, "", Observation(name, "payments", T0, Int("status")), Observation(name, "payments", T0, Str("status")))
	current := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	if len(current) != 1 || !current[0].TypeConflict {
		t.Fatalf("schemas = %+v, want one schema flagged with a type conflict", current)
	}
	var conflicted int
	for _, f := range current[0].Fields {
		if f.Name == "status" && f.TypeConflict {
			conflicted++
		}
	}
	if conflicted != 2 {
		t.Errorf("fields = %+v, want status as int and as string, both flagged", current[0].Fields)
	}
}

func testManyInstances(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	var batch []catalog.Observation
	for i := range 150 {
		o := instance(Observation("jvm.memory.used", "cart", T0.Add(time.Duration(i)*time.Second)), fmt.Sprintf("pod-%03d", i))
		batch = append(batch, o)
	}
	record(t, s, "", batch...)
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, batch[0].VariantID, lastHour))
	if len(d.Producers) != catalog.MaxDetailProducers || d.Producers[0].ServiceInstanceID != "pod-149" {
		t.Errorf("%d producers listed, first %q; want the %d most recent, newest first", len(d.Producers), d.Producers[0].ServiceInstanceID, catalog.MaxDetailProducers)
	}
	if len(d.Releases) != 1 || d.Releases[0].Instances != 150 || d.Schema.ProducerCount != 150 {
		t.Errorf("releases = %+v, producer count %d; want 150 instances of one release", d.Releases, d.Schema.ProducerCount)
	}
	all := must[[]catalog.Producer](t)(s.ListProducers(ctx, catalog.ProducerFilter{SchemaID: batch[0].VariantID}))
	if len(all) != 150 || all[0].ServiceInstanceID != "pod-000" {
		t.Errorf("ListProducers of the schema = %d, first %q; want all 150 by identity", len(all), all[0].ServiceInstanceID)
	}
	recent := must[[]catalog.Producer](t)(s.ListProducers(ctx, catalog.ProducerFilter{ServiceName: "cart", MostRecentFirst: true, Limit: 10}))
	if len(recent) != 10 || recent[0].ServiceInstanceID != "pod-149" || recent[9].ServiceInstanceID != "pod-140" {
		t.Errorf("the 10 most recent instances of cart = %d, from %q; want pod-149 down to pod-140", len(recent), recent[0].ServiceInstanceID)
	}
	if sv := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{})); len(sv) != 1 || sv[0].Instances != 150 || sv[0].Releases != 1 {
		t.Errorf("services = %+v, want cart with 150 instances of one release", sv)
	}
}

// testBatchSplit records the same observations as one batch and as one
// batch each, as several ingest replicas behind a random load balancer
// would send them: the current schemas must be the same.
func testBatchSplit(t *testing.T, h Harness) {
	ctx := context.Background()
	const name = "rpc.server.duration"
	obs := []catalog.Observation{
		Observation(name, "a", T0, Str("rpc.method")),
		instance(Observation(name, "a", T0.Add(time.Second), Str("rpc.method"), Str("error.type")), "a-2"),
		Observation(name, "b", T0.Add(2*time.Second), Str("rpc.method"), Int("rpc.grpc.status_code")),
		Observation(name, "a", T0.Add(3*time.Second), Str("rpc.service")),
	}
	current := func(split bool) []catalog.Schema {
		s := h.Open(t)
		if split {
			for i := len(obs) - 1; i >= 0; i-- {
				record(t, s, "", obs[i])
			}
		} else {
			record(t, s, "", obs...)
		}
		return must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	}
	one, many := current(false), current(true)
	if !slices.Equal(ids(one), ids(many)) || len(one) != 2 {
		t.Fatalf("current schemas from one batch %v, from one batch each %v; want the same two", ids(one), ids(many))
	}
	for i := range one {
		for _, f := range one[i].Fields {
			g := field(many[i], f.Source, f.Name)
			if g == nil || g.Presence != f.Presence || math.Abs(g.SeenRatio-f.SeenRatio) > 1e-9 {
				t.Errorf("schema %s field %s: %+v from one batch, %+v from many", one[i].ID, f.Name, f, g)
			}
		}
	}
}

// testSharedSchema: two releases send the same union; one of them grows
// and moves on. The schema stays current for the other, and its figures
// are the other's alone: the release that left took its history along.
func testSharedSchema(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "http.server.request.duration"
	billing := Observation(name, "billing", T0, Str("http.request.method"))
	cart := Observation(name, "cart", T0, Str("http.request.method"))
	record(t, s, "", billing, cart)
	record(t, s, "", Observation(name, "cart", T0.Add(time.Minute), Str("http.request.method"), Str("error.type")))
	shared := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, billing.VariantID, lastHour))
	if sc := shared.Schema; sc.Superseded || sc.ReleaseCount != 1 || sc.ProducerCount != 1 || sc.DataPoints != 10 ||
		!slices.Equal(sc.SupersededBy, []string{SchemaID(name, Str("http.request.method"), Str("error.type"))}) {
		t.Errorf("shared schema = %+v, want current for billing alone: one instance, its 10 points, and cart's successor named", sc)
	}
	if len(shared.Variants) != 1 || shared.Variants[0].DataPoints != 10 {
		t.Errorf("shared schema's variants = %+v, want billing's only", shared.Variants)
	}
	for _, r := range shared.Releases {
		if moved := r.SupersededBy != ""; moved != (r.ServiceName == "cart") {
			t.Errorf("release %s names successor %q", r.ServiceName, r.SupersededBy)
		}
	}
	grown := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, false))
	for _, sc := range grown {
		if sc.ID != billing.VariantID && (sc.DataPoints != 20 || sc.ProducerCount != 1) {
			t.Errorf("cart's union = %+v, want cart's 20 points and one instance", sc)
		}
	}
}

// testTwoScopesMoveApart: one release sends a metric through two scopes,
// which grow their unions in different batches. The release's points on
// the schema they end on are counted once, as the schema's are; the two
// moves are two timeline entries, and the schema they left is superseded.
func testTwoScopesMoveApart(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "m"
	m, e := Str("method"), Str("error.type")
	record(t, s, "", inScope(Observation(name, "checkout", T0, m), "a"), inScope(Observation(name, "checkout", T0, m), "b"))
	record(t, s, "", inScope(Observation(name, "checkout", T0.Add(time.Minute), m, e), "a"))
	record(t, s, "", inScope(Observation(name, "checkout", T0.Add(2*time.Minute), m, e), "b"))
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, SchemaID(name, m, e), lastHour))
	if d.Schema.DataPoints != 40 || len(d.Releases) != 1 || d.Releases[0].DataPoints != 40 || len(d.Scopes) != 2 {
		t.Errorf("schema %d points, releases %+v, scopes %d; want 40 points, the release's 40 too, two scopes", d.Schema.DataPoints, d.Releases, len(d.Scopes))
	}
	old := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, SchemaID(name, m), lastHour))
	if !old.Schema.Superseded || old.Schema.DataPoints != 20 {
		t.Errorf("the schema both scopes left = %+v, want superseded with its 20 points of history", old.Schema)
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, name, 0, 0))
	if k := kinds(events); k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED] != 2 || k[tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED] != 0 {
		t.Errorf("events = %v, want a move per batch and no release added", k)
	}
}

// testComeBack: a release moves on from a schema, which is superseded; later
// a new scope of the release sends the schema's union again. The schema is
// current again, and the timeline says the release joined it.
func testComeBack(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "m"
	m, e := Str("method"), Str("error.type")
	record(t, s, "", inScope(Observation(name, "checkout", T0, m), "a"))
	record(t, s, "", inScope(Observation(name, "checkout", T0.Add(time.Minute), m, e), "a"))
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if keys[0].Schemas != 1 || keys[0].Superseded != 1 {
		t.Fatalf("after the move: %+v, want one current and one superseded schema", keys[0])
	}
	record(t, s, "", inScope(Observation(name, "checkout", T0.Add(2*time.Minute), m), "b"))
	keys, _ = must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if keys[0].Schemas != 2 || keys[0].Superseded != 0 {
		t.Errorf("after scope b: %+v, want both schemas current", keys[0])
	}
	back := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, SchemaID(name, m), lastHour))
	if back.Schema.Superseded || back.Schema.DataPoints != 10 {
		t.Errorf("the schema scope b landed on = %+v, want current with scope b's 10 points", back.Schema)
	}
	events := must[[]catalog.Event](t)(s.ListSchemaEvents(ctx, name, 0, 1))
	if len(events) != 1 || events[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED || events[0].SchemaID != SchemaID(name, m) {
		t.Errorf("newest event = %+v, want checkout joining the schema again", events)
	}
}
