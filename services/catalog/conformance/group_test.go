package conformance

import (
	"context"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// judgedAs is a Findings whose last full judging found what j finds of
// these metrics' schemas, as Refresh keeps it.
func judgedAs(j Judge, metrics ...[]catalog.Judged) *Findings {
	x := &Findings{Judge: j}
	for _, m := range metrics {
		x.all = append(x.all, j.Key(m)...)
	}
	sortFindings(x.all)
	x.groups, x.judged = groupFindings(x.all), time.Now()
	return x
}

func producerNames(g Group) []string {
	var out []string
	for _, p := range g.Producers {
		out = append(out, p.ServiceName+" "+p.ServiceVersion)
	}
	return out
}

// TestAFindingOnEverySchemaIsOne: checkout 1.4.2, checkout 1.4.1 and
// payments send the HTTP server duration without its opt-in attributes
// (three schemas, checkout's two releases on one); each such finding is
// listed once, naming the three releases, and the summary counts what is
// listed. A finding of one schema stays its own, and filters narrow a
// group to the schemas they select.
func TestAFindingOnEverySchemaIsOne(t *testing.T) {
	j := builtinJudge(t)
	const key = "http.server.request.duration"
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	checkout := catalog.Judged{Schema: histogram("c", key, "s"),
		Releases: []catalog.ReleaseIdentity{{ServiceName: "checkout", ServiceVersion: "1.4.2"}, {ServiceName: "checkout", ServiceVersion: "1.4.1"}}}
	checkout.Schema.FirstSeen = first.Add(time.Hour)
	payments := catalog.Judged{Schema: histogram("p", key, "ms"), Releases: release("payments", "2.0.0")}
	payments.Schema.FirstSeen = first
	x := judgedAs(j, []catalog.Judged{checkout, payments})
	ctx := context.Background()

	perSchema, n, err := x.List(ctx, FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	groups, total, err := x.Groups(ctx, FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(groups) || total >= n || n != len(perSchema) {
		t.Fatalf("%d groups of %d findings: grouping did not group", total, n)
	}
	port := slices.IndexFunc(groups, func(g Group) bool { return g.ID == FindingOptInNotPresent && g.Attribute == "server.port" })
	if port < 0 {
		t.Fatalf("no opt-in server.port among %d groups", len(groups))
	}
	g := groups[port]
	if len(g.Schemas) != 2 || g.Schemas[0].SchemaID != "c" || g.Schemas[1].SchemaID != "p" || g.SchemaID != "c" {
		t.Errorf("server.port concerns %+v, want checkout's and payments' schemas in id order", g.Schemas)
	}
	if got := producerNames(g); !slices.Equal(got, []string{"checkout 1.4.2", "checkout 1.4.1", "payments 2.0.0"}) {
		t.Errorf("server.port's producers: %v", got)
	}
	if !g.FirstSeen.Equal(first) {
		t.Errorf("first seen %v, want the earliest schema's %v", g.FirstSeen, first)
	}
	for _, g := range groups {
		if g.ID == FindingUnitMismatch && (len(g.Schemas) != 1 || g.SchemaID != "p") {
			t.Errorf("the unit mismatch concerns %+v, want payments' schema alone", g.Schemas)
		}
		if g.ID == FindingUnitConflict {
			t.Errorf("a unit conflict on a metric the conventions define: %+v", g)
		}
	}
	for i := 1; i < len(groups); i++ {
		if groups[i].Level < groups[i-1].Level {
			t.Fatalf("not most severe first: %s after %s", groups[i].ID, groups[i-1].ID)
		}
	}

	// A service's findings name its schemas alone; a schema's, itself.
	only, _, _ := x.Groups(ctx, FindingFilter{ServiceName: "payments", FindingIDs: []string{FindingOptInNotPresent}})
	for _, g := range only {
		if len(g.Schemas) != 1 || g.SchemaID != "p" || !slices.Equal(producerNames(g), []string{"payments 2.0.0"}) || !g.FirstSeen.Equal(first) {
			t.Errorf("payments' opt-in findings name %+v (%v)", g.Schemas, producerNames(g))
		}
	}
	if len(only) == 0 {
		t.Error("payments has no opt-in finding")
	}

	// The summary counts the findings as listed: the level counts add up to
	// the groups, and each service counts a finding that concerns it once.
	sum := x.Summary()
	if got := sum.Total.Violations + sum.Total.Improvements + sum.Total.Information; got != total {
		t.Errorf("the summary counts %d findings, the list %d", got, total)
	}
	for _, c := range sum.ByService {
		if c.Name == "checkout" && c.Violations+c.Improvements+c.Information >= total {
			t.Errorf("checkout counts %+v of %d findings, yet payments' unit mismatch is not its", c, total)
		}
	}
}

// TestAConflictIsOneFinding: producers disagreeing on the unit of a metric
// no registry defines each have the conflict, which reads as one finding
// concerning both schemas.
func TestAConflictIsOneFinding(t *testing.T) {
	j := builtinJudge(t)
	const key = "shop.checkout.duration"
	found := j.Key([]catalog.Judged{{Schema: histogram("c", key, "s"), Releases: release("checkout", "1.4.2")}, {Schema: histogram("p", key, "ms"), Releases: release("payments", "2.0.0")}})
	sortFindings(found)
	var conflicts []Group
	for _, g := range groupFindings(found) {
		if g.ID == FindingUnitConflict {
			conflicts = append(conflicts, g)
		}
	}
	if len(conflicts) != 1 || len(conflicts[0].Schemas) != 2 || conflicts[0].Actual != "ms, s" ||
		!slices.Equal(producerNames(conflicts[0]), []string{"checkout 1.4.2", "payments 2.0.0"}) {
		t.Errorf("the unit conflict grouped: %+v, want one finding concerning both schemas, sending ms, s", conflicts)
	}
}

// TestEveryFindingHasATitle: every finding id reads as words, so that the
// UI and the CLI never show a bare id where a title belongs.
func TestEveryFindingHasATitle(t *testing.T) {
	for id := range DefaultLevels {
		if _, ok := titles[id]; !ok {
			t.Errorf("%s has no title", id)
		}
	}
	if got := Title("made_up_finding"); got != "Made up finding" {
		t.Errorf("an unknown id's title: %q", got)
	}
	if got := Title(FindingUnitConflict); got != "Producers disagree on the unit" {
		t.Errorf("unit_conflict's title: %q", got)
	}
}

// BenchmarkGroupFindings groups the benchmark catalog's 400,000 findings
// (10,000 keys of ten schemas, four findings each, the same on every
// schema of a key), what each judging adds to the time readers wait for
// nothing: it runs before the findings are swapped in.
func BenchmarkGroupFindings(b *testing.B) {
	var all []Finding
	for k := range 10_000 {
		key := "shop.metric_" + strconv.Itoa(k)
		for s := range 10 {
			id := strconv.Itoa(k*10 + s)
			for _, f := range []string{FindingMissingMetric, FindingMissingAttribute, FindingTypeMismatch, FindingNotStable} {
				all = append(all, Finding{ID: f, Level: DefaultLevels[f], SchemaKey: key, SchemaID: id, Attribute: "shop.id",
					Message: f + " of " + key, Producers: release("svc"+strconv.Itoa(s), "1.0.0")})
			}
		}
	}
	sortFindings(all)
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		if g := groupFindings(all); len(g) != 40_000 {
			b.Fatalf("%d groups", len(g))
		}
	}
	// CPU time, garbage collection's included, says more than wall time
	// on a machine others share.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
