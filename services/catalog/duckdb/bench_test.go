package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// The benchmark catalog: 100,000 schemas under 10,000 keys from 2,000
// producers, as a large fleet would fill it. It is built once per machine
// (about a minute) and reused from the temporary folder.
const (
	benchKeys          = 10_000
	benchSchemasPerKey = 10
	benchProducers     = 2_000
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

func benchDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "tallycat-bench-100k-v4.duckdb")
	if _, err := os.Stat(path); err == nil {
		return copyDB(b, path)
	}
	tmp := path + ".building"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	s, err := duckdb.Open(context.Background(), tmp)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	var batch []catalog.Observation
	n := 0
	for k := 0; k < benchKeys; k++ {
		for v := 0; v < benchSchemasPerKey; v++ {
			batch = append(batch, benchObservation(k, v, n%benchProducers, at))
			n++
			if len(batch) == 5000 {
				if _, err := s.RecordObservations(context.Background(), "", batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return copyDB(b, path)
}

// copyDB gives a benchmark its own copy of the built catalog, so that the
// writes it measures do not grow the file every later run starts from.
func copyDB(b *testing.B, path string) string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), filepath.Base(path))
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return dst
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
	path := benchDB(b)
	ctx := context.Background()
	s, err := duckdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
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

// BenchmarkOpen is the catalog's start-up on the 100k-schema file: opening
// the database and running migrations.
func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	measure(b, func() error {
		s, err := duckdb.Open(context.Background(), path)
		if err != nil {
			return err
		}
		return s.Close()
	})
}
