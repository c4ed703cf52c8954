package consumers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
)

// rule is a stored Prometheus recording rule of one query.
func rule(name, expr string) catalog.Consumer {
	return catalog.Consumer{Kind: "recording_rule", Format: "prometheus_rules", Source: "rules/host.yml", UID: "host/" + name, Title: name,
		Folder: "host", Body: catalog.ConsumerBody{Queries: []catalog.ConsumerQuery{{Panel: name, Path: "groups[0].rules[0].expr", Expr: expr}}}}
}

func syncRules(t *testing.T, s *cservice.Service, rules ...catalog.Consumer) {
	t.Helper()
	if _, err := s.Sync(context.Background(), catalog.ConsumerSync{Origin: "files:rules", Consumers: rules}); err != nil {
		t.Fatal(err)
	}
}

// The demo's Linux dashboard against what a hostmetrics receiver really
// sent: a panel on a metric nothing sends is consumer_missing_metric with
// its dashboard and panel; a metric the dashboard reads on a unit nothing
// sends names the key it meant.
func TestMissingMetrics(t *testing.T) {
	ctx := context.Background()
	s := cservice.New(hostCatalog(t), cservice.Options{})
	res := syncFiles(t, s, linux)
	if res.Added != 1 || res.Unparsed != 0 {
		t.Fatalf("sync = %+v, want the dashboard added, every query parsed", res)
	}
	fs, total, stats, err := s.Findings(ctx, cservice.FindingFilter{IDs: []string{usage.ConsumerMissingMetric}})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(fs) || total == 0 || stats.Consumers != 1 || stats.Metrics != 15 || stats.Levels[usage.Violation] == 0 {
		t.Fatalf("%d missing metrics of %d, stats %+v", len(fs), total, stats)
	}
	var uptime *usage.Finding
	for i, f := range fs {
		if f.Metric == "system_uptime_seconds" {
			uptime = &fs[i]
		}
	}
	if uptime == nil || uptime.Consumer.Title != "Linux" || uptime.Consumer.ID != catalog.ConsumerID("files:test", uptime.Consumer.Source, "otel-demo-hostmetrics") ||
		!strings.HasSuffix(uptime.Query.Panel, "Uptime") || uptime.Level != usage.Violation {
		t.Errorf("the Uptime panel's metric: %+v", uptime)
	}

	syncRules(t, s, rule("cpu_ms", `rate(system_cpu_time_milliseconds_total[5m])`))
	near, _, _, err := s.Findings(ctx, cservice.FindingFilter{IDs: []string{usage.ConsumerMissingMetric}, ConsumerID: catalog.ConsumerID("files:rules", "rules/host.yml", "host/cpu_ms")})
	if err != nil {
		t.Fatal(err)
	}
	if len(near) != 1 || len(near[0].Near) != 1 || near[0].Near[0].Key != "system.cpu.time" || near[0].Near[0].Name != "system_cpu_time_seconds_total" {
		t.Errorf("a rule on milliseconds: %+v, want system.cpu.time near, as system_cpu_time_seconds_total", near)
	}
	c := must[cservice.Consumer](t)(s.Consumer(ctx, near[0].Consumer.ID))
	if c.Violations != 1 || c.Broken != 1 || len(c.Queries) != 1 || len(c.Queries[0].Findings) != 1 {
		t.Errorf("the rule = %+v, want one broken query with its finding", c)
	}
	if _, err := s.Consumer(ctx, strings.Repeat("0", 32)); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("an unknown consumer: %v, want ENOTFOUND", err)
	}
}

// What nobody reads is unused_metric, dearest first by its real cost (the
// connections' 11 series first), with what dropping it all saves; an
// unused attribute of a read metric says how many series dropping it
// saves, from the sketches.
func TestUnusedRankedByCost(t *testing.T) {
	ctx := context.Background()
	s := cservice.New(hostCatalog(t), cservice.Options{})
	if _, err := s.Unused(ctx); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Fatalf("unused before any sync: %v, want EFAILEDPRECONDITION", err)
	}
	syncFiles(t, s, linux)
	syncRules(t, s, rule("packets", `sum by (direction) (rate(system_network_packets_total[5m]))`))
	u := must[cservice.Unused](t)(s.Unused(ctx))
	var keys []string
	for _, f := range u.Metrics {
		keys = append(keys, f.Key)
		if f.Cost == nil || f.Cost.Series == 0 || f.Cost.MonthlyCost == nil {
			t.Errorf("unused %s without its cost under the price model: %+v", f.Key, f.Cost)
		}
	}
	want := []string{"system.network.connections", "system.paging.operations", "system.processes.count", "system.paging.faults",
		"system.cpu.load_average.1m", "system.processes.created"}
	if !slices.Equal(keys, want) {
		t.Errorf("unused metrics, dearest first: %v, want %v", keys, want)
	}
	if len(u.Attributes) != 1 || u.Attributes[0].Key != "system.network.packets" || u.Attributes[0].Attribute != "device" ||
		u.Attributes[0].SeriesSaved != 6 || !strings.Contains(u.Attributes[0].Message, "independent") {
		t.Fatalf("unused attributes %+v, want packets' device, saving 8 - 8/4 = 6 series", u.Attributes)
	}
}

// Usage of a read key names the dashboard, the panel and the attributes
// each query reads; a sync that drops the dashboard drops its readers.
func TestUsageAndSyncDroppingADashboard(t *testing.T) {
	ctx := context.Background()
	s := cservice.New(hostCatalog(t), cservice.Options{})
	syncFiles(t, s, linux, collector)
	u := must[cservice.Usage](t)(s.Usage(ctx, "system.network.io"))
	if !u.Synced || len(u.Readers) != 4 {
		t.Fatalf("io read by %+v", u.Readers)
	}
	var panels []string
	for _, r := range u.Readers {
		if r.Consumer.Title != "Linux" {
			t.Errorf("reader %+v, want the Linux dashboard", r)
		}
		panels = append(panels, r.Panel+": "+strings.Join(r.Attributes, ","))
	}
	if !slices.Contains(panels, "Basic / Network traffic: device,direction") || !slices.Contains(panels, "Basic / Network Traffic: direction") {
		t.Errorf("readers %v", panels)
	}
	attrs := map[string]int{}
	for _, a := range u.Attributes {
		attrs[a.Attribute] = a.Readers
	}
	if attrs["direction"] != 4 || attrs["device"] != 2 {
		t.Errorf("attributes %v, want direction named by 4 queries, device by 2", attrs)
	}
	list, total, _ := must3[[]cservice.Consumer, int, cservice.Stats](t)(s.ListConsumers(ctx, cservice.ConsumerFilter{}))
	if total != 2 || !slices.Equal(titles(list), []string{"OpenTelemetry Collector", "Linux"}) {
		t.Errorf("consumers %v (%d), want the one with the most violations first", titles(list), total)
	}
	if dash, n, _ := must3[[]cservice.Consumer, int, cservice.Stats](t)(s.ListConsumers(ctx, cservice.ConsumerFilter{Query: "linux"})); n != 1 || dash[0].Title != "Linux" {
		t.Errorf("query linux: %v", titles(dash))
	}

	res := syncFiles(t, s, collector)
	if res.Removed != 1 || res.Unchanged != 1 {
		t.Fatalf("second sync %+v, want Linux removed", res)
	}
	u = must[cservice.Usage](t)(s.Usage(ctx, "system.network.io"))
	if len(u.Readers) != 0 || len(u.Findings) != 1 || u.Findings[0].ID != usage.UnusedMetric {
		t.Errorf("after Linux went: readers %+v, findings %+v; want none, and unused_metric", u.Readers, u.Findings)
	}
}

func must3[A, B, C any](t *testing.T) func(A, B, C, error) (A, B, C) {
	return func(a A, b B, c C, err error) (A, B, C) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b, c
	}
}

// A schema without an attribute the dashboard groups by breaks that
// dashboard's panel; the queries already broken are not broken by it.
func TestBreaks(t *testing.T) {
	ctx := context.Background()
	store := hostCatalog(t)
	s := cservice.New(store, cservice.Options{})
	syncFiles(t, s, linux)
	base := must[[]catalog.Schema](t)(store.ListSchemas(ctx, "system.network.io", false))[0]
	target := base
	target.Fields = slices.DeleteFunc(slices.Clone(base.Fields), func(f catalog.Field) bool { return f.Name == "device" })
	bs := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, base, target))
	if len(bs) != 2 {
		t.Fatalf("breaks %+v, want the two Network traffic queries", bs)
	}
	for _, b := range bs {
		if b.Title != "Linux" || b.Panel != "Basic / Network traffic" || b.FindingID != usage.ConsumerMissingAttribute || b.Label != "device" ||
			b.Kind != "dashboard" || b.ConsumerID == "" || b.Expr == "" || b.Path == "" {
			t.Errorf("break %+v", b)
		}
	}
	if same := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, base, base)); len(same) != 0 {
		t.Errorf("no change breaks %+v", same)
	}
	renamed := base
	renamed.Unit = "kBy"
	if bs := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, base, renamed)); len(bs) != 4 || bs[0].FindingID != usage.ConsumerMissingMetric {
		t.Errorf("a new unit breaks %+v, want the 4 queries on system_network_io_bytes_total", bs)
	}
}

// TallyCat's own metrics nobody reads are left out when asked, from the
// findings and from the counts (the levels too), and always from what
// Unused says to drop.
func TestExcludeSelf(t *testing.T) {
	ctx := context.Background()
	store := hostCatalog(t)
	at := time.Now().UTC().Add(-5 * time.Minute)
	self := catalog.Observation{Shape: schemaid.Shape{Name: "tallycat.catalog.reads", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Monotonic: true,
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE},
		Producer:   catalog.ProducerIdentity{ServiceName: "tallycat-catalog", ServiceNamespace: catalog.SelfNamespace, ServiceVersion: "1", ServiceInstanceID: "c-1"},
		DataPoints: 1, FirstObserved: at, LastObserved: at}
	self.Normalize()
	if _, err := store.RecordObservations(ctx, "self", []catalog.Observation{self}); err != nil {
		t.Fatal(err)
	}
	s := cservice.New(store, cservice.Options{})
	syncFiles(t, s, linux)
	unused := func(excludeSelf bool) []string {
		fs, _, _ := must3[[]usage.Finding, int, cservice.Stats](t)(s.Findings(ctx, cservice.FindingFilter{IDs: []string{usage.UnusedMetric}, ExcludeSelf: excludeSelf}))
		var keys []string
		for _, f := range fs {
			keys = append(keys, f.Key)
		}
		return keys
	}
	if all, teams := unused(false), unused(true); !slices.Contains(all, "tallycat.catalog.reads") || slices.Contains(teams, "tallycat.catalog.reads") ||
		len(teams) != len(all)-1 {
		t.Errorf("unused %v; without TallyCat's own %v", all, teams)
	}
	stats := func(excludeSelf bool) cservice.Stats {
		_, _, st := must3[[]cservice.Consumer, int, cservice.Stats](t)(s.ListConsumers(ctx, cservice.ConsumerFilter{ExcludeSelf: excludeSelf}))
		return st
	}
	all, teams := stats(false), stats(true)
	if teams.Metrics != all.Metrics-1 {
		t.Errorf("ListConsumers counts %d metrics, %d without TallyCat's own; want one fewer", all.Metrics, teams.Metrics)
	}
	if teams.Levels[usage.Information] != all.Levels[usage.Information]-1 || teams.Levels[usage.Violation] != all.Levels[usage.Violation] {
		t.Errorf("levels %v, without TallyCat's own %v; want one information finding fewer", all.Levels, teams.Levels)
	}
	for _, f := range must[cservice.Unused](t)(s.Unused(ctx)).Metrics {
		if f.Key == "tallycat.catalog.reads" {
			t.Errorf("Unused lists TallyCat's own metric %s: collector-config would drop the catalog's own telemetry", f.Key)
		}
	}
}

// A reading is served until it is MaxAge old or a sync comes.
func TestReadingIsKeptUntilASync(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	s := cservice.New(hostCatalog(t), cservice.Options{Now: func() time.Time { return now }})
	first := must[*cservice.Reading](t)(s.Read(ctx))
	if first.Synced || len(first.Consumers) != 0 {
		t.Fatalf("before any sync: %+v", first)
	}
	if again := must[*cservice.Reading](t)(s.Read(ctx)); again != first {
		t.Error("a second read within MaxAge made a new reading")
	}
	now = now.Add(cservice.DefaultMaxAge)
	aged := must[*cservice.Reading](t)(s.Read(ctx))
	if aged == first {
		t.Error("a reading MaxAge old was served")
	}
	syncFiles(t, s, linux)
	if r := must[*cservice.Reading](t)(s.Read(ctx)); r == aged || !r.Synced || len(r.Consumers) != 1 {
		t.Errorf("after a sync: %+v", r)
	}
}

// Reads at once share one reading.
func TestConcurrentReadsShareOneReading(t *testing.T) {
	s := cservice.New(hostCatalog(t), cservice.Options{})
	syncFiles(t, s, linux)
	got := make(chan *cservice.Reading, 8)
	for range 8 {
		go func() {
			r, err := s.Read(context.Background())
			if err != nil {
				t.Error(err)
			}
			got <- r
		}()
	}
	first := <-got
	for range 7 {
		if r := <-got; r != first {
			t.Fatal("two readings made for reads at once")
		}
	}
}
