package catalogtest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Cost snapshots (see sqlstore.SetCostFigureAge): a store told it may
// serve the figures across every active stream from a snapshot answers
// every read as one that works them out for each read, and a change
// reaches its answers once the snapshot ages.

// snapshotter is a store that may serve cost figures from a snapshot.
type snapshotter interface {
	SetCostFigureAge(time.Duration)
}

// testCostSnapshotsAnswerAsEveryRead feeds two stores the same day of
// reports, tells one it may serve figures from a snapshot, and reads both
// at once: the key lists sorted by series and by rate, a page of keys in
// name order and the top lists, over the last hour and the last day. It
// then records a metric into both and reads the snapshot store's top
// series until the metric is there, as it must be once the snapshot is
// older than its working-out allows.
func testCostSnapshotsAnswerAsEveryRead(t *testing.T, h Harness) {
	ctx := context.Background()
	exact, served := h.Open(t), h.Open(t)
	snap, ok := served.(snapshotter)
	if !ok {
		t.Fatalf("%T cannot serve cost figures from a snapshot (SetCostFigureAge)", served)
	}
	snap.SetCostFigureAge(time.Hour)
	schemas := recordDay(t, time.Now().UTC(), exact, served)

	for attempt := 0; ; attempt++ {
		want, got := costReadings(ctx, t, exact, schemas), costReadings(ctx, t, served, schemas)
		if !maps.Equal(want, got) && attempt < 2 {
			continue // a read that crosses a bucket's end moves its windows
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			if g, ok := got[name]; !ok || g != want[name] {
				t.Errorf("served %s = %v, want %v as every read works it out", name, g, want[name])
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("served reads give %s = %v, which every read's own working-out does not", name, got[name])
			}
		}
		break
	}

	now := time.Now().UTC()
	record(t, served, "", Costly(Observation("app.refunds", "payments", now, Str("user.id"), Str("region")), 0, 5000))
	deadline := time.Now().Add(30 * time.Second)
	for {
		top := must[*catalog.TopSeries](t)(served.ListTopSeries(ctx, catalog.TopFilter{Window: lastHour, Limit: 10}))
		keys, total := must2(t)(served.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES,
			Descending: true, Window: lastHour, Limit: 1}))
		if len(top.Metrics) > 0 && top.Metrics[0].Key == "app.refunds" && len(keys) == 1 && keys[0].Key == "app.refunds" && total == 3 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after app.refunds' 5,000 series were recorded: top metrics %v, keys by series %v of %d: want app.refunds first of 3",
				top.Metrics, keyNames(keys), total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
