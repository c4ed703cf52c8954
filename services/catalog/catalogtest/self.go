package catalogtest

import (
	"context"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// The lists a team reads (issue 23): TallyCat's own telemetry left out
// when asked, the keys whose schemas disagree, and each key's versions.

// keyNames are the keys of summaries, in order.
func keyNames(keys []catalog.KeySummary) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Key
	}
	return out
}

// testSelfTelemetry: the catalog and the ingest report their own
// metrics; a list that leaves them out keeps a team's, a metric a team's
// service sends too, and a team's service that happens to share a name
// with TallyCat's in its own namespace, and counts and pages what it
// keeps.
func testSelfTelemetry(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	at := time.Now().UTC().Add(-5 * time.Minute)
	sent := func(name, namespace, service string, series int) catalog.Observation {
		o := Observation(name, service, at, Str("user.id"), Str("region"))
		o.Producer.ServiceNamespace = namespace
		return Costly(o, 0, series)
	}
	record(t, s, "own",
		sent("tallycat.ingest.batches", catalog.SelfNamespace, "tallycat-ingest", 60),
		sent("rpc.server.call.duration", catalog.SelfNamespace, "tallycat-catalog", 40))
	record(t, s, "team",
		sent("rpc.server.call.duration", "", "checkout", 10),
		sent("http.server.request.duration", "", "checkout", 20),
		sent("shop.queue.depth", "shop", "tallycat-ingest", 5))

	all, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if total != 4 || !slices.Contains(keyNames(all), "tallycat.ingest.batches") {
		t.Fatalf("every key = %v (%d), want the four, TallyCat's own among them", keyNames(all), total)
	}
	teams := []string{"http.server.request.duration", "rpc.server.call.duration", "shop.queue.depth"}
	keys, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true}))
	if !slices.Equal(keyNames(keys), teams) || total != 3 {
		t.Errorf("without TallyCat's own = %v (%d), want %v: rpc.server.call.duration is checkout's too", keyNames(keys), total, teams)
	}
	if page, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true, Offset: 2, Limit: 2})); !slices.Equal(keyNames(page), teams[2:]) || total != 3 {
		t.Errorf("the second page of two = %v (%d), want %v of 3", keyNames(page), total, teams[2:])
	}
	bySeries, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true, Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true}))
	if want := []string{"rpc.server.call.duration", "http.server.request.duration", "shop.queue.depth"}; !slices.Equal(keyNames(bySeries), want) || total != 3 {
		t.Errorf("by series = %v (%d), want %v", keyNames(bySeries), total, want)
	}
	if shared, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true, ServiceName: "tallycat-catalog"})); total != 1 || shared[0].Key != "rpc.server.call.duration" {
		t.Errorf("the catalog's keys a team sends too = %v (%d), want rpc.server.call.duration", keyNames(shared), total)
	}

	names := func(sv []catalog.Service) []string {
		out := make([]string, len(sv))
		for i, x := range sv {
			out[i] = x.Name
		}
		return out
	}
	if sv := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{})); !slices.Equal(names(sv), []string{"checkout", "tallycat-catalog", "tallycat-ingest"}) || sv[2].Releases != 2 {
		t.Errorf("every service = %+v, want checkout and TallyCat's two, tallycat-ingest with shop's release as well", sv)
	}
	sv := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{ExcludeSelf: true}))
	if !slices.Equal(names(sv), []string{"checkout", "tallycat-ingest"}) || sv[1].Releases != 1 {
		t.Errorf("services without TallyCat's = %+v, want checkout and shop's tallycat-ingest, one release", sv)
	}
	if page := must[[]catalog.Service](t)(s.ListServices(ctx, catalog.ServiceFilter{ExcludeSelf: true, Offset: 1, Limit: 1})); !slices.Equal(names(page), []string{"tallycat-ingest"}) {
		t.Errorf("the second page of one = %v, want shop's tallycat-ingest", names(page))
	}

	top := must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: lastHour}))
	if len(top.Metrics) != 4 || top.Metrics[0].Key != "tallycat.ingest.batches" {
		t.Errorf("top metrics = %+v, want TallyCat's batches first of four", top.Metrics)
	}
	top = must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: lastHour, ExcludeSelf: true}))
	var got []string
	for _, m := range top.Metrics {
		got = append(got, m.Key)
	}
	if want := []string{"http.server.request.duration", "rpc.server.call.duration", "shop.queue.depth"}; !slices.Equal(got, want) || top.Metrics[1].Cost.Series != 10 {
		t.Errorf("top metrics without TallyCat's = %+v, want %v, rpc.server.call.duration with checkout's 10 series alone", top.Metrics, want)
	}
	for _, r := range top.Releases {
		if r.IsSelf() {
			t.Errorf("top releases without TallyCat's list %v", r)
		}
	}
	if len(top.Releases) != 2 || top.Releases[0].ServiceName != "checkout" || top.Releases[0].Cost.Series != 30 {
		t.Errorf("top releases without TallyCat's = %+v, want checkout (30 series) and shop's tallycat-ingest", top.Releases)
	}
	for _, a := range top.Attributes {
		if a.Key == "tallycat.ingest.batches" {
			t.Errorf("top attributes without TallyCat's list %+v", a)
		}
	}
}

// testDivergingAndVersions: a key diverges when its current schemas
// disagree on the unit or the type, or when more than one service sends
// more than one schema; a deploy in progress (one service's two releases
// on two shapes) and a schema every release left do not make it diverge.
// Each key lists its schemas' current versions, in version order.
func testDivergingAndVersions(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	release := func(o catalog.Observation, version string) catalog.Observation {
		o.Producer.ServiceVersion = version
		return o
	}
	unit := func(o catalog.Observation, u string) catalog.Observation {
		o.Shape.Unit = u
		o.Normalize()
		return o
	}
	deployOld, deployNew := Observation("c.deploy", "checkout", T0, Str("x")), release(Observation("c.deploy", "checkout", T0, Str("x"), Str("y")), "2.0.0")
	unitsS, unitsMS := Observation("b.units", "checkout", T0), unit(Observation("b.units", "payments", T0), "ms")
	left := Observation("f.left", "checkout", T0, Str("x"))
	record(t, s, "first",
		Observation("a.same", "checkout", T0), Observation("a.same", "payments", T0),
		unitsS, unitsMS, deployOld, deployNew,
		Observation("d.shapes", "checkout", T0, Str("x")), Observation("d.shapes", "payments", T0, Str("y")),
		Observation("e.unit-deploy", "checkout", T0), release(unit(Observation("e.unit-deploy", "checkout", T0), "ms"), "2.0.0"),
		left, Observation("f.left", "payments", T0, Str("x"), Str("y")),
		Observation("g.later", "checkout", T0))
	// Before checkout moves off it, f.left's first schema gets a version.
	must[catalog.Version](t)(s.AssignVersion(ctx, catalog.VersionChange{SchemaID: left.VariantID, Version: "0.1.0", Actor: "a"}))
	// A key held already diverges once another service sends it in
	// another unit.
	record(t, s, "moved", Observation("f.left", "checkout", T0.Add(time.Minute), Str("x"), Str("y")),
		unit(Observation("g.later", "payments", T0.Add(time.Minute)), "ms"))

	diverging := []string{"b.units", "d.shapes", "e.unit-deploy", "g.later"}
	keys, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Diverging: true}))
	if !slices.Equal(keyNames(keys), diverging) || total != 4 {
		t.Errorf("diverging keys = %v (%d), want %v", keyNames(keys), total, diverging)
	}
	all, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	for _, k := range append(keys, all...) {
		if k.Diverging != slices.Contains(diverging, k.Key) {
			t.Errorf("%s: diverging = %v, want %v", k.Key, k.Diverging, !k.Diverging)
		}
	}
	if page, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Diverging: true, Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Limit: 2})); len(page) != 2 || total != 4 {
		t.Errorf("diverging keys by series, two of them = %v (%d), want two of 4", keyNames(page), total)
	}

	for _, c := range []catalog.VersionChange{
		{SchemaID: deployOld.VariantID, Version: "1.0.0"}, {SchemaID: deployNew.VariantID, Version: "2.0.0"},
		{SchemaID: unitsS.VariantID, Version: "10.0.0"}, {SchemaID: unitsMS.VariantID, Version: "9.0.0"},
	} {
		c.Actor = "a"
		must[catalog.Version](t)(s.AssignVersion(ctx, c))
	}
	must[catalog.Version](t)(s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: deployNew.VariantID,
		Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "r", Actor: "a"}))
	active, deprecated := tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE, tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED
	want := map[string][]catalog.KeyVersion{
		"a.same":   nil,
		"b.units":  {{SchemaID: unitsMS.VariantID, Version: "9.0.0", Status: active}, {SchemaID: unitsS.VariantID, Version: "10.0.0", Status: active}},
		"c.deploy": {{SchemaID: deployOld.VariantID, Version: "1.0.0", Status: active}, {SchemaID: deployNew.VariantID, Version: "2.0.0", Status: deprecated}},
		"f.left":   {{SchemaID: left.VariantID, Version: "0.1.0", Status: active, Superseded: true}},
	}
	all, _ = must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	for _, k := range all {
		if w, ok := want[k.Key]; ok && !slices.Equal(k.Versions, w) {
			t.Errorf("%s's versions = %+v, want %+v", k.Key, k.Versions, w)
		}
	}
	bySeries, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: "c.deploy", Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES}))
	if len(bySeries) != 1 || !slices.Equal(bySeries[0].Versions, want["c.deploy"]) {
		t.Errorf("c.deploy sorted by series = %+v, want its versions as well", bySeries)
	}
}

// RecordKeyFlags records into s keys of which some diverge and one only
// TallyCat's own catalog sent, for a test of an upgrade that works those
// flags out for the keys a catalog holds, and returns the diverging keys
// and TallyCat's own.
func RecordKeyFlags(t *testing.T, s catalog.Store) (diverging, self []string) {
	t.Helper()
	ms := Observation("b.units", "payments", T0)
	ms.Shape.Unit = "ms"
	ms.Normalize()
	own := Observation("d.own", catalog.SelfServices[0], T0)
	own.Producer.ServiceNamespace = catalog.SelfNamespace
	shared := Observation("a.same", catalog.SelfServices[0], T0)
	shared.Producer.ServiceNamespace = catalog.SelfNamespace
	record(t, s, "", Observation("a.same", "checkout", T0), shared,
		Observation("b.units", "checkout", T0), ms,
		Observation("c.shapes", "checkout", T0, Str("x")), Observation("c.shapes", "payments", T0, Str("y")), own)
	return []string{"b.units", "c.shapes"}, []string{"d.own"}
}

// CheckKeyFlags checks that the diverging keys of s are diverging, listed
// under the filter and flagged in the list of every key, and that the
// list without TallyCat's own leaves self out, and only it.
func CheckKeyFlags(t *testing.T, s catalog.Store, diverging, self []string) {
	t.Helper()
	ctx := context.Background()
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Diverging: true}))
	if !slices.Equal(keyNames(keys), diverging) {
		t.Errorf("diverging keys = %v, want %v", keyNames(keys), diverging)
	}
	all, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	var others []string
	for _, k := range all {
		if k.Diverging != slices.Contains(diverging, k.Key) {
			t.Errorf("%s: diverging = %v, want %v", k.Key, k.Diverging, !k.Diverging)
		}
		if !slices.Contains(self, k.Key) {
			others = append(others, k.Key)
		}
	}
	teams, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true}))
	if !slices.Equal(keyNames(teams), others) {
		t.Errorf("keys without TallyCat's own = %v, want %v", keyNames(teams), others)
	}
}
