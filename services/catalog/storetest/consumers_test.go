package storetest_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// consumersOfASync are the dashboards of a large Grafana: 2,000 of 20
// queries each, titled with version so that a sync can change them all.
func consumersOfASync(version int) []catalog.Consumer {
	out := make([]catalog.Consumer, 2000)
	exprs := make([]string, 20)
	for i := range out {
		for q := range exprs {
			exprs[q] = fmt.Sprintf(`sum by (service_name, http_route) (rate(app_%d_requests_%d_total{env="$env"}[5m]))`, i, q)
		}
		out[i] = catalogtest.Dashboard(fmt.Sprintf("dashboards/team-%02d/%04d.json", i%50, i), fmt.Sprintf("uid-%04d", i),
			fmt.Sprintf("Dashboard %d, version %d", i, version), exprs...)
	}
	return out
}

// BenchmarkSyncConsumers measures a sync of 2,000 dashboards of 20
// queries each on the engine of $TALLYCAT_TEST_STORE: one that adds them
// all (to a new origin), one that changes them all, and one that finds
// them unchanged; and reading them all back.
func BenchmarkSyncConsumers(b *testing.B) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sync := func(b *testing.B, s catalog.Store, origin string, cs []catalog.Consumer) catalog.ConsumerSyncResult {
		at = at.Add(time.Second)
		res, err := s.SyncConsumers(ctx, catalog.ConsumerSync{Origin: origin, Consumers: cs, At: at})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	b.Run("Add", func(b *testing.B) {
		s, cs := storetest.Open(b, catalog.CostConfig{}), consumersOfASync(0)
		n := 0
		for b.Loop() {
			n++
			if res := sync(b, s, fmt.Sprintf("grafana-%d", n), cs); res.Added != len(cs) {
				b.Fatalf("sync = %+v, want every consumer added", res)
			}
		}
	})
	b.Run("Update", func(b *testing.B) {
		s := storetest.Open(b, catalog.CostConfig{})
		versions := [][]catalog.Consumer{consumersOfASync(0), consumersOfASync(1)}
		sync(b, s, "grafana", versions[0])
		n := 0
		for b.Loop() {
			n++
			if res := sync(b, s, "grafana", versions[n%2]); res.Updated != len(versions[0]) {
				b.Fatalf("sync = %+v, want every consumer updated", res)
			}
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		s, cs := storetest.Open(b, catalog.CostConfig{}), consumersOfASync(0)
		sync(b, s, "grafana", cs)
		for b.Loop() {
			if res := sync(b, s, "grafana", cs); res.Unchanged != len(cs) {
				b.Fatalf("sync = %+v, want every consumer unchanged", res)
			}
		}
	})
	b.Run("List", func(b *testing.B) {
		s, cs := storetest.Open(b, catalog.CostConfig{}), consumersOfASync(0)
		sync(b, s, "grafana", cs)
		for b.Loop() {
			if got, err := s.ListConsumers(ctx); err != nil || len(got) != len(cs) {
				b.Fatalf("list = %d consumers, %v; want %d", len(got), err, len(cs))
			}
		}
	})
}
