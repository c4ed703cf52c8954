package catalogtest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// Reading for a full judging (ListJudging, ReadFieldCosts): the same
// schemas, fields, releases and field figures as ListSchemas and GetSchema
// give key by key, and the same findings.

// withMethods is o carrying http.request.method's values as an ingest
// that kept them would send.
func withMethods(o catalog.Observation, values ...string) catalog.Observation {
	f := catalog.FieldFigures{Source: dataPoint, Key: "http.request.method", Type: str, State: kept}
	for _, v := range values {
		f.Distinct.Add(cardinality.HashString(str, v))
		f.Values = append(f.Values, catalog.ValueCount{Value: v, DataPoints: 5})
	}
	o.Series.Add(cardinality.HashString(str, strings.Join(values, ",")))
	o.Fields = append(o.Fields, f)
	return o
}

func release(o catalog.Observation, version string) catalog.Observation {
	o.Producer.ServiceVersion = version
	return o
}

func testJudging(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	now := time.Now().UTC().Add(-5 * time.Minute)
	const (
		db   = "db.client.operations"
		http = "http.server.request.duration"
		conf = "rpc.client.duration"
	)
	// db: orders 1.0.0 moves from {db.system.name} to a larger union and
	// leaves that schema to inventory; orders 2.0.0 moves there from
	// {db.operation.name}, which no one produces any more (superseded);
	// billing sends db.system.name as an int, a schema of its own.
	x, xy := Str("db.system.name"), Str("db.operation.name")
	record(t, s, "db-0", release(Observation(db, "orders", T0, xy), "2.0.0"))
	record(t, s, "db-1", Observation(db, "orders", T0, x), Observation(db, "inventory", T0, x))
	record(t, s, "db-2", Observation(db, "orders", T0.Add(time.Minute), x, xy),
		release(Observation(db, "orders", T0.Add(3*time.Minute), x, xy), "2.0.0"),
		Observation(db, "billing", T0.Add(2*time.Minute), Int("db.system.name")))
	// http: checkout's values over two replicas, one undefined; an
	// instance with a resource attribute the other lacks; user.id past
	// the threshold of high cardinality.
	a := withMethods(Costly(Observation(http, "checkout", now, Str("http.request.method"), Str("user.id"), Str("region")), 0, 3000), "GET", "FOO")
	b := withMethods(Costly(instance(Observation(http, "checkout", now.Add(time.Second), Str("http.request.method"), Str("user.id"), Str("region")), "checkout-2"), 2000, 2500), "POST")
	b.ResourceAttributes = append(b.ResourceAttributes, Str("k8s.pod.name"))
	b.Normalize()
	record(t, s, "http-a", a)
	record(t, s, "http-b", b)
	// conf: one release sends status as an int and as a string.
	record(t, s, "conf", Observation(conf, "payments", T0, Int("status")), Observation(conf, "payments", T0, Str("status")))
	// logins: a stream with figures moves to a larger union; its rows go
	// with it, and the schema it left is superseded.
	const logins = "app.logins"
	moved := Observation(logins, "checkout", now, Str("user.id"), Str("region"), Str("device"))
	record(t, s, "logins-1", Costly(UserObservation(now.Add(-10*time.Minute)), 0, 100))
	record(t, s, "logins-2", Costly(moved, 100, 200))

	// Pages of two keys, in name order, then a short one; a cursor that
	// names no key starts past it.
	var keys []string
	var pages [][]catalog.JudgingKey
	for after := ""; ; {
		page := must[[]catalog.JudgingKey](t)(s.ListJudging(ctx, after, 2))
		pages = append(pages, page)
		for _, k := range page {
			keys = append(keys, k.Key)
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].Key
	}
	if want := []string{logins, db, http, conf}; !slices.Equal(keys, want) || len(pages) != 3 {
		t.Fatalf("keys by page = %v in %d pages, want %v in three (the last empty)", keys, len(pages), want)
	}
	if page := must[[]catalog.JudgingKey](t)(s.ListJudging(ctx, "e", 0)); len(page) != 2 || page[0].Key != http || page[1].Key != conf {
		t.Errorf("after %q: %v, want %s and %s", "e", page, http, conf)
	}
	if page := must[[]catalog.JudgingKey](t)(s.ListJudging(ctx, conf, 10)); len(page) != 0 {
		t.Errorf("after the last key: %v, want nothing", page)
	}

	costs := must[catalog.FieldCosts](t)(s.ReadFieldCosts(ctx, lastDay))
	for _, page := range pages {
		for _, k := range page {
			listed := must[[]catalog.Schema](t)(s.ListSchemas(ctx, k.Key, false))
			if got := judgedIDs(k.Schemas); !slices.Equal(got, ids(listed)) {
				t.Errorf("%s: schemas %v, want ListSchemas's %v", k.Key, got, ids(listed))
				continue
			}
			for i, j := range k.Schemas {
				if !reflect.DeepEqual(j.Schema, listed[i]) {
					t.Errorf("%s: schema\n  %+v\nwant ListSchemas's\n  %+v", k.Key, j.Schema, listed[i])
				}
				d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, j.Schema.ID, lastDay))
				var current []catalog.ReleaseIdentity
				for _, r := range d.Releases {
					if r.SupersededBy == "" {
						current = append(current, r.ReleaseIdentity)
					}
				}
				if !slices.Equal(j.Releases, current) {
					t.Errorf("%s %s: releases %v, want GetSchema's current ones %v", k.Key, j.Schema.ID, j.Releases, current)
				}
				sc := j.Schema
				sc.Fields = slices.Clone(sc.Fields)
				if err := costs.Apply(&sc); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(sc.Fields, d.Schema.Fields) {
					t.Errorf("%s %s: fields with costs\n  %+v\nwant GetSchema's\n  %+v", k.Key, j.Schema.ID, sc.Fields, d.Schema.Fields)
				}
				// The schema's own cost too, which policies cap (the rate
				// depends on when each was read, and is left out).
				if got, want := sc.Cost, d.Schema.Cost; got == nil || want == nil || got.Series != want.Series || got.DataPoints != want.DataPoints || got.Window != want.Window {
					t.Errorf("%s %s: cost %+v, want GetSchema's %+v", k.Key, j.Schema.ID, got, want)
				}
			}
		}
	}

	// What the cases are there for.
	byKey := map[string]catalog.JudgingKey{}
	for _, page := range pages {
		for _, k := range page {
			byKey[k.Key] = k
		}
	}
	superseded := SchemaID(db, xy)
	if all := must[[]catalog.Schema](t)(s.ListSchemas(ctx, db, true)); !slices.ContainsFunc(all, func(sc catalog.Schema) bool { return sc.ID == superseded && sc.Superseded }) {
		t.Fatalf("%s: schemas %v, want %s among them, superseded", db, ids(all), superseded)
	}
	if got := judgedIDs(byKey[db].Schemas); len(got) != 3 || slices.Contains(got, superseded) {
		t.Errorf("%s: judged schemas %v, want three, not the superseded %s", db, got, superseded)
	}
	for _, j := range byKey[db].Schemas {
		switch j.Schema.ID {
		case SchemaID(db, x):
			if want := []catalog.ReleaseIdentity{{ServiceName: "inventory", ServiceVersion: "1.0.0"}}; !slices.Equal(j.Releases, want) {
				t.Errorf("%s {db.system.name}: releases %v, want inventory alone (orders moved on)", db, j.Releases)
			}
		case SchemaID(db, x, xy):
			if len(j.Releases) != 2 || j.Releases[0].ServiceVersion != "2.0.0" {
				t.Errorf("%s {both}: releases %v, want orders 2.0.0 (seen last) then 1.0.0", db, j.Releases)
			}
		}
	}
	if got := judgedIDs(byKey[logins].Schemas); !slices.Equal(got, []string{moved.VariantID}) {
		t.Errorf("%s: judged schemas %v, want the one the stream moved to, %s", logins, got, moved.VariantID)
	}
	left := must[[]catalog.Schema](t)(s.GetSchemas(ctx, UserObservation(now).VariantID))[0]
	if err := costs.Apply(&left); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Errorf("field costs of the superseded schema of %s: %v, want EFAILEDPRECONDITION", logins, err)
	}
	if got := byKey[conf].Schemas; len(got) != 1 || !got[0].Schema.TypeConflict {
		t.Errorf("%s: %+v, want one schema with a type conflict", conf, got)
	}
	if got := byKey[http].Schemas; len(got) != 1 {
		t.Errorf("%s: %d schemas, want one", http, len(got))
	} else {
		sc := got[0].Schema
		if err := costs.Apply(&sc); err != nil {
			t.Fatal(err)
		}
		method, user, pod := field(sc, dataPoint, "http.request.method"), field(sc, dataPoint, "user.id"), field(sc, resource, "k8s.pod.name")
		if method == nil || method.ExamplesState != kept || len(method.Examples) != 3 {
			t.Errorf("http.request.method = %+v, want GET, FOO and POST kept", method)
		}
		if user == nil || !user.HighCardinality {
			t.Errorf("user.id = %+v, want high cardinality", user)
		}
		if pod == nil || pod.Presence != sometimes {
			t.Errorf("k8s.pod.name = %+v, want sometimes present (one instance of two)", pod)
		}
	}

	// A full judging finds what judging each key afresh finds.
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	x2 := &conformance.Findings{Store: s, Judge: conformance.Judge{Registry: reg}}
	if err := x2.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	all, _ := mustFindings(t)(x2.List(ctx, conformance.FindingFilter{}))
	for _, key := range keys {
		var full []string
		for _, f := range all {
			if f.SchemaKey == key {
				full = append(full, renderFinding(f))
			}
		}
		afresh, _ := mustFindings(t)(x2.List(ctx, conformance.FindingFilter{SchemaKey: key}))
		var one []string
		for _, f := range afresh {
			one = append(one, renderFinding(f))
		}
		if !slices.Equal(full, one) {
			t.Errorf("%s: a full judging found\n  %s\njudging it afresh\n  %s", key, strings.Join(full, "\n  "), strings.Join(one, "\n  "))
		}
	}
	for _, want := range []string{"undefined_enum_variant " + http + " http.request.method", "high_cardinality " + http + " user.id",
		"type_conflict " + conf + " status", "missing_metric " + db} {
		if !slices.ContainsFunc(all, func(f conformance.Finding) bool {
			return strings.HasPrefix(renderFinding(f), want+" ")
		}) {
			t.Errorf("no %q among the findings of a full judging", want)
		}
	}
}

func judgedIDs(js []catalog.Judged) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.Schema.ID
	}
	return out
}

// renderFinding is a finding as a line: id, key, attribute, then the rest.
func renderFinding(f conformance.Finding) string {
	return fmt.Sprintf("%s %s %s · %s %s %s %s %s %v %v", f.ID, f.SchemaKey, f.Attribute, f.Level, f.SchemaID, f.Message, f.Expected, f.Actual, f.Producers, f.FirstSeen.UTC())
}

func mustFindings(t *testing.T) func([]conformance.Finding, int, error) ([]conformance.Finding, int) {
	return func(fs []conformance.Finding, n int, err error) ([]conformance.Finding, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return fs, n
	}
}
