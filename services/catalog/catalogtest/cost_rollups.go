package catalogtest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// Hourly rollups (see docs/COST.md): a store that folds its complete
// hours answers every cost read as one that does not.

// folder is a store that folds its cost rows into hourly rollups.
type folder interface {
	FoldCosts(ctx context.Context) (int, error)
}

// testFoldedHoursReadAsTenMinuteRows feeds two stores the same day of
// reports, folds one, and reads both at once: the key lists sorted by
// series and by rate and a page of keys in name order, the top lists, each schema's cost and each field's
// figures as a judging reads them, over the last day (complete hours
// from the rollups, the edges and the last hour at ten minutes) and the
// last hour. A release that moved to a larger schema halfway through an
// hour leaves a superseded schema that counts it up to the bucket it
// left in, which no rollup can say: those figures hold too.
func testFoldedHoursReadAsTenMinuteRows(t *testing.T, h Harness) {
	ctx := context.Background()
	plain, folded := h.Open(t), h.Open(t)
	f, ok := folded.(folder)
	if !ok {
		t.Fatalf("%T does not fold its cost rows (FoldCosts)", folded)
	}
	schemas := recordDay(t, time.Now().UTC(), plain, folded)
	n, err := f.FoldCosts(ctx)
	if err != nil || n < 20 {
		t.Fatalf("FoldCosts = %d, %v: want the day's complete hours folded", n, err)
	}
	if again, err := f.FoldCosts(ctx); err != nil || again != 0 {
		t.Fatalf("FoldCosts again = %d, %v: want nothing left to fold", again, err)
	}

	// A read that crosses a bucket's end moves its windows: read again.
	for attempt := 0; ; attempt++ {
		bucket := cardinality.BucketOf(time.Now())
		want, got := costReadings(ctx, t, plain, schemas), costReadings(ctx, t, folded, schemas)
		if !cardinality.BucketOf(time.Now()).Equal(bucket) && attempt < 2 {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			if g, ok := got[name]; !ok || !sameFigure(name, g, want[name]) {
				t.Errorf("folded %s = %v, want %v as from the ten-minute rows", name, g, want[name])
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("folded reads give %s = %v, which the ten-minute rows do not", name, got[name])
			}
		}
		if want["day top metric app.logins series"] <= want["hour top metric app.logins series"] || want["day key app.logins series"] < 400 {
			t.Errorf("the day's figures = %v: want the day's logins, far more than the hour's", want)
		}
		return
	}
}

// recordDay records the same day of reports, ending at now, into every
// store, and returns the ids of the schemas they make. A release that
// moved to a larger schema halfway through an hour leaves a superseded
// schema that counts it up to the bucket it left in.
func recordDay(t *testing.T, now time.Time, stores ...catalog.Store) []string {
	t.Helper()
	var schemas []string
	for j := 143; j >= 0; j-- {
		at := now.Add(-time.Duration(j) * cardinality.BucketWidth)
		// checkout's logins: 12 users a bucket, 441 over the day.
		batch := []catalog.Observation{Costly(UserObservation(at), 3*(143-j), 3*(143-j)+12)}
		// payments' logins move to a larger schema 11 h 40 min ago, within
		// an hour the fold folds whole: the schema left counts the stream
		// up to that bucket alone.
		pay := Observation("app.logins", "payments", at, Str("user.id"), Str("region"))
		if j < 70 {
			pay = Observation("app.logins", "payments", at, Str("user.id"), Str("region"), Str("error.type"))
		}
		if j <= 140 {
			batch = append(batch, Costly(pay, 1000+j, 1000+j+3))
		}
		if j%3 == 0 {
			batch = append(batch, Costly(Observation("app.signups", "checkout", at, Str("user.id"), Str("region")), 0, 30))
		}
		for _, o := range batch {
			if !slices.Contains(schemas, o.VariantID) {
				schemas = append(schemas, o.VariantID)
			}
		}
		for _, s := range stores {
			record(t, s, "", batch...)
		}
	}
	return schemas
}

// sameFigure compares a figure of a folded store with the same without
// the fold: exactly, but for the estimates of sketches past
// cardinality.MaxExact values, which merged in another order may differ
// within their error.
func sameFigure(name string, got, want float64) bool {
	if want > cardinality.MaxExact && (strings.HasSuffix(name, " series") || strings.HasSuffix(name, " distinct")) {
		return math.Abs(got-want) <= 0.02*want
	}
	return got == want
}

// costReadings are the cost figures every read of s gives over the last
// hour and the last day, by name.
func costReadings(ctx context.Context, t *testing.T, s catalog.Store, schemas []string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	cost := func(prefix string, c *catalog.Cost) {
		if c == nil {
			out[prefix+" none"] = 1
			return
		}
		out[prefix+" series"] = float64(c.Series)
		out[prefix+" points"] = float64(c.DataPoints)
		out[prefix+" rate"] = c.DataPointsPerMinute
		if c.Monthly != nil {
			out[prefix+" monthly"] = *c.Monthly
		}
	}
	for _, w := range []struct {
		name   string
		window tallycatv1.Window
	}{{"hour", lastHour}, {"day", lastDay}} {
		for _, sort := range []tallycatv1.SchemaKeySort{tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE} {
			keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: sort, Descending: true, Window: w.window}))
			for i, k := range keys {
				out[fmt.Sprintf("%s %v #%d is %s", w.name, sort, i, k.Key)] = 1
				cost(fmt.Sprintf("%s key %s", w.name, k.Key), &k.Cost)
			}
		}
		// A page in name order works out its own keys' costs alone.
		named, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Window: w.window}))
		for _, k := range named {
			cost(fmt.Sprintf("%s page %s", w.name, k.Key), &k.Cost)
		}
		top := must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: w.window, Limit: 10}))
		for _, m := range top.Metrics {
			cost(fmt.Sprintf("%s top metric %s", w.name, m.Key), &m.Cost)
			out[fmt.Sprintf("%s top metric %s schemas", w.name, m.Key)] = float64(m.Schemas)
		}
		for _, r := range top.Releases {
			cost(fmt.Sprintf("%s top release %s", w.name, r.String()), &r.Cost)
			out[fmt.Sprintf("%s top release %s metrics", w.name, r.String())] = float64(r.Metrics)
		}
		for _, a := range top.Attributes {
			prefix := fmt.Sprintf("%s top attribute %s %s %v", w.name, a.Key, a.Name, a.Source)
			out[prefix+" distinct"] = float64(a.Distinct)
			out[prefix+" series"] = float64(a.Series)
			out[prefix+" high"] = boolFigure(a.HighCardinality)
		}
		judged := must[catalog.FieldCosts](t)(s.ReadFieldCosts(ctx, w.window))
		for _, id := range schemas {
			d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, id, w.window))
			cost(fmt.Sprintf("%s schema %s", w.name, id), d.Schema.Cost)
			for _, r := range d.Releases {
				cost(fmt.Sprintf("%s schema %s release %s", w.name, id, r.ServiceName), r.Cost)
			}
			fields(out, fmt.Sprintf("%s schema %s", w.name, id), d.Schema)
			if d.Schema.Superseded {
				continue // a judging judges current schemas alone
			}
			sc := d.Schema
			sc.Fields = slices.Clone(sc.Fields)
			if err := judged.Apply(&sc); err != nil {
				t.Fatalf("judging's figures of %s: %v", id, err)
			}
			fields(out, fmt.Sprintf("%s judged %s", w.name, id), sc)
		}
	}
	return out
}

// fields adds each of a schema's fields' figures to out.
func fields(out map[string]float64, prefix string, sc catalog.Schema) {
	for _, f := range sc.Fields {
		p := fmt.Sprintf("%s field %v %s", prefix, f.Source, f.Name)
		out[p+" distinct"] = float64(f.Distinct)
		out[p+" high"] = boolFigure(f.HighCardinality)
		out[p+" state"] = float64(f.ExamplesState)
		for _, e := range f.Examples {
			out[p+" example "+e.Value] = float64(e.DataPoints)
		}
	}
}

func boolFigure(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
