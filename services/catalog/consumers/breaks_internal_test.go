package consumers

import (
	"context"
	"slices"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// Breaks checks the readers of the changed key against the keys their
// queries read and the key alone, not against the whole catalog (a
// consumer reading target_info takes every metric, whose resource
// attributes are its labels), and checks each change once per reading.
func TestBreaksChecksWhatTheReadersRead(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	var obs []catalog.Observation
	for _, name := range []string{"system.cpu.time", "system.memory.usage", "system.disk.io", "system.network.io"} {
		obs = append(obs, catalogtest.Observation(name, "host", catalogtest.T0, catalogtest.Str("state")))
	}
	if _, err := store.RecordObservations(ctx, "host", obs); err != nil {
		t.Fatal(err)
	}
	rule := func(name, expr string) catalog.Consumer {
		return catalog.Consumer{Kind: "recording_rule", Format: "prometheus_rules", Source: "rules.yml", UID: name, Title: name,
			Body: catalog.ConsumerBody{Queries: []catalog.ConsumerQuery{{Panel: name, Path: name, Expr: expr}}}}
	}
	s := New(store, Options{})
	sync := catalog.ConsumerSync{Origin: "files:rules", Consumers: []catalog.Consumer{
		rule("cpu_and_memory", `sum by (state) (rate(system_cpu_time_seconds_total[5m])) / on () group_left sum(system_memory_usage_seconds_total)`),
		rule("disk", `rate(system_disk_io_seconds_total[5m])`),
		rule("cpu_by_host", `rate(system_cpu_time_seconds_total[5m]) * on (job) group_left (host_name) target_info`),
	}}
	if _, err := s.Sync(ctx, sync); err != nil {
		t.Fatal(err)
	}
	r, err := s.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keysOf := func(ids ...string) []string {
		var readers []int
		for _, id := range ids {
			readers = append(readers, r.consumerAt[catalog.ConsumerID("files:rules", "rules.yml", id)])
		}
		_, metrics := r.readMetrics("system.cpu.time", readers)
		var keys []string
		for _, m := range metrics {
			keys = append(keys, m.Key)
		}
		slices.Sort(keys)
		return keys
	}
	if got, want := keysOf("cpu_and_memory"), []string{"system.cpu.time", "system.memory.usage"}; !slices.Equal(got, want) {
		t.Errorf("metrics checked for cpu_and_memory: %v, want %v", got, want)
	}
	if got := keysOf("cpu_by_host"); len(got) != 4 {
		t.Errorf("metrics checked for a reader of target_info: %v, want all 4", got)
	}

	base := obs[0]
	schemas, err := store.GetSchemas(ctx, base.VariantID)
	if err != nil {
		t.Fatal(err)
	}
	target := schemas[0]
	target.ID, target.Fields = "without-state", nil
	first, err := s.Breaks(ctx, schemas[0], target)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].Title != "cpu_and_memory" {
		t.Fatalf("breaks %+v, want cpu_and_memory's grouping by state", first)
	}
	if len(r.memo.m) != 1 {
		t.Errorf("%d changes memoized, want the one checked", len(r.memo.m))
	}
	first[0].Title = "changed by the caller"
	again, err := s.Breaks(ctx, schemas[0], target)
	if err != nil || len(again) != 1 || again[0].Title != "cpu_and_memory" {
		t.Errorf("breaks asked again = %+v, %v; want the memoized answer, untouched by the first caller", again, err)
	}
}
