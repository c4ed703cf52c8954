package catalog_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
)

// The cost rules (docs/COST.md) without a database: how a batch's figures fold
// into bucket rows. How rows become figures is sqlstore's, and tested there.

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

func TestMergeCostRows(t *testing.T) {
	vc := func(v string, n uint64) catalog.ValueCount { return catalog.ValueCount{Value: v, DataPoints: n} }
	a := catalog.CostRow{Distinct: distinct("r", 0, 2), State: Kept, Values: []catalog.ValueCount{vc("eu", 3), vc("us", 1)}}
	b := catalog.CostRow{Distinct: distinct("r", 1, 3), State: Kept, Values: []catalog.ValueCount{vc("us", 1), vc("ap", 2)}}
	m, err := catalog.MergeCostRows([]catalog.CostRow{a, b}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != Kept || m.Distinct.Estimate() != 3 || !slices.Equal(m.Values, []catalog.ValueCount{vc("eu", 3), vc("ap", 2), vc("us", 2)}) {
		t.Errorf("merged = %v %d %v, want kept, 3 distinct, eu 3, ap 2, us 2", m.State, m.Distinct.Estimate(), m.Values)
	}
	if m, _ := catalog.MergeCostRows([]catalog.CostRow{a, b}, 2); m.State != TooMany || len(m.Values) != 0 {
		t.Errorf("three values past a cap of two = %v %v, want too many with none", m.State, m.Values)
	}
	w := catalog.CostRow{State: Withheld}
	if m, _ := catalog.MergeCostRows([]catalog.CostRow{a, w, b}, 3); m.State != Withheld || len(m.Values) != 0 {
		t.Errorf("a withheld part = %v %v, want withheld with no values", m.State, m.Values)
	}
}

// costObs is ob with figures: series among the hashes of users, and a
// region field with its values.
func costObs(at time.Time, users cardinality.Distinct, regions map[string]uint64, state tallycatv1.ExampleValuesState) catalog.Observation {
	o := ob("1.0.0", "pod-1", 0, method)
	o.FirstObserved, o.LastObserved = at, at
	o.Series = users
	f := catalog.FieldFigures{Source: DataPoint, Key: "region", Type: String, State: state}
	for r, n := range regions {
		f.Distinct.Add(cardinality.HashString(String, r))
		f.Values = append(f.Values, catalog.ValueCount{Value: r, DataPoints: n})
	}
	o.Fields = []catalog.FieldFigures{f,
		{Source: Resource, Key: "host.name", Type: String, Distinct: distinct("host", 0, 1), State: Withheld}}
	return o
}

func TestPlanCostsFoldsReplicasIntoABucket(t *testing.T) {
	at := t0.Add(3 * time.Minute)
	f := newFake()
	// Two replicas report the same bucket in two batches; the first holds
	// two observations of the stream (two instances).
	one, two := costObs(at, distinct("u", 0, 3000), map[string]uint64{"eu": 5}, Kept), costObs(at, distinct("u", 1000, 4000), map[string]uint64{"us": 5}, Kept)
	two.Producer.ServiceInstanceID = "pod-2"
	three := costObs(at.Add(time.Minute), distinct("u", 3000, 5000), map[string]uint64{"eu": 10, "ap": 10}, Kept)
	plans := planAll(t, f, []catalog.Observation{one, two}, []catalog.Observation{three})
	if n := len(plans[0].Costs); n != 3 || !plans[0].Costs[0].New {
		t.Fatalf("first batch: %d cost rows (%+v), want new rows for the series, region and host.name", n, plans[0].Costs)
	}
	rows := plans[1].Costs
	if len(rows) != 3 || rows[0].New {
		t.Fatalf("second batch: %+v, want the same three rows, merged", rows)
	}
	series, region, host := rows[0], rows[1], rows[2]
	if !series.Field.IsSeries() || !near(series.Distinct.Estimate(), 5000, 0.02) || series.DataPoints != 30 || !series.Bucket.Equal(t0) {
		t.Errorf("series = %d distinct, %d points at %v; want about 5,000, 30, at the bucket of %v", series.Distinct.Estimate(), series.DataPoints, series.Bucket, t0)
	}
	if region.State != Kept || region.Distinct.Estimate() != 3 || len(region.Values) != 3 || region.Values[0] != (catalog.ValueCount{Value: "eu", DataPoints: 15}) {
		t.Errorf("region = %v %v, want kept: eu 15, ap 10, us 5", region.State, region.Values)
	}
	if host.State != NotDataPoint || len(host.Values) != 0 {
		t.Errorf("host.name = %v %v, want counted, not listed", host.State, host.Values)
	}
}

// TestPlanCostsKeepsWhenDataWasSeen: a bucket's rows keep when their data
// points were first and last seen over every report merged into them, from
// before the bucket began when a report spans its edge (its points are all
// in the row), so that a rate runs over the time they came in.
func TestPlanCostsKeepsWhenDataWasSeen(t *testing.T) {
	f := newFake()
	edge := costObs(t0, distinct("u", 0, 10), map[string]uint64{"eu": 5}, Kept)
	edge.FirstObserved, edge.LastObserved = t0.Add(-2*time.Minute), t0.Add(3*time.Minute)
	later := costObs(t0, distinct("u", 10, 20), map[string]uint64{"eu": 5}, Kept)
	later.FirstObserved, later.LastObserved = t0.Add(4*time.Minute), t0.Add(6*time.Minute)
	plans := planAll(t, f, []catalog.Observation{edge}, []catalog.Observation{later})
	for i, want := range [][2]time.Time{{t0.Add(-2 * time.Minute), t0.Add(3 * time.Minute)}, {t0.Add(-2 * time.Minute), t0.Add(6 * time.Minute)}} {
		for _, r := range plans[i].Costs {
			if !r.Bucket.Equal(t0) || !r.FirstSeen.Equal(want[0]) || !r.LastSeen.Equal(want[1]) {
				t.Errorf("batch %d: %+v row of %v seen %v to %v, want %v to %v", i+1, r.Field, r.Bucket, r.FirstSeen, r.LastSeen, want[0], want[1])
			}
		}
	}
	// A part that does not say when it saw data says nothing of it.
	m, err := catalog.MergeCostRows([]catalog.CostRow{{}, plans[1].Costs[0].CostRow}, 0)
	if err != nil || !m.FirstSeen.Equal(t0.Add(-2*time.Minute)) || !m.LastSeen.Equal(t0.Add(6*time.Minute)) {
		t.Errorf("merged with a part without times: seen %v to %v (%v), want the other part's", m.FirstSeen, m.LastSeen, err)
	}
	// An in-process caller that does not say when it started: seen when
	// it last observed.
	unsaid := costObs(t0, distinct("u", 0, 1), nil, Kept)
	unsaid.FirstObserved = time.Time{}
	p, err := catalog.PlanBatch(context.Background(), []catalog.Observation{unsaid}, newFake(), catalog.DefaultCostConfig())
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Costs[0]; !r.FirstSeen.Equal(t0) || !r.LastSeen.Equal(t0) {
		t.Errorf("no first observed: seen %v to %v, want at %v", r.FirstSeen, r.LastSeen, t0)
	}
}

func TestPlanCostsKeepsValuesOnlyWhenKept(t *testing.T) {
	for _, state := range []tallycatv1.ExampleValuesState{Withheld, tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED, TooMany} {
		// A sender sends values with a state that says they were not kept.
		p, err := catalog.PlanBatch(context.Background(), []catalog.Observation{costObs(t0, distinct("u", 0, 3), map[string]uint64{"alice@example.com": 1}, state)},
			newFake(), catalog.DefaultCostConfig())
		if err != nil {
			t.Fatal(err)
		}
		region := p.Costs[1]
		want := state
		if state == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED {
			want = Withheld // a sender that says nothing kept nothing
		}
		if region.State != want || len(region.Values) != 0 || region.Distinct.Estimate() != 1 {
			t.Errorf("sent %v: stored %v with values %v, want %v with none, one distinct", state, region.State, region.Values, want)
		}
	}
}

func TestPlanCostsRefusesBadFigures(t *testing.T) {
	long := costObs(t0, distinct("u", 0, 3), map[string]uint64{strings.Repeat("x", 257): 1}, Kept)
	scope := costObs(t0, distinct("u", 0, 3), nil, Kept)
	scope.Fields[0].Source = tallycatv1.FieldSource_FIELD_SOURCE_SCOPE
	for name, o := range map[string]catalog.Observation{"a value of 257 bytes": long, "a scope field": scope} {
		_, err := catalog.PlanBatch(context.Background(), []catalog.Observation{ob("1.0.0", "pod-1", 0), o}, newFake(), catalog.DefaultCostConfig())
		if catalog.ErrorCode(err) != catalog.EINVALID || !strings.Contains(err.Error(), "observations[1]") || !strings.Contains(err.Error(), `"region"`) {
			t.Errorf("%s: %v, want invalid naming observations[1] and region", name, err)
		}
	}
}

// TestPriceModel: a month at 5,000 series and 100 points a minute, at 2 a
// thousand series and 0.5 a million points, is 10 + 2.16.
func TestPriceModel(t *testing.T) {
	c := catalog.Cost{Series: 5000, DataPointsPerMinute: 100}
	if m := (catalog.Prices{}).Monthly(c); m != nil {
		t.Errorf("no price model gives %v, want none", *m)
	}
	m := catalog.Prices{PerThousandSeriesMonth: 2, PerMillionPoints: 0.5}.Monthly(c)
	if m == nil || math.Abs(*m-12.16) > 1e-9 {
		t.Errorf("monthly = %v, want 12.16", m)
	}
}
