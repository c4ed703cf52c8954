package catalogtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// testListedReleases holds ListSchemas to listing each schema's releases
// as GetSchema does (without their cost), current ones first: what the UI
// names a schema by, read with the list rather than a GetSchema per schema.
func testListedReleases(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const name = "http.server.request.duration"
	ok := Observation(name, "checkout", T0, Str("http.request.method"))
	record(t, s, "", ok, instance(ok, "checkout-2"))
	record(t, s, "", Observation(name, "payments", T0.Add(time.Minute), Str("http.request.method")))
	// checkout grows its union and moves; payments stays on the old shape.
	grown := Observation(name, "checkout", T0.Add(time.Hour), Str("http.request.method"), Str("error.type"))
	record(t, s, "", grown)

	all := must[[]catalog.Schema](t)(s.ListSchemas(ctx, name, true))
	if len(all) != 2 {
		t.Fatalf("schemas = %v, want the old shape and the union", ids(all))
	}
	for _, sc := range all {
		d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, sc.ID, lastHour))
		want := make([]catalog.Release, len(d.Releases))
		for i, r := range d.Releases {
			r.Cost = nil
			want[i] = r
		}
		if len(sc.Releases) == 0 || !reflect.DeepEqual(sc.Releases, want) {
			t.Errorf("listed releases of %s =\n  %+v\nwant GetSchema's\n  %+v", sc.ID[:8], sc.Releases, want)
		}
	}
	byID := map[string]catalog.Schema{all[0].ID: all[0], all[1].ID: all[1]}
	old, union := byID[ok.VariantID], byID[grown.VariantID]
	if r := old.Releases; len(r) != 2 || r[0].ServiceName != "payments" || r[0].SupersededBy != "" ||
		r[1].ServiceName != "checkout" || r[1].SupersededBy != grown.VariantID {
		t.Errorf("old shape's releases = %+v, want payments current first, then checkout moved to the union", r)
	}
	if len(union.Releases) != 1 || union.Releases[0].ServiceName != "checkout" || union.Releases[0].SupersededBy != "" || union.Releases[0].Instances != 2 {
		t.Errorf("union's releases = %+v, want checkout current with its two instances", union.Releases)
	}
}
