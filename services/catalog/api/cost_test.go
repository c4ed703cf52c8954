package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// Cost over the wire (docs/COST.md): figures in, as an ingest sends them, and
// cost out of every read that has it.

func wire(d *cardinality.Distinct) *tallycatv1.Distinct {
	hashes, sketch, err := d.Wire()
	if err != nil {
		panic(err)
	}
	return &tallycatv1.Distinct{Hashes: hashes, Sketch: sketch}
}

// costly is an observation of name at, with the figures of one data point
// from each of users from … to-1: a series each, user.id withheld, and
// region (eu for three users in five, else us) kept.
func costly(name string, at time.Time, from, to int) *tallycatv1.Observation {
	o := obs(name, "checkout", key("user.id", String), key("region", String))
	o.FirstObserved, o.LastObserved = timestamppb.New(at), timestamppb.New(at)
	o.DataPointCount = uint64(to - from)
	var series, users, regions cardinality.Distinct
	counts := map[string]uint64{}
	for i := from; i < to; i++ {
		user, region := fmt.Sprint("user-", i), map[bool]string{true: "eu", false: "us"}[i%5 < 3]
		series.Add(cardinality.Series(1, 2, cardinality.Attribute(cardinality.HashKey("user.id"), cardinality.HashString(String, user))^
			cardinality.Attribute(cardinality.HashKey("region"), cardinality.HashString(String, region))))
		users.Add(cardinality.HashString(String, user))
		regions.Add(cardinality.HashString(String, region))
		counts[region]++
	}
	o.Series = wire(&series)
	o.Fields = []*tallycatv1.FieldFigures{
		{Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, Key: "user.id", ValueType: String, Distinct: wire(&users),
			ValuesState: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD},
		{Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, Key: "region", ValueType: String, Distinct: wire(&regions),
			ValuesState: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT, Values: []*tallycatv1.ValueCount{
				{Value: "eu", DataPoints: counts["eu"]}, {Value: "us", DataPoints: counts["us"]}}},
	}
	return o
}

func TestCostOverRPC(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			now := time.Now()
			res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
				Observations: []*tallycatv1.Observation{costly("app.logins", now.Add(-3*time.Hour), 0, 100),
					costly("app.logins", now.Add(-5*time.Minute), 100, 130), costly("app.signups", now.Add(-5*time.Minute), 0, 60)}})
			if err != nil {
				t.Fatal(err)
			}
			logins := res.SchemaIds[0]

			day, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: logins, Window: tallycatv1.Window_WINDOW_LAST_DAY})
			if err != nil {
				t.Fatal(err)
			}
			if cost := day.Schema.Cost; cost.GetWindow() != tallycatv1.Window_WINDOW_LAST_DAY || cost.GetSeriesEstimate() != 130 || cost.GetDataPoints() != 130 {
				t.Errorf("cost over the day = %v, want 130 series and points", cost)
			}
			if r := day.Releases; len(r) != 1 || r[0].Cost.GetSeriesEstimate() != 130 {
				t.Errorf("releases = %v, want checkout's 130 series", r)
			}
			for _, f := range day.Schema.Fields {
				switch f.Name {
				case "region":
					if f.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT || len(f.ExampleValues) != 2 ||
						f.ExampleValues[0].Value != "eu" || f.ExampleValues[0].Share != 0.6 || f.DistinctEstimate != 2 {
						t.Errorf("region = %v, want eu at 60 %% and us", f)
					}
				case "user.id":
					if f.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD || len(f.ExampleValues) != 0 || f.DistinctEstimate != 130 {
						t.Errorf("user.id = %v, want 130 values, withheld", f)
					}
				case "host.name":
					if f.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT {
						t.Errorf("host.name = %v, want not a data point field", f)
					}
				}
			}
			hour, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: logins})
			if err != nil || hour.Schema.Cost.GetWindow() != tallycatv1.Window_WINDOW_LAST_HOUR || hour.Schema.Cost.GetSeriesEstimate() != 30 {
				t.Errorf("cost with no window = %v, %v; want the last hour's 30 series", hour.GetSchema().GetCost(), err)
			}

			// Most series over the day first, a page at a time; over the
			// hour, signups' 60 beat logins' 30.
			var order []string
			token := ""
			for range 3 {
				page, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES,
					Descending: true, Window: tallycatv1.Window_WINDOW_LAST_DAY, PageSize: 1, PageToken: token})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range page.SchemaKeys {
					order = append(order, fmt.Sprintf("%s:%d", k.SchemaKey, k.Cost.GetSeriesEstimate()))
				}
				if token = page.NextPageToken; token == "" {
					break
				}
			}
			if strings.Join(order, " ") != "app.logins:130 app.signups:60" {
				t.Errorf("by series over the day, pages gave %v", order)
			}
			hourly, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES, Descending: true})
			if err != nil || len(hourly.SchemaKeys) != 2 || hourly.SchemaKeys[0].SchemaKey != "app.signups" {
				t.Errorf("by series over the hour = %v, %v; want app.signups first", hourly, err)
			}

			top, err := c.catalog.ListTopSeries(ctx, &tallycatv1.ListTopSeriesRequest{Window: tallycatv1.Window_WINDOW_LAST_DAY})
			if err != nil {
				t.Fatal(err)
			}
			if len(top.Metrics) != 2 || top.Metrics[0].SchemaKey != "app.logins" || top.Metrics[0].SchemaCount != 1 ||
				len(top.Releases) != 1 || top.Releases[0].MetricCount != 2 || top.Releases[0].Cost.GetSeriesEstimate() != 190 ||
				len(top.Attributes) == 0 || top.Attributes[0].Name != "user.id" || top.Attributes[0].SeriesEstimate != 130 {
				t.Errorf("top = %v", top)
			}
			history, err := c.catalog.GetSeriesHistory(ctx, &tallycatv1.GetSeriesHistoryRequest{SchemaKey: "app.logins"})
			if err != nil || len(history.Points) != 2 || history.Points[0].SeriesEstimate != 100 || history.Points[0].DataPointsPerMinute != 10 ||
				!history.Points[0].Start.AsTime().Before(history.Points[1].Start.AsTime()) {
				t.Errorf("history = %v, %v; want two buckets, oldest first: 100 series at 10 points a minute", history, err)
			}
		})
	}
}

func TestBadFiguresAreInvalid(t *testing.T) {
	ctx := context.Background()
	c := start(t)
	badSeries := costly("m", time.Now(), 0, 10)
	badSeries.Series = &tallycatv1.Distinct{Sketch: []byte("not a sketch")}
	badField := costly("m", time.Now(), 0, 10)
	badField.Fields[1].Distinct = &tallycatv1.Distinct{Sketch: []byte{1, 2, 3}}
	for name, tc := range map[string]struct {
		o        *tallycatv1.Observation
		contains []string
	}{
		"series":    {badSeries, []string{"observations[1].series", "sketch"}},
		"a field's": {badField, []string{"observations[1].fields[1]", `"region"`}},
	} {
		_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
			Observations: []*tallycatv1.Observation{costly("m", time.Now(), 0, 10), tc.o}})
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("a bad %s sketch = %v, want invalid_argument", name, err)
			continue
		}
		for _, s := range tc.contains {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("a bad %s sketch: %q does not name %s", name, err, s)
			}
		}
	}
	if _, err := c.catalog.GetSeriesHistory(ctx, &tallycatv1.GetSeriesHistoryRequest{SchemaKey: "m"}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("history of a metric never recorded = %v, want not found", err)
	}
}

// TestPriceModelOverRPC: with a price model, costs carry their monthly
// estimate; without one they carry none.
func TestPriceModelOverRPC(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{MaxValues: 100, HighCardinality: 1000,
		Prices: catalog.Prices{PerThousandSeriesMonth: 3}})
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	c.catalog = tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, srv.URL)
	c.observation = tallycatv1connect.NewObservationServiceClient(http.DefaultClient, srv.URL)
	res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{costly("app.logins", time.Now(), 0, 2000)}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: res.SchemaIds[0]})
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 series at 3 a thousand: 6 a month.
	if m := got.Schema.Cost.EstimatedMonthlyCost; m == nil || *m < 5.8 || *m > 6.2 {
		t.Errorf("monthly estimate %v, want about 6", m)
	}
	plain := start(t)
	if _, err := plain.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{costly("app.logins", time.Now(), 0, 20)}}); err != nil {
		t.Fatal(err)
	}
	if got, err := plain.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: res.SchemaIds[0]}); err != nil || got.Schema.Cost.EstimatedMonthlyCost != nil {
		t.Errorf("without a price model: %v, %v", got.GetSchema().GetCost(), err)
	}
}
