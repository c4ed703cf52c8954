package conformance

import (
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

func release(service, version string) []catalog.ReleaseIdentity {
	return []catalog.ReleaseIdentity{{ServiceNamespace: "shop", ServiceName: service, ServiceVersion: version}}
}

func histogram(id, key, unit string) catalog.Schema {
	return catalog.Schema{ID: id, Key: key, Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: unit,
		Fields: []catalog.Field{dp("http.request.method", String), dp("url.scheme", String)}}
}

// onSchema lists the findings of one schema with these ids, as "id: message".
func onSchema(fs []Finding, schema string, ids ...string) []string {
	var out []string
	for _, f := range fs {
		if f.SchemaID == schema && slices.Contains(ids, f.ID) {
			out = append(out, f.ID+": "+f.Message)
		}
	}
	slices.Sort(out)
	return out
}

// TestTheConventionsSettleAUnitConflict is the demo's case: checkout sends
// the HTTP server duration in s, as the conventions define it, payments in
// ms. Payments is told once, by the mismatch, who sends what; checkout,
// which did not cause the disagreement, is told nothing about the unit.
// Before, both got unit_conflict and payments a mismatch beside it.
func TestTheConventionsSettleAUnitConflict(t *testing.T) {
	j := builtinJudge(t)
	const key = "http.server.request.duration"
	checkout := catalog.Judged{Schema: histogram("c", key, "s"), Releases: release("checkout", "1.4.2")}
	payments := catalog.Judged{Schema: histogram("p", key, "ms"), Releases: release("payments", "2.0.0")}
	found := j.Key([]catalog.Judged{checkout, payments})
	units := []string{FindingUnitConflict, FindingUnitMismatch}
	if got := onSchema(found, "c", units...); len(got) != 0 {
		t.Errorf("checkout, which sends s as the conventions define, is blamed: %v", got)
	}
	want := []string{"unit_mismatch: unit of http.server.request.duration: payments sends ms where the conventions and checkout send s"}
	if got := onSchema(found, "p", units...); !slices.Equal(got, want) {
		t.Errorf("payments' unit findings:\n  %v\nwant\n  %v", got, want)
	}
	for _, f := range found {
		if f.ID == FindingUnitMismatch && (f.Expected != "s" || f.Actual != "ms") {
			t.Errorf("the mismatch's sides: expected %q, got %q; want s and ms", f.Expected, f.Actual)
		}
	}

	// A third unit is named beside; and two releases of one service on
	// either side are named by release, not "payments ... payments".
	billing := catalog.Judged{Schema: histogram("b", key, "us"), Releases: release("billing", "0.9.0")}
	want = []string{"unit_mismatch: unit of http.server.request.duration: payments sends ms where the conventions and checkout send s; billing sends us"}
	if got := onSchema(j.Key([]catalog.Judged{checkout, payments, billing}), "p", units...); !slices.Equal(got, want) {
		t.Errorf("with a third unit:\n  %v\nwant\n  %v", got, want)
	}
	upgraded := catalog.Judged{Schema: histogram("u", key, "s"), Releases: release("payments", "2.1.0")}
	want = []string{"unit_mismatch: unit of http.server.request.duration: payments 2.0.0 sends ms where the conventions and payments 2.1.0 send s"}
	if got := onSchema(j.Key([]catalog.Judged{payments, upgraded}), "p", units...); !slices.Equal(got, want) {
		t.Errorf("one service on both sides:\n  %v\nwant\n  %v", got, want)
	}

	// Nobody conforms: each side is told what the conventions define.
	both := j.Key([]catalog.Judged{payments, billing})
	want = []string{"unit_mismatch: unit of http.server.request.duration: payments sends ms where the conventions define s; billing sends us"}
	if got := onSchema(both, "p", units...); !slices.Equal(got, want) {
		t.Errorf("neither side conforms:\n  %v\nwant\n  %v", got, want)
	}
}

// TestTheConventionsSettleAnInstrumentConflict: checkout records the
// duration as a histogram, as the conventions define it, payments as a
// counter; payments alone is told, once.
func TestTheConventionsSettleAnInstrumentConflict(t *testing.T) {
	j := builtinJudge(t)
	const key = "http.server.request.duration"
	counter := histogram("p", key, "s")
	counter.Type, counter.Monotonic = tallycatv1.MetricType_METRIC_TYPE_SUM, true
	found := j.Key([]catalog.Judged{{Schema: histogram("c", key, "s"), Releases: release("checkout", "1.4.2")}, {Schema: counter, Releases: release("payments", "2.0.0")}})
	ids := []string{FindingInstrumentConflict, FindingUnexpectedInstrument}
	if got := onSchema(found, "c", ids...); len(got) != 0 {
		t.Errorf("checkout, a histogram as the conventions define, is blamed: %v", got)
	}
	want := []string{"unexpected_instrument: instrument of http.server.request.duration: payments records it as a counter where the conventions and checkout record it as a histogram"}
	if got := onSchema(found, "p", ids...); !slices.Equal(got, want) {
		t.Errorf("payments' instrument findings:\n  %v\nwant\n  %v", got, want)
	}
}

// TestAConflictNoRegistrySettles: no registry defines the metric, so
// nobody is right and every side has the conflict; it says the same on
// each (who sends what), so it reads as one finding naming both.
func TestAConflictNoRegistrySettles(t *testing.T) {
	j := builtinJudge(t)
	const key = "shop.checkout.duration"
	counter := histogram("p", key, "ms")
	counter.Type, counter.Monotonic = tallycatv1.MetricType_METRIC_TYPE_SUM, true
	found := j.Key([]catalog.Judged{{Schema: histogram("c", key, "s"), Releases: release("checkout", "1.4.2")}, {Schema: counter, Releases: release("payments", "2.0.0")}})
	for schema, name := range map[string]string{"c": "checkout", "p": "payments"} {
		want := []string{
			"instrument_conflict: producers of shop.checkout.duration disagree on its instrument: payments records it as a counter, checkout records it as a histogram",
			"unit_conflict: producers of shop.checkout.duration disagree on its unit: payments sends ms, checkout sends s",
		}
		if got := onSchema(found, schema, FindingUnitConflict, FindingInstrumentConflict, FindingUnitMismatch); !slices.Equal(got, want) {
			t.Errorf("%s's conflicts:\n  %s\nwant\n  %s", name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
}
