package duckdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// TestKeySummariesMatchARecount writes random batches (new and known
// schemas, producers new and known to a key, unions growing so that
// releases move and schemas become superseded, descriptions changing, times
// out of order) and after each compares every schema_keys summary, kept up
// to date incrementally by the writer, with the same summary recounted from
// the tables.
func TestKeySummariesMatchARecount(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tick := 0
	types := []tallycatv1.MetricType{tallycatv1.MetricType_METRIC_TYPE_GAUGE, tallycatv1.MetricType_METRIC_TYPE_SUM}
	for batch := 0; batch < 40; batch++ {
		var obs []catalog.Observation
		for i := 0; i < 1+r.IntN(20); i++ {
			tick++
			// Times go back and forth, but no two are equal: ties would make
			// "the latest" ambiguous in both counts.
			at := base.Add(time.Duration(r.IntN(1000))*time.Hour + time.Duration(tick)*time.Millisecond)
			sh := schemaid.Shape{Name: fmt.Sprintf("metric.%d", r.IntN(5)), Type: types[r.IntN(2)], Unit: []string{"s", "ms"}[r.IntN(2)]}
			if r.IntN(2) == 0 {
				sh.Attributes = []schemaid.Attribute{{Key: "k", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}}
			}
			sh.Normalize()
			obs = append(obs, catalog.Observation{
				Shape: sh, Description: fmt.Sprintf("description %d", r.IntN(3)),
				Producer:  catalog.ProducerIdentity{ServiceName: fmt.Sprintf("svc-%d", r.IntN(6))},
				ScopeName: "scope", DataPoints: 1, FirstObserved: at, LastObserved: at.Add(time.Duration(r.IntN(60)) * time.Second),
			})
		}
		if _, err := s.RecordObservations(ctx, "", obs); err != nil {
			t.Fatal(err)
		}
		kept := summaries(t, s, `SELECT schema_key, metric_type, unit, metric_types, units, schema_count, superseded_count, producer_count,
			first_seen, last_seen, description FROM schema_keys`)
		recounted := summaries(t, s, `SELECT s.schema_key, arg_max(metric_type, last_seen), arg_max(unit, last_seen),
			list_sort(list(DISTINCT metric_type)), list_sort(list(DISTINCT unit)),
			count(*) FILTER (WHERE current_streams > 0), count(*) FILTER (WHERE current_streams = 0),
			(SELECT count(DISTINCT producer_id) FROM schema_producers sp WHERE sp.schema_key = s.schema_key),
			min(first_seen), max(last_seen), arg_max(description, description_at)
			FROM schemas s GROUP BY s.schema_key`)
		if kept != recounted {
			t.Fatalf("after batch %d the kept summaries\n%s\ndiffer from a recount\n%s", batch, kept, recounted)
		}
	}
}

// summaries renders the rows of a summary query, ordered by key.
func summaries(t *testing.T, s *Store, query string) string {
	t.Helper()
	var b strings.Builder
	rows, err := s.db.Query(`SELECT t::VARCHAR FROM (` + query + `) AS t(k, mt, u, mts, us, sc, ss, pc, f, l, d) ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
