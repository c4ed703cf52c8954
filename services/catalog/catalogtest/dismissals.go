package catalogtest

import (
	"context"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
)

// testDismissals: a dismissal is kept with who, why and when, once however
// often it is asked, listed per metric name or for all, and survives a
// restart; an unknown schema is ENOTFOUND.
func testDismissals(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	a, b := Observation("cpu.time", "api", T0, Str("mode")), Observation("disk.io", "api", T0, Str("direction"))
	record(t, s, "", a, b)

	first := catalog.Dismissal{SchemaID: a.VariantID, SchemaKey: "cpu.time", Version: "1.1.0", Reason: "an experiment", Actor: "bob", At: T0}
	for _, d := range []catalog.Dismissal{first, {SchemaID: a.VariantID, SchemaKey: "cpu.time", Version: "1.1.0", Reason: "again", Actor: "carol", At: T0.Add(1)}} {
		if err := s.DismissProposal(ctx, d); err != nil {
			t.Fatalf("dismiss %+v: %v", d, err)
		}
	}
	if err := s.DismissProposal(ctx, catalog.Dismissal{SchemaID: b.VariantID, SchemaKey: "disk.io", Version: "2.0.0", Actor: "bob", At: T0.Add(2)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissProposal(ctx, catalog.Dismissal{SchemaID: "0123456789abcdef0123456789abcdef", SchemaKey: "x", Version: "1.0.0", At: T0}); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("dismissal for an unknown schema = %v, want not found", err)
	}
	s = h.Reopen(t, s)
	got := must[[]catalog.Dismissal](t)(s.ListDismissals(ctx, "cpu.time"))
	if len(got) != 1 || got[0] != first {
		t.Errorf("dismissals of cpu.time = %+v, want only the first, as given", got)
	}
	if all := must[[]catalog.Dismissal](t)(s.ListDismissals(ctx, "")); len(all) != 2 || all[1].SchemaKey != "disk.io" {
		t.Errorf("every dismissal = %+v, want two, oldest first", all)
	}
}
