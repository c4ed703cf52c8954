package consumers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// The queries of one panel without ref ids (a Perses panel's) are told
// apart by their paths: each lists the keys it reads alone, and each is a
// reader of its own with the attributes it names, not those of its
// siblings.
func TestSiblingQueriesAreToldApartByPath(t *testing.T) {
	ctx := context.Background()
	s := cservice.New(hostCatalog(t), cservice.Options{})
	q := func(i, expr string) catalog.ConsumerQuery {
		return catalog.ConsumerQuery{Panel: "Traffic", Path: "spec.panels.traffic.spec.queries[" + i + "]", Expr: expr}
	}
	dash := catalog.Consumer{Kind: "dashboard", Format: "perses_dashboard", Source: "perses/host.json", UID: "host", Title: "Host",
		Body: catalog.ConsumerBody{Queries: []catalog.ConsumerQuery{
			q("0", `sum by (direction) (rate(system_network_io_bytes_total[5m]))`),
			q("1", `sum by (device) (rate(system_network_io_bytes_total[5m]))`),
			q("2", `sum(rate(system_network_packets_total[5m]))`),
		}}}
	if _, err := s.Sync(ctx, catalog.ConsumerSync{Origin: "files:perses", Consumers: []catalog.Consumer{dash}}); err != nil {
		t.Fatal(err)
	}
	c := must[cservice.Consumer](t)(s.Consumer(ctx, catalog.ConsumerID("files:perses", "perses/host.json", "host")))
	var keys []string
	for _, q := range c.Queries {
		keys = append(keys, strings.Join(q.Keys, ","))
	}
	if want := []string{"system.network.io", "system.network.io", "system.network.packets"}; !slices.Equal(keys, want) {
		t.Errorf("the queries' keys %q, want %q", keys, want)
	}
	u := must[cservice.Usage](t)(s.Usage(ctx, "system.network.io"))
	var readers []string
	for _, r := range u.Readers {
		readers = append(readers, r.Path+": "+strings.Join(r.Attributes, ","))
	}
	if want := []string{"spec.panels.traffic.spec.queries[0]: direction", "spec.panels.traffic.spec.queries[1]: device"}; !slices.Equal(readers, want) {
		t.Errorf("readers of system.network.io %q, want %q", readers, want)
	}
}

// Two replicas share a store: a sync on one is seen by the other's Unused
// at once, though the other keeps a reading made before it, so that
// collector-config never drops what a dashboard synced elsewhere reads.
func TestUnusedSeesASyncOnAnotherReplica(t *testing.T) {
	ctx := context.Background()
	store := hostCatalog(t)
	a, b := cservice.New(store, cservice.Options{}), cservice.New(store, cservice.Options{})
	syncFiles(t, a, linux)
	unused := func() []string {
		var keys []string
		for _, f := range must[cservice.Unused](t)(a.Unused(ctx)).Metrics {
			keys = append(keys, f.Key)
		}
		return keys
	}
	if keys := unused(); !slices.Contains(keys, "system.network.packets") {
		t.Fatalf("unused %v, want system.network.packets, which the Linux dashboard does not read", keys)
	}
	syncRules(t, b, rule("packets", `sum by (direction) (rate(system_network_packets_total[5m]))`))
	if keys := unused(); slices.Contains(keys, "system.network.packets") {
		t.Errorf("unused on replica a after replica b synced a rule reading packets: %v", keys)
	}
}

// A change of system.cpu.time from milliseconds to seconds breaks a rule
// still on `_milliseconds`, though no current schema is in ms any more
// (the base is superseded: a proposal's versioned base, or a release's
// schema the catalog moved on from): the rule reads nothing of the key in
// the current reading (its query is consumer_missing_metric, near the
// key), and is named all the same. A unit is part of a stream, so the
// store never supersedes a schema by a unit change alone: the base in ms
// is the current schema with another unit and id.
func TestBreaksOfAUnitChangeOnceTheBaseIsSuperseded(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	s := cservice.New(store, cservice.Options{})
	inS := catalogtest.Observation("system.cpu.time", "host", catalogtest.T0, catalogtest.Str("state"))
	if _, err := store.RecordObservations(ctx, "s", []catalog.Observation{inS}); err != nil {
		t.Fatal(err)
	}
	syncRules(t, s, rule("cpu_ms", `sum by (state) (rate(system_cpu_time_milliseconds_total[5m]))`))
	target := must[[]catalog.Schema](t)(store.GetSchemas(ctx, inS.VariantID))[0]
	base := target
	base.ID, base.Unit = strings.Repeat("a", 32), "ms"
	bs := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, base, target))
	if len(bs) != 1 || bs[0].Title != "cpu_ms" || bs[0].FindingID != usage.ConsumerMissingMetric || bs[0].Metric != "system_cpu_time_milliseconds_total" {
		t.Errorf("breaks of ms -> s = %+v, want rule cpu_ms reading system_cpu_time_milliseconds_total", bs)
	}
	if back := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, target, base)); len(back) != 0 {
		t.Errorf("breaks of s -> ms = %+v, want none: the rule reads ms", back)
	}
}

// countingStore counts the reads of the catalog's metrics a reading makes.
type countingStore struct {
	catalog.Store
	metricReads int
}

func (s *countingStore) ListSchemaKeys(ctx context.Context, f catalog.KeyFilter) ([]catalog.KeySummary, int64, error) {
	s.metricReads++
	return s.Store.ListSchemaKeys(ctx, f)
}

func (s *countingStore) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	s.metricReads++
	return s.Store.ListJudging(ctx, after, limit)
}

func (s *countingStore) ReadFieldCosts(ctx context.Context, w tallycatv1.Window) (catalog.FieldCosts, error) {
	s.metricReads++
	return s.Store.ReadFieldCosts(ctx, w)
}

// Without a stored consumer a reading reads none of the catalog's metrics
// (nothing reads them, and nothing is known to be unused), so that the
// timeline and the proposals of a catalog that keeps no consumer pay
// nothing for asking what a change breaks.
func TestAReadingWithoutConsumersReadsNoMetric(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Store: hostCatalog(t)}
	s := cservice.New(store, cservice.Options{})
	schemas := must[[]catalog.Schema](t)(store.ListSchemas(ctx, "system.network.io", false))
	if bs := must[[]catalog.ConsumerBreak](t)(s.Breaks(ctx, schemas[0], schemas[0])); len(bs) != 0 {
		t.Errorf("breaks without consumers: %+v", bs)
	}
	r := must[*cservice.Reading](t)(s.Read(ctx))
	if r.Synced || store.metricReads != 0 {
		t.Errorf("a reading without consumers: synced %v, %d reads of the catalog's metrics; want none", r.Synced, store.metricReads)
	}
	syncFiles(t, s, linux)
	if r := must[*cservice.Reading](t)(s.Read(ctx)); !r.Synced || store.metricReads == 0 {
		t.Errorf("a reading with a consumer: synced %v, %d reads of the catalog's metrics", r.Synced, store.metricReads)
	}
}
