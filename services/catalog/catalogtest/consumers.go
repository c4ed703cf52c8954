package catalogtest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// testConsumers holds a store to what SyncConsumers and ListConsumers
// promise: a sync replaces its origin's consumers as PlanConsumerSync
// decides, and what it stored reads back as it was given.
func testConsumers(t *testing.T, h Harness) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"ASyncAddsUpdatesRemovesAndKeeps", testConsumerSync},
		{"AnotherOriginIsUntouched", testConsumerOrigins},
		{"OneSourceAndUIDTwiceIsInvalid", testConsumerDuplicate},
		{"ThousandsInOneSync", testConsumerThousands},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// Dashboard is a Grafana dashboard read from source, with every field a
// store keeps set: queries with group labels, a datasource skipped, a note.
func Dashboard(source, uid, title string, exprs ...string) catalog.Consumer {
	c := catalog.Consumer{Kind: "dashboard", Format: "grafana_dashboard", Source: source, UID: uid, Title: title, Folder: "Platform",
		Body: catalog.ConsumerBody{Skipped: map[string]int{"loki": 2}, Notes: []string{"panel 7: a library panel that is not shared"}}}
	for i, e := range exprs {
		c.Body.Queries = append(c.Body.Queries, catalog.ConsumerQuery{
			Panel: fmt.Sprintf("Panel %d", i), RefID: "A", Path: fmt.Sprintf("panels[%d].targets[0].expr", i), Line: 10 * (i + 1),
			Datasource: "prometheus", Raw: strings.ReplaceAll(e, "5m", "$__rate_interval"), Expr: e, GroupLabels: []string{"host_name"}})
	}
	return c
}

// Rule is a Prometheus rule read from a rule file.
func Rule(source, name, expr string) catalog.Consumer {
	return catalog.Consumer{Kind: "alert_rule", Format: "prometheus_rules", Source: source, UID: name, Title: name, Folder: "node",
		Body: catalog.ConsumerBody{Queries: []catalog.ConsumerQuery{{Path: "groups[0].rules[0].expr", Line: 4, Expr: expr}}}}
}

// stored is cs as a sync of origin at at stores them, by id.
func stored(origin string, at time.Time, cs ...catalog.Consumer) []catalog.Consumer {
	out := make([]catalog.Consumer, len(cs))
	for i, c := range cs {
		c.Origin, c.ID, c.SyncedAt = origin, catalog.ConsumerID(origin, c.Source, c.UID), at
		out[i] = c
	}
	slices.SortFunc(out, func(a, b catalog.Consumer) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func syncConsumers(t *testing.T, s catalog.Store, sync catalog.ConsumerSync, want catalog.ConsumerSyncResult) {
	t.Helper()
	got, err := s.SyncConsumers(context.Background(), sync)
	if err != nil {
		t.Fatalf("sync of %s at %v: %v", sync.Origin, sync.At, err)
	}
	if got != want {
		t.Errorf("sync of %s at %v = %+v, want %+v", sync.Origin, sync.At, got, want)
	}
}

func checkConsumers(t *testing.T, s catalog.Store, what string, want []catalog.Consumer) {
	t.Helper()
	got, err := s.ListConsumers(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: consumers differ\n got: %+v\nwant: %+v", what, got, want)
	}
}

// testConsumerSync: a first sync adds every consumer and reads back every
// field; the same sync again changes nothing, SyncedAt included; the next
// updates a changed title and a changed query (their SyncedAt moves),
// removes a consumer it no longer brings, adds a new one, and keeps those
// of a source it could not read; all of it survives a restart.
func testConsumerSync(t *testing.T, h Harness) {
	s := h.Open(t)
	overview := Dashboard("dashboards/overview.json", "overview", "Overview", `rate(http_server_request_duration_seconds_count[5m])`, `system_cpu_time_seconds_total`)
	disks := Dashboard("dashboards/disks.json", "disks", "Disks", `sum by (device) (rate(system_disk_io_bytes_total[5m]))`)
	legacy := Dashboard("dashboards/legacy.json", "legacy", "Legacy", `up`)
	highCPU, lowMem := Rule("rules/node.yml", "HighCPU", `system_cpu_utilization_ratio > 0.9`), Rule("rules/node.yml", "LowMemory", `system_memory_usage_bytes < 1e6`)
	lowMem.Kind = "recording_rule"
	bare := catalog.Consumer{Kind: "dashboard", Format: "perses_dashboard", Source: "perses/empty.yaml", UID: "empty"}
	first := []catalog.Consumer{overview, disks, legacy, highCPU, lowMem, bare}

	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: first, At: T0}, catalog.ConsumerSyncResult{Added: 6})
	checkConsumers(t, s, "after the first sync", stored("grafana", T0, first...))

	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: first, At: T0.Add(time.Hour)}, catalog.ConsumerSyncResult{Unchanged: 6})
	checkConsumers(t, s, "after the same sync again", stored("grafana", T0, first...))

	renamed := overview
	renamed.Title = "Service overview"
	requery := Dashboard("dashboards/disks.json", "disks", "Disks", `sum by (device, direction) (rate(system_disk_io_bytes_total[5m]))`)
	added := Dashboard("dashboards/network.json", "network", "Network", `rate(system_network_io_bytes_total[5m])`)
	later := T0.Add(2 * time.Hour)
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: []catalog.Consumer{renamed, requery, added, bare},
		Unreadable: []string{"rules/node.yml"}, At: later},
		catalog.ConsumerSyncResult{Added: 1, Updated: 2, Removed: 1, Unchanged: 1, Kept: 2})
	want := append(stored("grafana", later, renamed, requery, added), stored("grafana", T0, highCPU, lowMem, bare)...)
	slices.SortFunc(want, func(a, b catalog.Consumer) int { return strings.Compare(a.ID, b.ID) })
	checkConsumers(t, s, "after a sync with changes", want)

	s = h.Reopen(t, s)
	checkConsumers(t, s, "after a restart", want)
}

// testConsumerOrigins: a sync replaces its own origin's consumers only,
// though another origin read the very same file.
func testConsumerOrigins(t *testing.T, h Harness) {
	s := h.Open(t)
	overview := Dashboard("dashboards/overview.json", "overview", "Overview", `up`)
	rule := Rule("rules/node.yml", "HighCPU", `system_cpu_utilization_ratio > 0.9`)
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "ci", Consumers: []catalog.Consumer{overview, rule}, At: T0}, catalog.ConsumerSyncResult{Added: 2})
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: []catalog.Consumer{overview}, At: T0.Add(time.Minute)}, catalog.ConsumerSyncResult{Added: 1})
	want := append(stored("ci", T0, overview, rule), stored("grafana", T0.Add(time.Minute), overview)...)
	slices.SortFunc(want, func(a, b catalog.Consumer) int { return strings.Compare(a.ID, b.ID) })
	checkConsumers(t, s, "two origins reading one file", want)

	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", At: T0.Add(time.Hour)}, catalog.ConsumerSyncResult{Removed: 1})
	checkConsumers(t, s, "after an empty sync of grafana", stored("ci", T0, overview, rule))
}

// testConsumerDuplicate: two consumers with one source and uid in one sync
// are refused as invalid, and the sync changes nothing, not even what the
// rest of it would have.
func testConsumerDuplicate(t *testing.T, h Harness) {
	s := h.Open(t)
	overview := Dashboard("dashboards/overview.json", "overview", "Overview", `up`)
	disks := Dashboard("dashboards/disks.json", "disks", "Disks", `system_disk_io_bytes_total`)
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: []catalog.Consumer{overview, disks}, At: T0}, catalog.ConsumerSyncResult{Added: 2})

	again := overview
	again.Title = "Overview (copy)"
	added := Dashboard("dashboards/network.json", "network", "Network", `system_network_io_bytes_total`)
	_, err := s.SyncConsumers(context.Background(), catalog.ConsumerSync{Origin: "grafana",
		Consumers: []catalog.Consumer{added, overview, again}, At: T0.Add(time.Hour)})
	if catalog.ErrorCode(err) != catalog.EINVALID {
		t.Errorf("a sync with one source and uid twice = %v, want invalid", err)
	}
	checkConsumers(t, s, "after the refused sync", stored("grafana", T0, overview, disks))
}

// testConsumerThousands: a sync of thousands of dashboards stores and
// reads back every one, and the next sync, bringing a part of them,
// removes the rest.
func testConsumerThousands(t *testing.T, h Harness) {
	s := h.Open(t)
	const n = 2500
	all := make([]catalog.Consumer, n)
	for i := range all {
		all[i] = Dashboard(fmt.Sprintf("dashboards/%04d.json", i), fmt.Sprintf("uid-%04d", i), fmt.Sprintf("Dashboard %d", i),
			fmt.Sprintf(`rate(app_requests_%d_total[5m])`, i), `up`)
	}
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: all, At: T0}, catalog.ConsumerSyncResult{Added: n})
	checkConsumers(t, s, "after the first sync", stored("grafana", T0, all...))
	syncConsumers(t, s, catalog.ConsumerSync{Origin: "grafana", Consumers: all[:1000], At: T0.Add(time.Hour)},
		catalog.ConsumerSyncResult{Unchanged: 1000, Removed: n - 1000})
	checkConsumers(t, s, "after a sync of the first thousand", stored("grafana", T0, all[:1000]...))
}
