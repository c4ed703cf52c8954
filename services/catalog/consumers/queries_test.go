package consumers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
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
