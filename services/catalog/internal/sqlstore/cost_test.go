package sqlstore_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// The cost rules (docs/COST.md) without a database: how rows become a
// schema's, a metric's, a release's and a field's figures over a window.

const (
	metricKey = "http.server.request.duration"
)

// distinct is the set of values prefix0 … prefix(n-1).
func distinct(prefix string, from, to int) cardinality.Distinct {
	var d cardinality.Distinct
	for i := from; i < to; i++ {
		d.Add(cardinality.HashString(String, fmt.Sprint(prefix, i)))
	}
	return d
}

func near(got, want uint64, tolerance float64) bool {
	return math.Abs(float64(got)-float64(want)) <= tolerance*float64(want)
}

// stream is a stream's row on a schema.
func stream(id, schema, version, supersededBy string, lastSeen time.Time) sqlstore.KeyStream {
	return sqlstore.KeyStream{Key: metricKey, SchemaID: schema, SchemaStream: sqlstore.SchemaStream{StreamID: id, SupersededBy: supersededBy, LastSeen: lastSeen,
		Release: catalog.ReleaseIdentity{ServiceName: "checkout", ServiceVersion: version}}}
}

func seriesRow(streamID string, bucket time.Time, d cardinality.Distinct, points uint64) catalog.CostRow {
	return catalog.CostRow{StreamBucket: catalog.StreamBucket{StreamID: streamID, Bucket: cardinality.BucketOf(bucket)}, Distinct: d, DataPoints: points}
}

func schemaStreams(ks []sqlstore.KeyStream, schema string) []sqlstore.SchemaStream {
	var out []sqlstore.SchemaStream
	for _, k := range ks {
		if k.SchemaID == schema {
			out = append(out, k.SchemaStream)
		}
	}
	return out
}

// TestCostOverWindows: a schema with two current streams of two releases
// and one that moved on two hours ago. The last hour counts the current
// streams' recent buckets, each stream's series once however many buckets
// repeat them; the day counts older buckets too; the schema the moved
// stream left shows what it cost there until it left.
func TestCostOverWindows(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	ks := []sqlstore.KeyStream{
		stream("a", "s2", "1.0.0", "", now), stream("b", "s2", "2.0.0", "", now),
		stream("c", "s1", "1.0.0", "s2", now.Add(-2*time.Hour)), stream("c", "s2", "1.0.0", "", now),
	}
	rows := []catalog.CostRow{
		seriesRow("a", now.Add(-30*time.Minute), distinct("a", 0, 100), 600),
		seriesRow("a", now, distinct("a", 50, 150), 300), // repeats 50 of the bucket before
		seriesRow("a", now.Add(-5*time.Hour), distinct("a", 1000, 1400), 9000),
		seriesRow("b", now.Add(-10*time.Minute), distinct("b", 0, 20), 100),
		seriesRow("c", now.Add(-3*time.Hour), distinct("c", 0, 40), 400),
		seriesRow("c", now, distinct("c", 0, 10), 10),
	}
	q := sqlstore.CostQuery{Window: LastHour, Now: now, Config: catalog.DefaultCostConfig()}
	d := &catalog.SchemaDetail{Releases: []catalog.Release{{ReleaseIdentity: catalog.ReleaseIdentity{ServiceName: "checkout", ServiceVersion: "2.0.0"}}}}
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s2"), rows, q); err != nil {
		t.Fatal(err)
	}
	// a: 150 series in 900 points over the 35 minutes since its first
	// bucket of the hour; b: 20 in 100 over 15 minutes; c: 10 in 10 over 5.
	c := d.Schema.Cost
	if c.Window != LastHour || c.Series != 180 || c.DataPoints != 1010 || math.Abs(c.DataPointsPerMinute-(900.0/35+100.0/15+10.0/5)) > 1e-9 {
		t.Errorf("last lastHour = %+v, want 180 series, 1,010 points", c)
	}
	if r := d.Releases[0].Cost; r == nil || r.Series != 20 || r.DataPoints != 100 {
		t.Errorf("release 2.0.0 = %+v, want its stream's 20 series", r)
	}
	q.Window = LastDay
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s2"), rows, q); err != nil {
		t.Fatal(err)
	}
	if c := d.Schema.Cost; c.Window != LastDay || c.Series != 550+20+40 || c.DataPoints != 10410 {
		t.Errorf("last lastDay = %+v, want 610 series and 10,410 points", c)
	}
	old := &catalog.SchemaDetail{}
	if err := sqlstore.SchemaCost(old, schemaStreams(ks, "s1"), rows, q); err != nil {
		t.Fatal(err)
	}
	if c := old.Schema.Cost; c.Series != 40 || c.DataPoints != 400 {
		t.Errorf("the schema c left = %+v, want what c cost there until it left: 40 series", c)
	}
	costs, err := sqlstore.KeyCosts(ks, rows, q)
	if err != nil {
		t.Fatal(err)
	}
	if k := costs[metricKey]; k.Series != 610 {
		t.Errorf("the key = %+v, want c counted once though it is on two schemas", k)
	}
}

func TestFieldFigures(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	ks := []sqlstore.KeyStream{stream("a", "s", "1.0.0", "", now), stream("b", "s", "2.0.0", "", now)}
	field := func(streamID string, at time.Time, name string, d cardinality.Distinct, state tallycatv1.ExampleValuesState, values ...catalog.ValueCount) catalog.CostRow {
		r := seriesRow(streamID, at, d, 0)
		r.Field, r.State, r.Values = catalog.CostField{Source: DataPoint, Name: name, Type: String}, state, values
		return r
	}
	rows := []catalog.CostRow{
		field("a", now, "region", distinct("r", 0, 1), Kept, catalog.ValueCount{Value: "eu", DataPoints: 3}),
		field("b", now, "region", distinct("r", 1, 2), Kept, catalog.ValueCount{Value: "us", DataPoints: 1}),
		field("a", now.Add(-5*time.Hour), "user.id", distinct("u", 0, 5000), Withheld),
		field("a", now, "user.id", distinct("u", 0, 500), Withheld),
	}
	d := &catalog.SchemaDetail{Schema: catalog.Schema{Fields: []catalog.Field{
		{Source: DataPoint, Name: "region", Type: String}, {Source: DataPoint, Name: "user.id", Type: String},
		{Source: Resource, Name: "host.name", Type: String},
	}}}
	cfg := catalog.CostConfig{MaxValues: 10, HighCardinality: 1000}
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s"), rows, sqlstore.CostQuery{Window: LastDay, Now: now, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	region, user, host := d.Schema.Fields[0], d.Schema.Fields[1], d.Schema.Fields[2]
	if region.Distinct != 2 || region.ExamplesState != Kept || len(region.Examples) != 2 || region.Examples[0].Value != "eu" || region.Examples[0].Share != 0.75 {
		t.Errorf("region = %+v, want eu 75 %% and us across both releases", region)
	}
	if !near(user.Distinct, 5000, 0.02) || user.HighCardinality || user.ExamplesState != Withheld || len(user.Examples) != 0 {
		t.Errorf("user.id = %+v, want about 5,000 over the lastDay, not high: 500 in the last lastHour", user)
	}
	if host.ExamplesState != NotDataPoint || host.Distinct != 0 {
		t.Errorf("host.name = %+v, want not a data point field, nothing counted", host)
	}
}

func TestSortByCost(t *testing.T) {
	costs := map[string]catalog.Cost{"a": {Series: 5, DataPointsPerMinute: 1}, "b": {Series: 9}, "c": {Series: 5, DataPointsPerMinute: 7}}
	keys := []string{"c", "b", "a", "d"}
	sqlstore.SortByCost(keys, costs, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, true)
	if !slices.Equal(keys, []string{"b", "c", "a", "d"}) {
		t.Errorf("by series, most first: %v", keys)
	}
	sqlstore.SortByCost(keys, costs, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE, false)
	if !slices.Equal(keys, []string{"b", "d", "a", "c"}) {
		t.Errorf("by rate, least first, names breaking ties: %v", keys)
	}
	if sqlstore.SortByCost(keys, costs, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME, false) {
		t.Error("sorting by name is the store's")
	}
}

func TestTopAndHistory(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	other := func(k sqlstore.KeyStream, key, version string) sqlstore.KeyStream {
		k.Key, k.Release.ServiceVersion = key, version
		return k
	}
	ks := []sqlstore.KeyStream{stream("a", "s1", "1.0.0", "", now), other(stream("b", "s2", "", "", now), "rpc.duration", "1.0.0"),
		other(stream("c", "s3", "", "", now), "quiet", "9.0.0")}
	user := seriesRow("a", now, distinct("u", 0, 2000), 0)
	user.Field, user.State = catalog.CostField{Source: DataPoint, Name: "user.id", Type: String}, Withheld
	rows := []catalog.CostRow{seriesRow("a", now, distinct("a", 0, 10), 100), seriesRow("a", now.Add(-20*time.Minute), distinct("a", 5, 15), 50),
		seriesRow("b", now, distinct("b", 0, 30), 30), seriesRow("c", now.Add(-3*time.Hour), distinct("c", 0, 99), 1), user}
	top, err := sqlstore.Top(ks, rows, sqlstore.CostQuery{Now: now, Config: catalog.DefaultCostConfig()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Metrics) != 2 || top.Metrics[0].Key != "rpc.duration" || top.Metrics[1].Cost.Series != 15 || top.Metrics[1].Schemas != 1 {
		t.Errorf("metrics = %+v, want rpc.duration (30 series) then %s (15); quiet had no data in the lastHour", top.Metrics, metricKey)
	}
	if len(top.Releases) != 1 || top.Releases[0].Cost.Series != 45 || top.Releases[0].Metrics != 2 {
		t.Errorf("releases = %+v, want checkout 1.0.0 with 45 series over two metrics", top.Releases)
	}
	if len(top.Attributes) != 1 || top.Attributes[0].Name != "user.id" || !top.Attributes[0].HighCardinality || top.Attributes[0].Series != 15 {
		t.Errorf("attributes = %+v, want user.id, high, beside its metric's 15 series", top.Attributes)
	}
	history, err := sqlstore.SeriesHistory(ks[:1], rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].Series != 10 || history[0].DataPointsPerMinute != 5 || history[1].DataPointsPerMinute != 20 {
		t.Errorf("history = %+v, want 10 series at 5 a minute, then the current bucket's 100 points over its 5 minutes", history)
	}
}

// TestRateRunsFromFirstToLastSeen: a stream whose rows say when they saw
// data has its rate over that time; one whose rows do not (written before
// they said) keeps the rule it had, from the start of its first bucket
// until now; one with both runs from the earliest to the latest either
// says. Every figure with a rate agrees, FieldCosts (merged as it reads)
// too.
func TestRateRunsFromFirstToLastSeen(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 15, 0, 0, time.UTC)
	at := func(hour, minute, second int) time.Time {
		return time.Date(2026, 11, 27, hour, minute, second, 0, time.UTC)
	}
	seen := func(r catalog.CostRow, first, last time.Time) catalog.CostRow {
		r.FirstSeen, r.LastSeen = first, last
		return r
	}
	ks := []sqlstore.KeyStream{stream("a", "s", "1.0.0", "", now), stream("b", "s", "2.0.0", "", now), stream("c", "s", "3.0.0", "", now)}
	rows := []catalog.CostRow{
		// a started at 12:07:30, sending 174 a minute.
		seen(seriesRow("a", at(12, 7, 30), distinct("a", 0, 10), 435), at(12, 7, 30), at(12, 10, 0)),
		seen(seriesRow("a", at(12, 10, 0), distinct("a", 0, 10), 870), at(12, 10, 0), now),
		// b: 250 over the 25 minutes since its bucket started.
		seriesRow("b", at(11, 50, 0), distinct("b", 0, 10), 250),
		// c: 150 from 11:40, which its first row stands for, until now.
		seriesRow("c", at(11, 40, 0), distinct("c", 0, 10), 100),
		seen(seriesRow("c", at(12, 10, 0), distinct("c", 0, 10), 50), at(12, 12, 0), at(12, 14, 0)),
	}
	want := 174 + 10 + 150.0/35
	q := sqlstore.CostQuery{Window: LastHour, Now: now, Config: catalog.DefaultCostConfig()}
	d := &catalog.SchemaDetail{Releases: []catalog.Release{{ReleaseIdentity: catalog.ReleaseIdentity{ServiceName: "checkout", ServiceVersion: "1.0.0"}}}}
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s"), rows, q); err != nil {
		t.Fatal(err)
	}
	if c := d.Schema.Cost; c.DataPoints != 1705 || math.Abs(c.DataPointsPerMinute-want) > 1e-9 {
		t.Errorf("schema = %+v, want 1,705 data points at %.3f a minute", c, want)
	}
	if c := d.Releases[0].Cost; math.Abs(c.DataPointsPerMinute-174) > 1e-9 {
		t.Errorf("release 1.0.0 (stream a) = %+v, want 174 a minute", c)
	}
	costs, err := sqlstore.KeyCosts(ks, rows, q)
	if err != nil {
		t.Fatal(err)
	}
	if c := costs[metricKey]; math.Abs(c.DataPointsPerMinute-want) > 1e-9 {
		t.Errorf("the key = %+v, want %.3f a minute", c, want)
	}
	fc := sqlstore.NewFieldCosts(ks, q)
	for i := range rows {
		if err := fc.Add(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	sc := catalog.Schema{ID: "s"}
	if err := fc.Apply(&sc); err != nil {
		t.Fatal(err)
	}
	if c := sc.Cost; c.DataPoints != 1705 || math.Abs(c.DataPointsPerMinute-want) > 1e-9 {
		t.Errorf("FieldCosts = %+v, want SchemaCost's 1,705 data points at %.3f a minute", c, want)
	}
}

// TestSpanAndLogCostHaveTheirOwnPrice: a span's schema, release and key
// get their rate from the rows of their count and no series; under a price
// model they are priced by the span price alone (the metric prices price
// series and data points, not spans), and without a span price they get
// no estimate, unknown rather than free. A span's own field gets its
// distinct values, examples and high cardinality as a metric data point
// field does; an event's field is not counted. A log is priced by its
// bytes a minute. A metric beside them is priced as ever, and Top lists it
// alone.
func TestSpanAndLogCostHaveTheirOwnPrice(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 15, 0, 0, time.UTC)
	spanKey, logKey := catalog.StoredKey(schemaid.Span, "GET /users/{id}"), catalog.StoredKey(schemaid.Log, "app.login")
	span := stream("sp", "s", "1.0.0", "", now)
	span.Key = spanKey
	lg := stream("lg", "l", "1.0.0", "", now)
	lg.Key = logKey
	ks := []sqlstore.KeyStream{span, lg, stream("m", "t", "1.0.0", "", now)}
	row := seriesRow("sp", now.Add(-5*time.Minute), cardinality.Distinct{}, 600)
	row.FirstSeen, row.LastSeen = now.Add(-5*time.Minute), now
	logRow := seriesRow("lg", now.Add(-10*time.Minute), cardinality.Distinct{}, 100)
	logRow.FirstSeen, logRow.LastSeen, logRow.LogBytes = now.Add(-10*time.Minute), now, 2_000_000
	routeRow := seriesRow("sp", now, distinct("route", 0, 2), 0)
	routeRow.Field, routeRow.State = catalog.CostField{Source: DataPoint, Name: "http.route", Type: String}, Kept
	routeRow.Values = []catalog.ValueCount{{Value: "/users/{id}", DataPoints: 450}, {Value: "/users", DataPoints: 150}}
	userRow := seriesRow("sp", now, distinct("user", 0, 1500), 0)
	userRow.Field, userRow.State = catalog.CostField{Source: DataPoint, Name: "user.id", Type: String}, Withheld
	rows := []catalog.CostRow{row, logRow, routeRow, userRow, seriesRow("m", now, distinct("m", 0, 2000), 100)}
	prices := catalog.Prices{PerThousandSeriesMonth: 3, PerMillionPoints: 1, PerMillionSpans: 2, PerGBLogs: 0.5}
	q := sqlstore.CostQuery{Window: LastHour, Now: now, Config: catalog.CostConfig{MaxValues: 10, HighCardinality: 1000, Prices: prices}}
	// 120 spans a minute, a month of 43,200 minutes, at 2 a million.
	spanMonthly := 120 * 43200 / 1e6 * 2
	rated := func(c *catalog.Cost, monthly float64) bool {
		return c != nil && c.Window == LastHour && c.Series == 0 && c.DataPoints == 600 && math.Abs(c.DataPointsPerMinute-120) < 1e-9 &&
			c.Monthly != nil && math.Abs(*c.Monthly-monthly) < 1e-9
	}
	route := catalog.Field{Source: DataPoint, Name: "http.route", Type: String}
	user := catalog.Field{Source: DataPoint, Name: "user.id", Type: String}
	exception := catalog.Field{Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "exception", Name: "exception.type", Type: String}
	d := &catalog.SchemaDetail{Schema: catalog.Schema{ID: "s", Signal: schemaid.Span, Key: spanKey, Fields: []catalog.Field{route, user, exception}},
		Releases: []catalog.Release{{ReleaseIdentity: catalog.ReleaseIdentity{ServiceName: "checkout", ServiceVersion: "1.0.0"}}}}
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s"), rows, q); err != nil {
		t.Fatal(err)
	}
	if !rated(d.Schema.Cost, spanMonthly) || !rated(d.Releases[0].Cost, spanMonthly) {
		t.Errorf("span schema %+v, release %+v: want 600 spans at 120 a minute, no series, priced %.2f", d.Schema.Cost, d.Releases[0].Cost, spanMonthly)
	}
	if f := d.Schema.Fields[0]; f.ExamplesState != Kept || f.Distinct != 2 || len(f.Examples) != 2 || f.Examples[0].Value != "/users/{id}" || f.Examples[0].Share != 0.75 {
		t.Errorf("span route = %+v, want two values, /users/{id} 75 %%", f)
	}
	if f := d.Schema.Fields[1]; f.ExamplesState != Withheld || !near(f.Distinct, 1500, 0.02) || !f.HighCardinality || len(f.Examples) != 0 {
		t.Errorf("span user.id = %+v, want about 1,500 values, high cardinality, none kept", f)
	}
	if f := d.Schema.Fields[2]; f.ExamplesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED || f.Distinct != 0 {
		t.Errorf("span event field = %+v, want not counted", f)
	}
	costs, err := sqlstore.KeyCosts(ks, rows, q)
	if err != nil {
		t.Fatal(err)
	}
	if c := costs[spanKey]; !rated(&c, spanMonthly) {
		t.Errorf("span key = %+v, want 120 a minute priced %.2f", c, spanMonthly)
	}
	// 2 MB over 10 minutes: 200,000 bytes a minute, 8.64 GB a month, at 0.5.
	if c := costs[logKey]; c.LogBytes != 2_000_000 || math.Abs(c.LogBytesPerMinute-200_000) > 1e-6 || c.Monthly == nil || math.Abs(*c.Monthly-4.32) > 1e-9 {
		t.Errorf("log key = %+v, want 2,000,000 bytes at 200,000 a minute priced 4.32", c)
	}
	if c := costs[metricKey]; c.Monthly == nil || c.Series != 2000 || math.Abs(*c.Monthly-(2*3+c.DataPointsPerMinute*43200/1e6*1)) > 1e-9 {
		t.Errorf("metric key = %+v, want its 2,000 series priced by the metric prices", c)
	}
	fc := sqlstore.NewFieldCosts(ks, q)
	for i := range rows {
		if err := fc.Add(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	sc := d.Schema
	sc.Fields = []catalog.Field{route, user, exception}
	if err := fc.Apply(&sc); err != nil || !rated(sc.Cost, spanMonthly) || sc.Fields[0].Distinct != 2 || !sc.Fields[1].HighCardinality {
		t.Errorf("judged span = %+v, %+v, %v; want SchemaCost's figures", sc.Cost, sc.Fields, err)
	}
	judgedLog := catalog.Schema{ID: "l", Signal: schemaid.Log, Key: logKey}
	if err := fc.Apply(&judgedLog); err != nil || judgedLog.Cost.LogBytes != 2_000_000 || judgedLog.Cost.Monthly == nil || math.Abs(*judgedLog.Cost.Monthly-4.32) > 1e-9 {
		t.Errorf("judged log = %+v, %v; want its bytes priced 4.32", judgedLog.Cost, err)
	}
	top, err := sqlstore.Top(ks, rows, q, 10)
	if err != nil || len(top.Metrics) != 1 || top.Metrics[0].Key != metricKey || len(top.Releases) != 1 || top.Releases[0].Cost.DataPoints != 100 {
		t.Errorf("top = %+v, %+v (%v); want the metric alone, its release without the spans", top.Metrics, top.Releases, err)
	}

	q.Config.Prices = catalog.Prices{PerThousandSeriesMonth: 3, PerMillionPoints: 1}
	if err := sqlstore.SchemaCost(d, schemaStreams(ks, "s"), rows, q); err != nil || d.Schema.Cost.Monthly != nil {
		t.Errorf("span schema without a span price = %+v (%v), want no estimate", d.Schema.Cost, err)
	}
}
