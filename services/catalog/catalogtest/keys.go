package catalogtest

import (
	"context"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// What the lists of keys say of spans and logs beyond their schemas: a
// span key's share of errors, which key groups a scope, and what each
// release of a service sends, signal by signal.

// failed is o with n of its spans failed.
func failed(o catalog.Observation, n uint64) catalog.Observation {
	o.Errors = n
	return o
}

// byScope is o grouped by its scope: its name is the scope's.
func byScope(o catalog.Observation) catalog.Observation {
	o.Shape.Name, o.Shape.ByScope = o.ScopeName, true
	o.Normalize()
	return o
}

func testKeyFigures(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const users, health = "GET /users/{id}", "GET /health"
	route := Str("http.route")
	usersSpans := failed(points(SpanObservation(users, schemaid.SpanKindServer, "checkout", T0, route), 20), 5)
	scoped := failed(points(byScope(SpanObservation("GET /orders/1001", schemaid.SpanKindServer, "checkout", T0)), 50), 10)
	record(t, s, "", usersSpans, points(SpanObservation(health, schemaid.SpanKindServer, "checkout", T0), 10), scoped,
		points(LogObservation("app.login", false, "checkout", T0), 6), points(byScope(LogObservation("", false, "checkout", T0)), 3),
		Observation("cpu.time", "checkout", T0))
	// The release then sends error.type on the users route: it moves to
	// the larger schema and takes its counts along; a second release
	// sends the same shape, its spans pooled in that schema.
	moved := failed(points(SpanObservation(users, schemaid.SpanKindServer, "checkout", T0.Add(time.Minute), route, Str("error.type")), 10), 5)
	record(t, s, "", moved, points(release(moved, "2.0.0"), 10))
	record(t, s, "", failed(release(moved, "2.0.0"), 0))

	spans, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Span}}))
	type figures struct {
		name               string
		byScope            bool
		dataPoints, errors uint64
	}
	figuresOf := func(keys []catalog.KeySummary) []figures {
		out := make([]figures, len(keys))
		for i, k := range keys {
			out[i] = figures{k.Name, k.ByScope, k.DataPoints, k.Errors}
		}
		return out
	}
	// Users: 20 + 10 spans of the first release (10 errors), 10 + 10 of
	// the second (5 errors with its first batch, none after): 30 %.
	want := []figures{{health, false, 10, 0}, {users, false, 50, 15}, {scoped.ScopeName, true, 50, 10}}
	if got := figuresOf(spans); total != 3 || !slices.Equal(got, want) {
		t.Errorf("span keys = %+v (%d), want %+v", got, total, want)
	}
	if sc := must[[]catalog.Schema](t)(s.ListSchemas(ctx, catalog.StoredKey(schemaid.Span, users), false)); len(sc) != 1 || sc[0].DataPoints != 50 || sc[0].Errors != 15 {
		t.Errorf("the users route's schema = %+v, want the key's 50 spans and 15 errors", sc)
	}

	// By error share: users 30 %, the scope's 20 %, health none; paged.
	byShare := func(desc bool, offset, limit int) []string {
		keys, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Span},
			Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE, Descending: desc, Offset: offset, Limit: limit}))
		if total != 3 {
			t.Errorf("sorted by error share: %d keys in all, want 3", total)
		}
		var names []string
		for _, k := range figuresOf(keys) {
			names = append(names, k.name)
			if k.dataPoints == 0 {
				t.Errorf("sorted by error share, %s has no figures", k.name)
			}
		}
		return names
	}
	if got := byShare(true, 0, 0); !slices.Equal(got, []string{users, scoped.ScopeName, health}) {
		t.Errorf("by error share, most first = %v", got)
	}
	if got := byShare(false, 0, 0); !slices.Equal(got, []string{health, scoped.ScopeName, users}) {
		t.Errorf("by error share, least first = %v", got)
	}
	if got := byShare(true, 1, 1); !slices.Equal(got, []string{scoped.ScopeName}) {
		t.Errorf("by error share, the second page of one = %v", got)
	}

	logs, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Log}}))
	logger := LogObservation("", false, "checkout", T0).ScopeName
	if got, want := figuresOf(logs), []figures{{"app.login", false, 6, 0}, {logger, true, 3, 0}}; !slices.Equal(got, want) {
		t.Errorf("log keys = %+v, want the event's and the logger's %+v", got, want)
	}
	metrics, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	// A metric has no errors and no scope grouping: its list reads none.
	if got, want := figuresOf(metrics), []figures{{"cpu.time", false, 0, 0}}; !slices.Equal(got, want) {
		t.Errorf("metric keys = %+v, want %+v", got, want)
	}
}

func testServiceReleases(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	instance := func(o catalog.Observation, version, id string) catalog.Observation {
		o.Producer.ServiceVersion, o.Producer.ServiceInstanceID = version, id
		return o
	}
	later := T0.Add(time.Hour)
	// checkout 1.0.0 on two instances: two metrics, a span and a log
	// event. 1.1.0, deployed later on one: one of the metrics, the span
	// and another, no log; 1.0.0 still runs after it (seen last, yet the
	// older release). payments sends a metric of its own.
	record(t, s, "",
		instance(Observation("m1", "checkout", T0), "1.0.0", "c-1"), instance(Observation("m2", "checkout", T0), "1.0.0", "c-2"),
		instance(SpanObservation("s1", schemaid.SpanKindServer, "checkout", T0), "1.0.0", "c-1"),
		instance(LogObservation("l1", false, "checkout", T0), "1.0.0", "c-2"),
		instance(Observation("m1", "checkout", later), "1.1.0", "c-3"),
		instance(SpanObservation("s1", schemaid.SpanKindServer, "checkout", later), "1.1.0", "c-3"),
		instance(SpanObservation("s2", schemaid.SpanKindClient, "checkout", later), "1.1.0", "c-3"),
		instance(Observation("m2", "checkout", later.Add(time.Hour)), "1.0.0", "c-2"),
		Observation("m3", "payments", T0))

	got := must[catalog.ServiceReleases](t)(s.ListServiceReleases(ctx, "checkout", 0, 0))
	type rel struct {
		version   string
		instances int
		keys      catalog.KeyCounts
	}
	var rels []rel
	for _, r := range got.Releases {
		if r.ServiceName != "checkout" || r.LastSeen.IsZero() || r.FirstSeen.After(r.LastSeen) {
			t.Errorf("release %+v", r)
		}
		rels = append(rels, rel{r.ServiceVersion, r.Instances, r.Keys})
	}
	want := []rel{{"1.1.0", 1, catalog.KeyCounts{Metrics: 1, Spans: 2}}, {"1.0.0", 2, catalog.KeyCounts{Metrics: 2, Spans: 1, Logs: 1}}}
	if !slices.Equal(rels, want) {
		t.Errorf("checkout's releases = %+v, want the one deployed last first %+v", rels, want)
	}
	if want := (catalog.KeyCounts{Metrics: 2, Spans: 2, Logs: 1}); got.Keys != want {
		t.Errorf("checkout's keys = %+v, want each once %+v", got.Keys, want)
	}
	// The service's counts are what its filtered lists count.
	for sig, n := range map[schemaid.Signal]int{schemaid.Metric: got.Keys.Metrics, schemaid.Span: got.Keys.Spans, schemaid.Log: got.Keys.Logs} {
		if _, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{ServiceName: "checkout", Signals: []schemaid.Signal{sig}})); total != int64(n) {
			t.Errorf("the %v list filtered to checkout counts %d, the releases' answer %d", sig, total, n)
		}
	}
	page := must[catalog.ServiceReleases](t)(s.ListServiceReleases(ctx, "checkout", 1, 1))
	if len(page.Releases) != 1 || page.Releases[0].ServiceVersion != "1.0.0" || page.Keys != got.Keys {
		t.Errorf("the second page of one = %+v, want 1.0.0 and the service's keys", page)
	}
	if none := must[catalog.ServiceReleases](t)(s.ListServiceReleases(ctx, "nobody", 0, 0)); len(none.Releases) != 0 || none.Keys != (catalog.KeyCounts{}) {
		t.Errorf("a service never seen = %+v, want nothing", none)
	}
}
