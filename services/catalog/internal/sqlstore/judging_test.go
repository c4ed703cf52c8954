package sqlstore_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// TestFieldCostsMergeAsSchemaCost holds FieldCosts, which merges each
// stream's rows as they are read, to SchemaCost, which merges them all at
// once: a day of buckets from two current streams and one that left, with
// values kept, values past the cap, a withheld bucket, a resource field, a
// field past high cardinality in the last hour, rows older than the day.
func TestFieldCostsMergeAsSchemaCost(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	ks := []sqlstore.KeyStream{
		stream("a", "s2", "1.0.0", "", now), stream("b", "s2", "2.0.0", "", now),
		stream("c", "s1", "1.0.0", "s2", now.Add(-2*time.Hour)), stream("c", "s2", "1.0.0", "", now),
		stream("d", "s1", "3.0.0", "", now), stream("e", "s0", "4.0.0", "s1", now.Add(-time.Hour)),
	}
	field := func(src tallycatv1.FieldSource, name string) catalog.CostField {
		return catalog.CostField{Source: src, Name: name, Type: String}
	}
	method, region, user, host := field(DataPoint, "method"), field(DataPoint, "region"), field(DataPoint, "user.id"), field(Resource, "host.name")
	var rows []catalog.CostRow
	for _, id := range []string{"a", "b", "c", "d"} {
		for i := 0; i < 160; i++ { // 160 buckets: the day's 144 and older ones
			at := cardinality.BucketOf(now.Add(-time.Duration(i) * cardinality.BucketWidth))
			sb := catalog.StreamBucket{StreamID: id, Bucket: at}
			rows = append(rows, catalog.CostRow{StreamBucket: sb, Distinct: distinct(id, i, i+3), DataPoints: 30})
			m := catalog.CostRow{StreamBucket: sb, Field: method, Distinct: distinct("m", i%5, i%5+2), State: Kept,
				Values: []catalog.ValueCount{{Value: fmt.Sprint("M", i%5), DataPoints: 2}, {Value: fmt.Sprint("M", i%5+1), DataPoints: 1}}}
			if id == "b" && i == 77 {
				m.State, m.Values = Withheld, nil
			}
			r := catalog.CostRow{StreamBucket: sb, Field: region, Distinct: distinct("r", i, i+2), State: Kept,
				Values: []catalog.ValueCount{{Value: fmt.Sprint("R", i), DataPoints: 4}, {Value: fmt.Sprint("R", i+1), DataPoints: 1}}}
			u := catalog.CostRow{StreamBucket: sb, Field: user, Distinct: distinct(id+"u", i*400, i*400+400), State: TooMany}
			h := catalog.CostRow{StreamBucket: sb, Field: host, Distinct: distinct("h"+id, 0, 2), State: NotDataPoint}
			rows = append(rows, m, r, u, h)
		}
	}
	for _, w := range []tallycatv1.Window{LastHour, LastDay} {
		q := sqlstore.CostQuery{Window: w, Now: now, Config: catalog.CostConfig{MaxValues: 50, HighCardinality: 1000}}
		schema := func() catalog.Schema {
			sc := catalog.Schema{ID: "s2"}
			for _, f := range []catalog.CostField{method, region, user, host, field(DataPoint, "quiet")} {
				sc.Fields = append(sc.Fields, catalog.Field{Name: f.Name, Source: f.Source, Type: f.Type})
			}
			return sc
		}
		want := &catalog.SchemaDetail{Schema: schema()}
		if err := sqlstore.SchemaCost(want, schemaStreams(ks, "s2"), rows, q); err != nil {
			t.Fatal(err)
		}
		c := sqlstore.NewFieldCosts(ks, q)
		for i := range rows {
			r := rows[i]
			if !r.Bucket.Before(q.Since()) {
				if err := c.Add(&r); err != nil {
					t.Fatal(err)
				}
			}
		}
		got := schema()
		if err := c.Apply(&got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Fields, want.Schema.Fields) {
			t.Errorf("%v: FieldCosts gave\n  %+v\nSchemaCost\n  %+v", w, got.Fields, want.Schema.Fields)
		}
		byName := map[string]catalog.Field{}
		for _, f := range got.Fields {
			byName[f.Name] = f
		}
		// What the case is there for: each merged over more than one
		// round of merges.
		if f := byName["method"]; w == LastHour && (f.ExamplesState != Kept || len(f.Examples) != 6) {
			t.Errorf("%v: method = %+v, want its six values of the hour kept", w, f)
		}
		if f := byName["method"]; w == LastDay && f.ExamplesState != Withheld {
			t.Errorf("%v: method = %+v, want withheld (one bucket of the day was)", w, f)
		}
		if f := byName["region"]; w == LastDay && (f.ExamplesState != TooMany || f.Examples == nil || len(f.Examples) != 0) {
			t.Errorf("%v: region = %+v, want too many values over the day", w, f)
		}
		if f := byName["user.id"]; !f.HighCardinality {
			t.Errorf("%v: user.id = %+v, want high cardinality", w, f)
		}
		if f := byName["quiet"]; f.Distinct != 0 || f.HighCardinality || f.ExamplesState != 0 {
			t.Errorf("%v: a field without rows = %+v, want no figures", w, f)
		}
	}
	// A superseded schema counts its streams' rows only until they left
	// it, which merged figures cannot do; a current one that a stream left
	// does not count that stream at all.
	c := sqlstore.NewFieldCosts(ks, sqlstore.CostQuery{Window: LastDay, Now: now})
	superseded := catalog.Schema{ID: "s0", Fields: []catalog.Field{{Name: "method", Source: DataPoint, Type: String}}}
	if err := c.Apply(&superseded); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Errorf("Apply on a superseded schema: %v, want EFAILEDPRECONDITION", err)
	}
	left := catalog.Schema{ID: "s1", Fields: []catalog.Field{{Name: "method", Source: DataPoint, Type: String}}}
	if err := c.Apply(&left); err != nil {
		t.Errorf("Apply on a current schema a stream left: %v", err)
	}
}

// judgingReader reads a page of keys and a set of schema rows, whatever it
// is asked.
type judgingReader struct {
	keys    []string
	schemas []row // schema rows, as SchemaSet.SchemaRead takes them
	limit   int   // the limit it was asked for
}

func (r *judgingReader) JudgingKeys(_ context.Context, _ string, limit int) ([]string, error) {
	r.limit = limit
	return r.keys, nil
}

func (r *judgingReader) CurrentSchemasOf(context.Context, []string) (*sqlstore.SchemaSet, error) {
	x := sqlstore.NewSchemaSet()
	for _, sc := range r.schemas {
		if err := x.SchemaRead().Scan(sc); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// TestListJudgingKeepsToThePage: schemas of a key the page does not hold
// (DuckDB reads the range between the page's first key and its last, which
// a key written since may fall in) are left out; a page's key without
// current schemas is listed without any; no limit is every key.
func TestListJudgingKeepsToThePage(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	schema := func(id, key string) row {
		return row{id, key, int8(1), "", int8(0), false, "", at, at, int8(0), false, "[]"}
	}
	r := &judgingReader{keys: []string{"a", "c", "d"}, schemas: []row{schema("s1", "a"), schema("s2", "b"), schema("s3", "c")}}
	page, err := sqlstore.ListJudging(context.Background(), r, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range page {
		got = append(got, k.Key)
		for _, j := range k.Schemas {
			got = append(got, j.Schema.ID)
		}
	}
	if want := []string{"a", "s1", "c", "s3", "d"}; !slices.Equal(got, want) {
		t.Errorf("page = %v, want %v", got, want)
	}
	if r.limit != math.MaxInt32 {
		t.Errorf("limit 0 read %d keys at most, want all", r.limit)
	}
	r.keys = nil
	if page, err := sqlstore.ListJudging(context.Background(), r, "d", 10); err != nil || page != nil {
		t.Errorf("past the last key: %v, %v; want nothing", page, err)
	}
}
