package duckdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// The cost benchmark catalog: the benchmark catalog with figures from one
// stream in ten (10,000 of them, every schema of every tenth key) in each
// of the last hour's six buckets: 20 series and 5 values of each of three
// attributes per stream and bucket, 300,000 rows in all.
const benchCostEvery = 10

// costObservation is benchObservation with the figures of one report.
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

// costDB is the cost benchmark catalog, built afresh from a copy of the
// benchmark catalog with figures dated from now (half a minute or so):
// kept, it would age out of the windows it measures.
func costDB(b *testing.B) string {
	b.Helper()
	path := benchDB(b)
	s, err := duckdb.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	var batch []catalog.Observation
	for bucket := 5; bucket >= 0; bucket-- {
		at := now.Add(-time.Duration(bucket) * cardinality.BucketWidth)
		for k := 0; k < benchKeys; k += benchCostEvery {
			for v := 0; v < benchSchemasPerKey; v++ {
				batch = append(batch, costObservation(k, v, at))
				if len(batch) == 1000 {
					if _, err := s.RecordObservations(context.Background(), "", batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func BenchmarkCost(b *testing.B) {
	path := costDB(b)
	ctx := context.Background()
	s, err := duckdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
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
