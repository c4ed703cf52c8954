package catalogtest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// Cost (see docs/COST.md): series, data point rates, distinct and example values,
// as users read them. Windows end now, so these observations are dated
// from the clock, in the past.

// region is user i's region: three in five users are in eu.
func region(i int) string {
	switch i % 5 {
	case 3:
		return "us"
	case 4:
		return "ap"
	}
	return "eu"
}

// Costly is o carrying the figures an ingest replica would send for one
// data point from each of users from … to-1: one series per user (its
// user.id and region), user.id's values counted and withheld (it is on the
// deny list), region's kept, and the instance's host.name.
func Costly(o catalog.Observation, from, to int) catalog.Observation {
	var series, users, regions cardinality.Distinct
	counts := map[string]uint64{}
	for i := from; i < to; i++ {
		user, reg := fmt.Sprint("user-", i), region(i)
		u := cardinality.Attribute(cardinality.HashKey("user.id"), cardinality.HashString(str, user))
		r := cardinality.Attribute(cardinality.HashKey("region"), cardinality.HashString(str, reg))
		series.Add(cardinality.Series(1, 2, u^r))
		users.Add(cardinality.HashString(str, user))
		regions.Add(cardinality.HashString(str, reg))
		counts[reg]++
	}
	var host cardinality.Distinct
	host.Add(cardinality.HashString(str, o.Producer.ServiceInstanceID))
	o.Series, o.DataPoints = series, uint64(to-from)
	o.Fields = []catalog.FieldFigures{
		{Source: dataPoint, Key: "user.id", Type: str, Distinct: users, State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD},
		{Source: dataPoint, Key: "region", Type: str, Distinct: regions, State: kept},
		{Source: resource, Key: "host.name", Type: str, Distinct: host, State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD},
	}
	for _, r := range []string{"eu", "us", "ap"} {
		if counts[r] > 0 {
			o.Fields[1].Values = append(o.Fields[1].Values, catalog.ValueCount{Value: r, DataPoints: counts[r]})
		}
	}
	return o
}

// UserObservation is a login counter of checkout with user.id and region,
// at.
func UserObservation(at time.Time) catalog.Observation {
	return Observation("app.logins", "checkout", at, Str("user.id"), Str("region"))
}

const (
	kept     = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT
	withheld = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD
)

func near(got, want uint64, tolerance float64) bool {
	return math.Abs(float64(got)-float64(want)) <= tolerance*float64(want)
}

// testCostOfASchema: two ingest replicas each saw part of 5,000 users'
// data points and reported them in batches of their own.
func testCostOfASchema(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	at := time.Now().UTC().Add(-5 * time.Minute)
	a, b := Costly(UserObservation(at), 0, 3000), Costly(UserObservation(at.Add(time.Second)), 2000, 5000)
	record(t, s, "replica-a", a)
	record(t, s, "replica-b", b)

	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, a.VariantID, tallycatv1.Window_WINDOW_UNSPECIFIED))
	c := d.Schema.Cost
	if c == nil || c.Window != lastHour || !near(c.Series, 5000, 0.03) || c.DataPoints != 6000 || c.DataPointsPerMinute <= 0 {
		t.Fatalf("cost = %+v, want the last hour's: about 5,000 series, 6,000 points and their rate", c)
	}
	if len(d.Releases) != 1 || d.Releases[0].Cost == nil || d.Releases[0].Cost.Series != c.Series {
		t.Errorf("releases = %+v, want checkout's cost, the schema's", d.Releases)
	}
	reg, user, host := field(d.Schema, dataPoint, "region"), field(d.Schema, dataPoint, "user.id"), field(d.Schema, resource, "host.name")
	want := []cardinality.Share{{Value: "eu", DataPoints: 3600, Share: 0.6}, {Value: "ap", DataPoints: 1200, Share: 0.2}, {Value: "us", DataPoints: 1200, Share: 0.2}}
	if reg == nil || reg.ExamplesState != kept || reg.Distinct != 3 || reg.HighCardinality || !slices.Equal(reg.Examples, want) {
		t.Errorf("region = %+v, want kept: eu 60 %%, ap and us 20 %% each", reg)
	}
	if user == nil || !user.HighCardinality || !near(user.Distinct, 5000, 0.03) || user.ExamplesState != withheld || len(user.Examples) != 0 {
		t.Errorf("user.id = %+v, want high cardinality, about 5,000 values, none shown", user)
	}
	if host == nil || host.Distinct != 1 || host.ExamplesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT {
		t.Errorf("host.name = %+v, want one value, counted and not listed", host)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if len(keys) != 1 || keys[0].Cost.Series != c.Series || keys[0].Cost.Window != lastHour {
		t.Errorf("key summary cost = %+v, want the schema's", keys[0].Cost)
	}
	// Listed without their cost, the schema's fields carry none.
	if listed := must[[]catalog.Schema](t)(s.ListSchemas(ctx, "app.logins", false)); listed[0].Cost != nil {
		t.Errorf("ListSchemas gave a cost: %+v", listed[0].Cost)
	}
	s = h.Reopen(t, s)
	again := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, a.VariantID, lastHour))
	if ac := again.Schema.Cost; ac.Series != c.Series || ac.DataPoints != c.DataPoints || field(again.Schema, dataPoint, "user.id").Distinct != user.Distinct {
		t.Errorf("after a restart: cost %+v, want %+v as before (the rate aside, which moves with the clock)", ac, c)
	}
}

// testWithheldKeepsNoValues: a sender that withholds a field's values but
// sends them anyway (a bug) does not get them stored.
func testWithheldKeepsNoValues(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	o := Costly(UserObservation(time.Now().UTC().Add(-time.Minute)), 0, 10)
	o.Fields[0].Values = []catalog.ValueCount{{Value: "user-1", DataPoints: 1}}
	o.Fields[1].State = withheld
	record(t, s, "", o)
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, o.VariantID, lastDay))
	for _, name := range []string{"user.id", "region"} {
		if f := field(d.Schema, dataPoint, name); f == nil || f.ExamplesState != withheld || len(f.Examples) != 0 || f.Distinct == 0 {
			t.Errorf("%s = %+v, want withheld, counted, with no values", name, f)
		}
	}
}

// testCostMovesWithItsStream: the release sends a new attribute and moves
// to the larger schema; the cost it had goes along, and the schema it left
// shows what it cost until then.
func testCostMovesWithItsStream(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	now := time.Now().UTC()
	first := Costly(UserObservation(now.Add(-40*time.Minute)), 0, 100)
	grown := Costly(Observation("app.logins", "checkout", now.Add(-time.Minute), Str("user.id"), Str("region"), Str("error.type")), 100, 150)
	record(t, s, "", first)
	record(t, s, "", grown)
	union := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, grown.VariantID, lastHour))
	if c := union.Schema.Cost; c.Series != 150 || c.DataPoints != 150 {
		t.Errorf("the larger schema's cost = %+v, want the stream's 150 series and points, from before the move too", c)
	}
	if reg := field(union.Schema, dataPoint, "region"); reg == nil || reg.Examples[0].DataPoints != 90 {
		t.Errorf("region on the larger schema = %+v, want eu with 90 points of 150", reg)
	}
	left := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, first.VariantID, lastHour))
	if c := left.Schema.Cost; !left.Schema.Superseded || c.Series != 100 {
		t.Errorf("the schema left = %+v (superseded %v), want its 100 series until the release moved", c, left.Schema.Superseded)
	}
	keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{}))
	if keys[0].Cost.Series != 150 {
		t.Errorf("the metric's cost = %+v, want the stream counted once: 150 series", keys[0].Cost)
	}
}

// testWindows: buckets older than an hour count only for the day.
func testWindows(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	now := time.Now().UTC()
	old, recent := Costly(UserObservation(now.Add(-3*time.Hour)), 0, 100), Costly(UserObservation(now.Add(-5*time.Minute)), 100, 130)
	other := Costly(Observation("app.signups", "checkout", now.Add(-5*time.Minute), Str("user.id"), Str("region")), 0, 60)
	record(t, s, "", old, recent, other)
	for w, want := range map[tallycatv1.Window]uint64{lastHour: 30, lastDay: 130} {
		d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, old.VariantID, w))
		if c := d.Schema.Cost; c.Window != w || c.Series != want || c.DataPoints != want {
			t.Errorf("%v: %+v, want %d series and points", w, c, want)
		}
		if reg := field(d.Schema, dataPoint, "region"); reg.Distinct != 3 || reg.Examples[0].DataPoints != want*3/5 {
			t.Errorf("%v: region %+v, want eu's %d points", w, reg, want*3/5)
		}
	}
	// Sorted by series, the order depends on the window; paging holds.
	for w, want := range map[tallycatv1.Window][]string{lastHour: {"app.signups", "app.logins"}, lastDay: {"app.logins", "app.signups"}} {
		var got []string
		for offset := 0; offset < 2; offset++ {
			page, total := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true,
				Window: w, Offset: offset, Limit: 1}))
			if total != 2 || len(page) != 1 {
				t.Fatalf("%v page %d: %d rows of %d", w, offset, len(page), total)
			}
			got = append(got, page[0].Key)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v, most series first: %v, want %v", w, got, want)
		}
	}
	byRate, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE, Query: "logins"}))
	if len(byRate) != 1 || byRate[0].Cost.DataPoints != 30 {
		t.Errorf("by rate, filtered = %+v", byRate)
	}

	top := must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: lastDay, Limit: 1}))
	if top.Window != lastDay || len(top.Metrics) != 1 || top.Metrics[0].Key != "app.logins" || top.Metrics[0].Type != tallycatv1.MetricType_METRIC_TYPE_SUM ||
		top.Metrics[0].Schemas != 1 || top.Metrics[0].Cost.Series != 130 {
		t.Errorf("top metrics over the day = %+v, want app.logins, a sum with one schema and 130 series", top.Metrics)
	}
	if len(top.Releases) != 1 || top.Releases[0].ServiceName != "checkout" || top.Releases[0].Cost.Series != 190 || top.Releases[0].Metrics != 2 {
		t.Errorf("top releases = %+v, want checkout: 190 series over two metrics", top.Releases)
	}
	if len(top.Attributes) != 1 || top.Attributes[0].Name != "user.id" || top.Attributes[0].Distinct != 130 || top.Attributes[0].Series != 130 {
		t.Errorf("top attributes = %+v, want app.logins' user.id with 130 values", top.Attributes)
	}
	history := must[[]catalog.SeriesPoint](t)(s.GetSeriesHistory(ctx, "app.logins"))
	if len(history) != 2 || !history[0].Start.Equal(cardinality.BucketOf(old.LastObserved)) || history[0].Series != 100 ||
		history[0].DataPointsPerMinute != 10 || history[1].Series != 30 {
		t.Errorf("history = %+v, want 100 series at 10 points a minute three hours ago, then 30", history)
	}
}

// testRetriedBatchCountsOnce: a batch delivered again adds nothing.
func testRetriedBatchCountsOnce(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	o := Costly(UserObservation(time.Now().UTC().Add(-time.Minute)), 0, 10)
	record(t, s, "batch-1", o)
	record(t, s, "batch-1", o)
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, o.VariantID, lastHour))
	if c := d.Schema.Cost; c.Series != 10 || c.DataPoints != 10 {
		t.Errorf("cost after a retry = %+v, want 10 series and points", c)
	}
	if reg := field(d.Schema, dataPoint, "region"); reg.Examples[0].DataPoints != 6 {
		t.Errorf("region after a retry = %+v, want eu's 6 points counted once", reg.Examples)
	}
}

// testRateOfAProducerStartedMidBucket: a producer that started seven and
// a half minutes ago, sending 174 data points a minute, which an ingest
// reported every 30 seconds, shows 174 a minute in every figure that
// carries a rate, however far into its ten-minute bucket it started: not
// its points spread over the time since the bucket began.
func testRateOfAProducerStartedMidBucket(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const perMinute, every = 174, 30 * time.Second
	started := time.Now().UTC().Add(-7*time.Minute - 30*time.Second)
	var sent uint64
	for i := 0; i < 15; i++ {
		from := started.Add(time.Duration(i) * every)
		o := Costly(UserObservation(from), 0, 10)
		o.FirstObserved, o.LastObserved = from, from.Add(every)
		o.DataPoints = perMinute * uint64(every/time.Second) / 60
		sent += o.DataPoints
		record(t, s, fmt.Sprint("export-", i), o)
	}
	rate := func(c catalog.Cost) bool {
		return c.DataPoints == sent && math.Abs(c.DataPointsPerMinute-perMinute)/perMinute < 0.01
	}
	o := UserObservation(started)
	for _, w := range []tallycatv1.Window{lastHour, lastDay} {
		d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, o.VariantID, w))
		if c := d.Schema.Cost; c == nil || !rate(*c) {
			t.Errorf("%v: schema cost %+v, want %d data points at %d a minute", w, c, sent, perMinute)
		}
		if c := d.Releases[0].Cost; c == nil || !rate(*c) {
			t.Errorf("%v: release cost %+v, want %d data points at %d a minute", w, c, sent, perMinute)
		}
		keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Window: w}))
		if len(keys) != 1 || !rate(keys[0].Cost) {
			t.Errorf("%v: metric cost %+v, want %d data points at %d a minute", w, keys, sent, perMinute)
		}
		top := must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: w, Limit: 1}))
		if len(top.Metrics) != 1 || !rate(top.Metrics[0].Cost) || len(top.Releases) != 1 || !rate(top.Releases[0].Cost) {
			t.Errorf("%v: top %+v, %+v, want the metric and its release at %d a minute", w, top.Metrics, top.Releases, perMinute)
		}
		costs := must[catalog.FieldCosts](t)(s.ReadFieldCosts(ctx, w))
		sc := d.Schema
		if err := costs.Apply(&sc); err != nil {
			t.Fatal(err)
		}
		if sc.Cost == nil || !rate(*sc.Cost) {
			t.Errorf("%v: judged schema cost %+v, want %d data points at %d a minute", w, sc.Cost, sent, perMinute)
		}
	}
}

// testSpanAndLogRates: spans and log records have a rate, worked out as a
// metric's data point rate is, from the counts and the times an ingest
// sent, and no series (they are not time series). A span server sending
// 120 spans a minute for five minutes, reported every 30 seconds, shows
// 120 a minute on its schema, its release and its key; a logger's 30
// records over three minutes show 10 a minute. Their fields carry no
// figures they were not sent (see testSpanAndLogFieldFigures), a log's
// body none ever, and the top lists, which rank by series, stay the
// metrics'.
func testSpanAndLogRates(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const perMinute, every = 120, 30 * time.Second
	started := time.Now().UTC().Add(-5 * time.Minute)
	const name = "GET /users/{id}"
	var sent uint64
	for i := 0; i < 10; i++ {
		from := started.Add(time.Duration(i) * every)
		o := SpanObservation(name, schemaid.SpanKindServer, "users", from, Str("http.route"))
		o.FirstObserved, o.LastObserved = from, from.Add(every)
		o.DataPoints = perMinute * uint64(every/time.Second) / 60
		sent += o.DataPoints
		record(t, s, fmt.Sprint("spans-", i), o)
	}
	logs := LogObservation("app.login", false, "users", started, From(schemaid.Body, "body", str))
	logs.FirstObserved, logs.LastObserved, logs.DataPoints = started, started.Add(3*time.Minute), 30
	metric := Costly(UserObservation(started), 0, 10)
	record(t, s, "logs-and-metrics", logs, metric)

	rated := func(c *catalog.Cost, points uint64, rate float64) bool {
		return c != nil && c.Series == 0 && c.DataPoints == points && math.Abs(c.DataPointsPerMinute-rate)/rate < 0.01 && c.Monthly == nil
	}
	span := SpanObservation(name, schemaid.SpanKindServer, "users", started, Str("http.route"))
	for _, w := range []tallycatv1.Window{lastHour, lastDay} {
		d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, span.VariantID, w))
		if c := d.Schema.Cost; !rated(c, sent, perMinute) || c.Window != w {
			t.Errorf("%v: span schema cost %+v, want %d spans at %d a minute over the %v, no series", w, c, sent, perMinute, w)
		}
		if len(d.Releases) != 1 || !rated(d.Releases[0].Cost, sent, perMinute) {
			t.Errorf("%v: span releases %+v, want users 1.0.0 at %d a minute", w, d.Releases, perMinute)
		}
		for _, f := range d.Schema.Fields {
			if f.Distinct != 0 || f.HighCardinality || len(f.Examples) != 0 {
				t.Errorf("%v: span field %+v, want no figures", w, f)
			}
		}
		keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Span, schemaid.Log}, Window: w,
			Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE, Descending: true}))
		if len(keys) != 2 || keys[0].Signal != schemaid.Span || !rated(&keys[0].Cost, sent, perMinute) ||
			keys[1].Signal != schemaid.Log || !rated(&keys[1].Cost, 30, 10) {
			t.Errorf("%v: span and log keys by rate = %+v, want the span's %d a minute, then the log's 10", w, keys, perMinute)
		}
		top := must[*catalog.TopSeries](t)(s.ListTopSeries(ctx, catalog.TopFilter{Window: w, Limit: 10}))
		if len(top.Metrics) != 1 || top.Metrics[0].Key != "app.logins" || len(top.Releases) != 1 || top.Releases[0].Cost.DataPoints != 10 ||
			top.Releases[0].Metrics != 1 {
			t.Errorf("%v: top %+v, releases %+v, want app.logins alone, its release's 10 data points without the spans and records", w, top.Metrics, top.Releases)
		}
	}
	l := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, logs.VariantID, lastHour))
	if c := l.Schema.Cost; !rated(c, 30, 10) {
		t.Errorf("log schema cost %+v, want 30 records at 10 a minute, no series", c)
	}
	if b := field(l.Schema, bodySource, "body"); b == nil || b.ExamplesState != notCounted || b.Distinct != 0 || len(b.Examples) != 0 {
		t.Errorf("log body field %+v, want not counted and never a value", b)
	}
	s = h.Reopen(t, s)
	if again := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, span.VariantID, lastHour)); again.Schema.Cost == nil || again.Schema.Cost.DataPoints != sent {
		t.Errorf("after a restart: span cost %+v, want %d spans", again.Schema.Cost, sent)
	}
}
