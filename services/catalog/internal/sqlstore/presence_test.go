package sqlstore_test

import (
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

var (
	attrA = schemaid.Attribute{Key: "a", Type: String}
	attrB = schemaid.Attribute{Key: "b", Type: String}
	day   = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
)

func hour(n int) time.Time { return day.Add(time.Duration(n) * time.Hour) }

type wantField struct {
	name        string
	presence    tallycatv1.FieldPresence
	ratio       float64
	first, last time.Time
}

func checkFields(t *testing.T, got []catalog.Field, want []wantField) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("fields = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Presence != w.presence || g.SeenRatio != w.ratio || !g.FirstSeen.Equal(w.first) || !g.LastSeen.Equal(w.last) {
			t.Errorf("field %d = %s %v ratio %v seen %v–%v, want %s %v ratio %v seen %v–%v", i,
				g.Name, g.Presence, g.SeenRatio, g.FirstSeen, g.LastSeen, w.name, w.presence, w.ratio, w.first, w.last)
		}
	}
}

func TestDataPointFields(t *testing.T) {
	only := func(points uint64, first, last int, attrs ...schemaid.Attribute) catalog.Variant {
		return catalog.Variant{Attributes: attrs, DataPoints: points, FirstSeen: hour(first), LastSeen: hour(last)}
	}
	for _, tc := range []struct {
		name     string
		variants []catalog.Variant
		want     []wantField
	}{{
		name:     "weighed by data points",
		variants: []catalog.Variant{only(30, 0, 5, attrA), only(10, 2, 3, attrA, attrB)},
		want: []wantField{
			{"a", Always, 1, hour(0), hour(5)},
			{"b", Sometimes, 0.25, hour(2), hour(3)},
		},
	}, {
		name:     "variants without data points are weighed by count",
		variants: []catalog.Variant{only(0, 0, 1, attrA), only(0, 2, 3, attrA, attrB), only(0, 4, 5, attrA), only(0, 6, 7, attrA)},
		want: []wantField{
			{"a", Always, 1, hour(0), hour(7)},
			{"b", Sometimes, 0.25, hour(2), hour(3)},
		},
	}, {
		name:     "one variant carrying everything",
		variants: []catalog.Variant{only(7, 1, 2, attrA, attrB)},
		want: []wantField{
			{"a", Always, 1, hour(1), hour(2)},
			{"b", Always, 1, hour(1), hour(2)},
		},
	}, {
		name: "no variants: presence unknown, never always",
		want: []wantField{{"a", PresenceUnknown, 0, time.Time{}, time.Time{}}, {"b", PresenceUnknown, 0, time.Time{}, time.Time{}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := sqlstore.DataPointFields([]schemaid.Attribute{attrA, attrB}, tc.variants)
			for _, f := range got {
				if f.Source != DataPoint || f.Type != String || f.TypeConflict {
					t.Errorf("field %s: source %v, type %v, conflict %v", f.Name, f.Source, f.Type, f.TypeConflict)
				}
			}
			checkFields(t, got, tc.want)
		})
	}
}

func TestInstanceFields(t *testing.T) {
	counts := []sqlstore.FieldCount{
		{Source: Resource, Name: "host.name", Type: String, Instances: 4, FirstSeen: hour(0), LastSeen: hour(9)},
		{Source: Resource, Name: "k8s.pod.name", Type: String, Instances: 3, FirstSeen: hour(1), LastSeen: hour(8)},
		{Source: Scope, Name: "otel.scope.extra", Type: String, Instances: 5, FirstSeen: hour(2), LastSeen: hour(7)},
	}
	checkFields(t, sqlstore.InstanceFields(counts, 4), []wantField{
		{"host.name", Always, 1, hour(0), hour(9)},
		{"k8s.pod.name", Sometimes, 0.75, hour(1), hour(8)},
		{"otel.scope.extra", Always, 1, hour(2), hour(7)}, // more than counted: capped
	})
	for _, f := range sqlstore.InstanceFields(counts, 0) {
		if f.Presence != PresenceUnknown || f.SeenRatio != 0 {
			t.Errorf("no instances: %s %v ratio %v, want unknown", f.Name, f.Presence, f.SeenRatio)
		}
	}
}

func TestSortFields(t *testing.T) {
	type key struct {
		src      tallycatv1.FieldSource
		name     string
		typ      tallycatv1.ValueType
		conflict bool
	}
	for _, tc := range []struct {
		name     string
		in       []key
		want     []key
		conflict bool
	}{{
		name: "by source, name, type",
		in: []key{{DataPoint, "b", String, false}, {Resource, "z", String, false}, {DataPoint, "a", String, false},
			{Scope, "a", String, false}},
		want: []key{{Resource, "z", String, false}, {Scope, "a", String, false}, {DataPoint, "a", String, false},
			{DataPoint, "b", String, false}},
	}, {
		name:     "one key with two types in one source is a conflict",
		in:       []key{{DataPoint, "status", String, false}, {DataPoint, "code", Int, false}, {DataPoint, "status", Int, false}},
		want:     []key{{DataPoint, "code", Int, false}, {DataPoint, "status", String, true}, {DataPoint, "status", Int, true}},
		conflict: true,
	}, {
		name: "the same key in two sources is not",
		in:   []key{{DataPoint, "host", Int, false}, {Resource, "host", String, false}},
		want: []key{{Resource, "host", String, false}, {DataPoint, "host", Int, false}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fields := make([]catalog.Field, len(tc.in))
			for i, k := range tc.in {
				fields[i] = catalog.Field{Source: k.src, Name: k.name, Type: k.typ}
			}
			if got := sqlstore.SortFields(fields); got != tc.conflict {
				t.Errorf("conflict = %v, want %v", got, tc.conflict)
			}
			for i, f := range fields {
				if got := (key{f.Source, f.Name, f.Type, f.TypeConflict}); got != tc.want[i] {
					t.Errorf("field %d = %+v, want %+v", i, got, tc.want[i])
				}
			}
		})
	}
}
