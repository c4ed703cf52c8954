// Package catalogbench is the catalog's benchmark workload, the same on
// every store: a catalog of 100,000 schemas under 10,000 keys from 2,000
// producers, as a large fleet would fill it, optionally with cost figures
// from 10,000 active streams, and the calls people make on it. A store's
// benchmarks build the catalog their own way (a file, a template
// database), then call Catalog, Cost or JudgeAll, so that `make bench`
// compares the engines on one workload.
package catalogbench

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// The benchmark catalog's size.
const (
	Keys          = 10_000
	SchemasPerKey = 10
	Producers     = 2_000
	// CostEvery: one key in CostEvery has cost figures in the cost
	// catalog (10,000 streams: every schema of every tenth key).
	CostEvery = 10
)

var types = []tallycatv1.ValueType{tallycatv1.ValueType_VALUE_TYPE_STRING, tallycatv1.ValueType_VALUE_TYPE_INT,
	tallycatv1.ValueType_VALUE_TYPE_BOOL, tallycatv1.ValueType_VALUE_TYPE_DOUBLE}

// Observation is schema v of key k (v's bits choose attribute types) as
// producer p sends it.
func Observation(k, v, p int, at time.Time) catalog.Observation {
	sh := schemaid.Shape{Name: fmt.Sprintf("svc%d.component.metric_%d", k%97, k), Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM,
		Unit: "s", Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE}
	for a := 0; a < 3; a++ {
		sh.Attributes = append(sh.Attributes, schemaid.Attribute{Key: fmt.Sprintf("attr.%d", a), Type: types[(v>>(2*a))&3]})
	}
	sh.Normalize()
	res := make([]schemaid.Attribute, 5)
	for i := range res {
		res[i] = schemaid.Attribute{Key: fmt.Sprintf("host.attr.%d", i), Type: tallycatv1.ValueType_VALUE_TYPE_STRING}
	}
	// Each variant comes from a release of its own, so that each is a
	// schema of its own: a release's variants would pool into one.
	o := catalog.Observation{
		Shape: sh, Description: "A benchmark histogram.",
		Producer:  catalog.ProducerIdentity{ServiceName: fmt.Sprintf("service-%d", p%200), ServiceVersion: fmt.Sprintf("1.%d.0", v), ServiceInstanceID: fmt.Sprintf("i-%d", p)},
		ScopeName: "bench", ScopeVersion: "1.0.0",
		ResourceAttributes: res, DataPoints: 10, FirstObserved: at, LastObserved: at,
	}
	o.Normalize()
	return o
}

// CostObservation is Observation with the figures of one report: 20
// series and 5 kept values of each of its three attributes.
func CostObservation(k, v int, at time.Time) catalog.Observation {
	o := Observation(k, v, k%Producers, at)
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	for i := range 20 {
		o.Series.Add(cardinality.HashString(str, fmt.Sprint(k, "/", v, "/", i)))
	}
	o.DataPoints = 40
	for _, a := range o.Shape.Attributes {
		f := catalog.FieldFigures{Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, Key: a.Key, Type: a.Type,
			State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT}
		for i := range 5 {
			f.Distinct.Add(cardinality.HashString(str, fmt.Sprint(a.Key, i)))
			f.Values = append(f.Values, catalog.ValueCount{Value: fmt.Sprint("value-", i), DataPoints: 8})
		}
		o.Fields = append(o.Fields, f)
	}
	return o
}

// Fill records the benchmark catalog into an empty store, seen an hour
// ago, in batches of 5,000.
func Fill(b *testing.B, s catalog.Store) {
	b.Helper()
	at := time.Now().Add(-time.Hour)
	var batch []catalog.Observation
	n := 0
	for k := 0; k < Keys; k++ {
		for v := 0; v < SchemasPerKey; v++ {
			batch = append(batch, Observation(k, v, n%Producers, at))
			n++
			if len(batch) == 5000 {
				record(b, s, batch)
				batch = batch[:0]
			}
		}
	}
	record(b, s, batch)
}

// AddCosts records into a filled store the cost catalog's figures: a day
// of reports from the 10,000 active streams, dated from now (kept, they
// would age out of the windows measured). Each stream reports in each of
// the last hour's six buckets, and in three buckets of each of the 23
// hours before: 750,000 reports, about 3 million cost rows. A stream
// reporting in every bucket of the day would hold twice the rows of the
// day before its last hour; the build would take twice as long, and a
// folded hour is one row a stream and field either way (see
// sqlstore.FoldCosts).
func AddCosts(b *testing.B, s catalog.Store) {
	b.Helper()
	now := time.Now()
	var ats []time.Time
	for bucket := 23*6 + 5; bucket >= 6; bucket-- {
		if bucket%2 == 0 {
			ats = append(ats, now.Add(-time.Duration(bucket)*cardinality.BucketWidth))
		}
	}
	for bucket := 5; bucket >= 0; bucket-- {
		ats = append(ats, now.Add(-time.Duration(bucket)*cardinality.BucketWidth))
	}
	var batch []catalog.Observation
	for _, at := range ats {
		for k := 0; k < Keys; k += CostEvery {
			for v := 0; v < SchemasPerKey; v++ {
				batch = append(batch, CostObservation(k, v, at))
				if len(batch) == 1000 {
					record(b, s, batch)
					batch = batch[:0]
				}
			}
		}
	}
	record(b, s, batch)
}

func record(b *testing.B, s catalog.Store, batch []catalog.Observation) {
	b.Helper()
	if len(batch) == 0 {
		return
	}
	if _, err := s.RecordObservations(context.Background(), "", batch); err != nil {
		b.Fatal(err)
	}
}

// Measure runs fn b.N times and reports its median and 99th percentile.
func Measure(b *testing.B, fn func() error) {
	b.Helper()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
}

// CPUTime is the CPU time the process has used, user and system.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// JudgeAll measures a full judging of s against the built-in semantic
// conventions (one Findings.Refresh, as the catalog makes at start and
// every interval), with this process's CPU time per judging reported as
// cpuMetric: on a shared machine, steadier than the wall clock.
func JudgeAll(b *testing.B, s catalog.Store, cpuMetric string) {
	b.Helper()
	reg, err := semconv.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	x := &conformance.Findings{Store: s, Judge: conformance.Judge{Registry: reg}}
	cpu := CPUTime()
	Measure(b, func() error { return x.Refresh(context.Background()) })
	b.ReportMetric((CPUTime()-cpu).Seconds()/float64(b.N), cpuMetric)
	sum := x.Summary()
	b.ReportMetric(float64(sum.Metrics.Total), "keys")
	b.ReportMetric(float64(sum.Total.Violations+sum.Total.Improvements+sum.Total.Information), "findings")
}
