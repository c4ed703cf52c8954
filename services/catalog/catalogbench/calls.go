package catalogbench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Catalog measures the calls people make on the benchmark catalog (s,
// filled by Fill): listing, searching and sorting keys, a key's schemas, a
// schema, a diff, and recording a batch of 1,000 new shapes. The store
// serves its cost figures as the catalog does by default, from snapshots
// at most a minute old (see Served).
func Catalog(b *testing.B, s catalog.Store) {
	ctx := context.Background()
	snap, ok := s.(interface{ SetCostFigureAge(time.Duration) })
	if !ok {
		b.Fatalf("%T cannot serve cost figures from a snapshot", s)
	}
	snap.SetCostFigureAge(time.Minute)
	defer snap.SetCostFigureAge(0)
	// Each call reads another key or schema, as people browsing do, so that
	// no figure comes from one row that stays in cache.
	i := 0
	pick := func() (catalog.Observation, catalog.Observation) {
		i++
		k := (i * 7919) % Keys
		return Observation(k, i%SchemasPerKey, 0, time.Now()), Observation(k, (i+1)%SchemasPerKey, 0, time.Now())
	}

	b.Run("ListSchemaKeys/first-page", func(b *testing.B) {
		Measure(b, func() error { _, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Limit: 100}); return err })
	})
	// The list as the UI asks for it since issue 23: TallyCat's own keys
	// left out (a semi-join on every stream), and the keys whose schemas
	// disagree.
	b.Run("ListSchemaKeys/first-page-without-self", func(b *testing.B) {
		Measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true, Limit: 100})
			return err
		})
	})
	b.Run("ListSchemaKeys/diverging", func(b *testing.B) {
		Measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{ExcludeSelf: true, Diverging: true, Limit: 100})
			return err
		})
	})
	b.Run("ListSchemaKeys/search", func(b *testing.B) {
		Measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: fmt.Sprintf("metric_%d", i%1000), Limit: 100})
			i++
			return err
		})
	})
	b.Run("ListSchemaKeys/by-series", func(b *testing.B) {
		Measure(b, func() error {
			_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true, Limit: 100})
			return err
		})
	})
	b.Run("ListTopSeries", func(b *testing.B) {
		Measure(b, func() error {
			_, err := s.ListTopSeries(ctx, catalog.TopFilter{Window: tallycatv1.Window_WINDOW_LAST_DAY, Limit: 10})
			return err
		})
	})
	b.Run("ListSchemas", func(b *testing.B) {
		Measure(b, func() error { some, _ := pick(); _, err := s.ListSchemas(ctx, some.Shape.Name, false); return err })
	})
	b.Run("GetSchema", func(b *testing.B) {
		Measure(b, func() error { some, _ := pick(); _, err := s.GetSchema(ctx, some.VariantID, 0); return err })
	})
	b.Run("DiffSchemas", func(b *testing.B) {
		Measure(b, func() error {
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
		Measure(b, func() error {
			round++
			batch := make([]catalog.Observation, 1000)
			for i := range batch {
				batch[i] = Observation(Keys+round*1000+i, i, i%Producers, time.Now())
			}
			_, err := s.RecordObservations(ctx, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), round), batch)
			return err
		})
	})
}

// CostReads measures the calls that read cost figures on the cost
// catalog (s, filled by Fill and AddCosts), over the last hour and day.
// The rate sort is the cost sort of the Metrics page.
func CostReads(b *testing.B, s catalog.Store) {
	ctx := context.Background()
	i := 0
	active := func() catalog.Observation {
		i++
		return Observation((i*7919)%(Keys/CostEvery)*CostEvery, i%SchemasPerKey, 0, time.Now())
	}
	hour, day := tallycatv1.Window_WINDOW_LAST_HOUR, tallycatv1.Window_WINDOW_LAST_DAY
	b.Run("ListSchemaKeys/first-page", func(b *testing.B) {
		Measure(b, func() error { _, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Limit: 100}); return err })
	})
	for _, w := range []struct {
		name   string
		window tallycatv1.Window
	}{{"hour", hour}, {"day", day}} {
		b.Run("ListSchemaKeys/by-series/"+w.name, func(b *testing.B) {
			Measure(b, func() error {
				_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true, Window: w.window, Limit: 100})
				return err
			})
		})
		b.Run("ListSchemaKeys/by-rate/"+w.name, func(b *testing.B) {
			Measure(b, func() error {
				_, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE, Descending: true, Window: w.window, Limit: 100})
				return err
			})
		})
		b.Run("GetSchema/"+w.name, func(b *testing.B) {
			Measure(b, func() error { _, err := s.GetSchema(ctx, active().VariantID, w.window); return err })
		})
		b.Run("ListTopSeries/"+w.name, func(b *testing.B) {
			Measure(b, func() error {
				_, err := s.ListTopSeries(ctx, catalog.TopFilter{Window: w.window, Limit: 10})
				return err
			})
		})
	}
	b.Run("GetSeriesHistory", func(b *testing.B) {
		Measure(b, func() error { _, err := s.GetSeriesHistory(ctx, active().Shape.Name); return err })
	})
}

// Cost measures the calls that read cost figures on the cost catalog
// (CostReads), and recording a batch of 1,000 observations with figures.
func Cost(b *testing.B, s catalog.Store) {
	ctx := context.Background()
	CostReads(b, s)
	round := 0
	b.Run("RecordObservations/1000-with-figures", func(b *testing.B) {
		Measure(b, func() error {
			round++
			batch := make([]catalog.Observation, 1000)
			for j := range batch {
				n := round*1000 + j
				batch[j] = CostObservation(n/SchemasPerKey%(Keys/CostEvery)*CostEvery, n%SchemasPerKey, time.Now())
			}
			_, err := s.RecordObservations(ctx, fmt.Sprintf("cost-%d-%d", time.Now().UnixNano(), round), batch)
			return err
		})
	})
}

// Served measures the cost reads on a store that serves the figures
// across every active stream from snapshots at most a minute old, as the
// catalog does by default (sqlstore.SetCostFigureAge). "working-out"
// reports what a read that finds no snapshot waits for: working out each
// window's, once, before the reads are measured.
func Served(b *testing.B, s catalog.Store) {
	snap, ok := s.(interface{ SetCostFigureAge(time.Duration) })
	if !ok {
		b.Fatalf("%T cannot serve cost figures from a snapshot", s)
	}
	snap.SetCostFigureAge(time.Minute)
	defer snap.SetCostFigureAge(0)
	ctx := context.Background()
	var (
		once       sync.Once
		hour, day  time.Duration
		workingErr error
	)
	b.Run("working-out", func(b *testing.B) {
		once.Do(func() {
			for _, w := range []struct {
				window tallycatv1.Window
				took   *time.Duration
			}{{tallycatv1.Window_WINDOW_LAST_HOUR, &hour}, {tallycatv1.Window_WINDOW_LAST_DAY, &day}} {
				start := time.Now()
				if _, workingErr = s.ListTopSeries(ctx, catalog.TopFilter{Window: w.window}); workingErr != nil {
					return
				}
				*w.took = time.Since(start)
			}
		})
		if workingErr != nil {
			b.Fatal(workingErr)
		}
		b.ReportMetric(float64(hour.Milliseconds()), "hour-ms")
		b.ReportMetric(float64(day.Milliseconds()), "day-ms")
	})
	CostReads(b, s)
}
