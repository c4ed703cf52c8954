package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// The catalog's benchmarks on PostgreSQL, the same catalogs and calls as
// the DuckDB store's (services/catalog/duckdb/bench_test.go,
// cost_bench_test.go and judging_bench_test.go), so that the two engines'
// figures compare. The workload is copied from there, since test files
// cannot be shared between packages; keep them alike.
//
// The benchmark catalog, 100,000 schemas under 10,000 keys from 2,000
// producers, is built once per run into a database of pgtest's throwaway
// cluster, and each benchmark reads a copy of it (CREATE DATABASE ...
// TEMPLATE), so that the writes one measures do not grow what the next
// starts from. The cluster runs with fsync off: commit latencies are
// those of a server with a fast disk cache, not of a durable one.
const (
	benchKeys          = 10_000
	benchSchemasPerKey = 10
	benchProducers     = 2_000
	benchCostEvery     = 10
)

var benchTypes = []tallycatv1.ValueType{tallycatv1.ValueType_VALUE_TYPE_STRING, tallycatv1.ValueType_VALUE_TYPE_INT,
	tallycatv1.ValueType_VALUE_TYPE_BOOL, tallycatv1.ValueType_VALUE_TYPE_DOUBLE}

// benchObservation is schema v of key k (v's bits choose attribute types) as
// producer p sends it.
func benchObservation(k, v, p int, at time.Time) catalog.Observation {
	sh := schemaid.Shape{Name: fmt.Sprintf("svc%d.component.metric_%d", k%97, k), Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM,
		Unit: "s", Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE}
	for a := 0; a < 3; a++ {
		sh.Attributes = append(sh.Attributes, schemaid.Attribute{Key: fmt.Sprintf("attr.%d", a), Type: benchTypes[(v>>(2*a))&3]})
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

// costObservation is benchObservation with the figures of one report: 20
// series and 5 values of each of its three attributes.
func costObservation(k, v int, at time.Time) catalog.Observation {
	o := benchObservation(k, v, k%benchProducers, at)
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

// benchTemplate says whether this run has built the benchmark catalog,
// into the database benchTemplateName.
var benchTemplate struct {
	sync.Mutex
	built bool
}

const benchTemplateName = "bench_100k"

// benchDB returns the DSN of a fresh copy of the benchmark catalog,
// building the catalog first if this run has not.
func benchDB(b *testing.B) string {
	b.Helper()
	cluster := pgtest.Start(b)
	benchTemplate.Lock()
	defer benchTemplate.Unlock()
	if !benchTemplate.built {
		admin(b, cluster, `CREATE DATABASE `+benchTemplateName)
		s := openBench(b, cluster.DSN(benchTemplateName))
		at := time.Now().Add(-time.Hour)
		var batch []catalog.Observation
		n := 0
		for k := 0; k < benchKeys; k++ {
			for v := 0; v < benchSchemasPerKey; v++ {
				batch = append(batch, benchObservation(k, v, n%benchProducers, at))
				n++
				if len(batch) == 5000 {
					record(b, s, batch)
					batch = batch[:0]
				}
			}
		}
		s.Close()
		// Statistics live in the database's own catalog, so copies made
		// with FILE_COPY keep them: gather them once.
		analyze(b, cluster.DSN(benchTemplateName))
		benchTemplate.built = true
	}
	// A template must have no connections when it is copied: the store
	// that built it is closed.
	name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	admin(b, cluster, `CREATE DATABASE `+name+` TEMPLATE `+benchTemplateName+` STRATEGY = FILE_COPY`)
	b.Cleanup(func() { admin(b, cluster, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	dsn := cluster.DSN(name)
	return dsn
}

// costDB is the cost benchmark catalog: a copy of the benchmark catalog
// with figures from one stream in ten (10,000 of them, every schema of
// every tenth key) in each of the last hour's six buckets, 300,000 cost
// rows in all, dated from now: kept, they would age out of the windows
// measured.
func costDB(b *testing.B) string {
	b.Helper()
	dsn := benchDB(b)
	s := openBench(b, dsn)
	defer s.Close()
	now := time.Now()
	var batch []catalog.Observation
	for bucket := 5; bucket >= 0; bucket-- {
		at := now.Add(-time.Duration(bucket) * cardinality.BucketWidth)
		for k := 0; k < benchKeys; k += benchCostEvery {
			for v := 0; v < benchSchemasPerKey; v++ {
				batch = append(batch, costObservation(k, v, at))
				if len(batch) == 1000 {
					record(b, s, batch)
					batch = batch[:0]
				}
			}
		}
	}
	analyze(b, dsn)
	return dsn
}

func openBench(b *testing.B, dsn string) *postgres.Store {
	b.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func record(b *testing.B, s *postgres.Store, batch []catalog.Observation) {
	b.Helper()
	if _, err := s.RecordObservations(context.Background(), "", batch); err != nil {
		b.Fatal(err)
	}
}

// analyze gathers a database's statistics and clears away the row
// versions its build left, as autovacuum would on a catalog that has been
// running: the cost catalog's writes update every summary, schema and
// stream they touch, six times over.
func analyze(b *testing.B, dsn string) {
	b.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// admin runs one statement on the cluster's postgres database.
func admin(b *testing.B, cluster *pgtest.Cluster, sql string) {
	b.Helper()
	conn, err := pgx.Connect(context.Background(), cluster.DSN("postgres"))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// measure runs fn b.N times and reports its median and 99th percentile.
func measure(b *testing.B, fn func() error) {
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

func BenchmarkCatalog(b *testing.B) {
	s := openBench(b, benchDB(b))
	defer s.Close()
	ctx := context.Background()
	// Each call reads another key or schema, as people browsing do, so that
	// no figure comes from one row that stays in cache.
	i := 0
	pick := func() (catalog.Observation, catalog.Observation) {
		i++
		k := (i * 7919) % benchKeys
		return benchObservation(k, i%benchSchemasPerKey, 0, time.Now()), benchObservation(k, (i+1)%benchSchemasPerKey, 0, time.Now())
	}

	b.Run("ListSchemaKeys/first-page", func(b *testing.B) {
		measure(b, func() error { _, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Limit: 100}); return err })
	})
	b.Run("ListSchemaKeys/search", func(b *testing.B) {
		measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: fmt.Sprintf("metric_%d", i%1000), Limit: 100})
			i++
			return err
		})
	})
	b.Run("ListSchemaKeys/by-series", func(b *testing.B) {
		measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true, Limit: 100})
			return err
		})
	})
	b.Run("ListTopSeries", func(b *testing.B) {
		measure(b, func() error { _, err := s.ListTopSeries(ctx, tallycatv1.Window_WINDOW_LAST_DAY, 10); return err })
	})
	b.Run("ListSchemas", func(b *testing.B) {
		measure(b, func() error { some, _ := pick(); _, err := s.ListSchemas(ctx, some.Shape.Name, false); return err })
	})
	b.Run("GetSchema", func(b *testing.B) {
		measure(b, func() error { some, _ := pick(); _, err := s.GetSchema(ctx, some.VariantID, 0); return err })
	})
	b.Run("DiffSchemas", func(b *testing.B) {
		measure(b, func() error {
			some, other := pick()
			both, err := s.GetSchemas(ctx, some.VariantID, other.VariantID)
			if err != nil {
				return err
			}
			catalog.Diff(both[0], both[1])
			return nil
		})
	})
	round := 0
	b.Run("RecordObservations/1000-new", func(b *testing.B) {
		measure(b, func() error {
			round++
			batch := make([]catalog.Observation, 1000)
			for i := range batch {
				batch[i] = benchObservation(benchKeys+round*1000+i, i, i%benchProducers, time.Now())
			}
			_, err := s.RecordObservations(ctx, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), round), batch)
			return err
		})
	})
}

func BenchmarkCost(b *testing.B) {
	s := openBench(b, costDB(b))
	defer s.Close()
	ctx := context.Background()
	i := 0
	active := func() catalog.Observation {
		i++
		return benchObservation((i*7919)%(benchKeys/benchCostEvery)*benchCostEvery, i%benchSchemasPerKey, 0, time.Now())
	}
	hour, day := tallycatv1.Window_WINDOW_LAST_HOUR, tallycatv1.Window_WINDOW_LAST_DAY
	b.Run("ListSchemaKeys/first-page", func(b *testing.B) {
		measure(b, func() error { _, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Limit: 100}); return err })
	})
	for name, w := range map[string]tallycatv1.Window{"hour": hour, "day": day} {
		b.Run("ListSchemaKeys/by-series/"+name, func(b *testing.B) {
			measure(b, func() error {
				_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true, Window: w, Limit: 100})
				return err
			})
		})
		b.Run("GetSchema/"+name, func(b *testing.B) {
			measure(b, func() error { _, err := s.GetSchema(ctx, active().VariantID, w); return err })
		})
	}
	b.Run("ListTopSeries", func(b *testing.B) {
		measure(b, func() error { _, err := s.ListTopSeries(ctx, hour, 10); return err })
	})
	b.Run("GetSeriesHistory", func(b *testing.B) {
		measure(b, func() error { _, err := s.GetSeriesHistory(ctx, active().Shape.Name); return err })
	})
	round := 0
	b.Run("RecordObservations/1000-with-figures", func(b *testing.B) {
		measure(b, func() error {
			round++
			batch := make([]catalog.Observation, 1000)
			for j := range batch {
				n := round*1000 + j
				batch[j] = costObservation(n/benchSchemasPerKey%(benchKeys/benchCostEvery)*benchCostEvery, n%benchSchemasPerKey, time.Now())
			}
			_, err := s.RecordObservations(ctx, fmt.Sprintf("cost-%d-%d", time.Now().UnixNano(), round), batch)
			return err
		})
	})
}

// BenchmarkJudgeAll is a full judging of the benchmark catalog against the
// built-in semantic conventions (one Findings.Refresh), without cost rows
// and with the cost benchmark's. Its cpu-s counts this process only: the
// server's share is not in it, unlike DuckDB's, which runs in-process.
func BenchmarkJudgeAll(b *testing.B) {
	reg, err := semconv.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		db   func(*testing.B) string
	}{{"no-cost-rows", benchDB}, {"10k-active-streams", costDB}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			s := openBench(b, c.db(b))
			defer s.Close()
			x := &catalog.Findings{Store: s, Judge: catalog.Judge{Registry: reg}}
			cpu := cpuTime()
			measure(b, func() error { return x.Refresh(ctx) })
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "client-cpu-s")
			sum := x.Summary()
			b.ReportMetric(float64(sum.Metrics.Total), "keys")
			b.ReportMetric(float64(sum.Total.Violations+sum.Total.Improvements+sum.Total.Information), "findings")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
