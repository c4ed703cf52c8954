package inprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/testenv"
)

// TestSDKCounterCost is the cost yardstick: a Go SDK counter whose
// points carry user.id (5,000 users), region (3 values), order.id (one per
// user, not on the deny list) and enduser.role (2 values, on it). The
// catalog must say 5,000 series and user.id 5,000 values, each within 3 %,
// list region's three values with their shares, and keep no values of
// user.id or order.id (too many) nor of enduser.role (denied, however few).
func TestSDKCounterCost(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(ing.grpcAddr), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"),
			attribute.String("service.version", "1.0.0"), attribute.String("service.instance.id", "shop-1"))),
		// The SDK folds series past 2,000 into one by default.
		sdkmetric.WithCardinalityLimit(0),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	logins, err := mp.Meter("shop").Int64Counter("shop.logins")
	if err != nil {
		t.Fatal(err)
	}
	regions, roles := []string{"eu", "us", "ap"}, []string{"admin", "customer"}
	const users = 5000
	for round := 0; round < 2; round++ { // a cumulative counter repeats its series
		for u := 0; u < users; u++ {
			logins.Add(ctx, 1, metric.WithAttributes(attribute.String("user.id", fmt.Sprintf("user-%d", u)),
				attribute.String("region", regions[u%3]), attribute.String("order.id", fmt.Sprintf("order-%d", u)),
				attribute.String("enduser.role", roles[u%2])))
		}
		if err := mp.ForceFlush(ctx); err != nil {
			t.Fatal(err)
		}
	}

	client := cat.client()
	var schema *tallycatv1.Schema
	testenv.Eventually(t, 20*time.Second, "the catalog has the counter's cost", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		list, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "shop.logins"})
		if err != nil {
			return err
		}
		if len(list.Schemas) != 1 {
			return fmt.Errorf("%d schemas", len(list.Schemas))
		}
		res, err := client.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: list.Schemas[0].SchemaId})
		if err != nil {
			return err
		}
		schema = res.Schema
		if got := schema.GetCost().GetDataPoints(); got != 2*users {
			return fmt.Errorf("the last hour counts %d data points, want %d", got, 2*users)
		}
		return nil
	})
	within := func(what string, got uint64) {
		t.Helper()
		if e := math.Abs(float64(got)-users) / users; e > 0.03 {
			t.Errorf("%s = %d, %.1f %% off %d", what, got, 100*e, users)
		}
	}
	within("series_estimate", schema.Cost.SeriesEstimate)
	if schema.Cost.DataPointsPerMinute <= 0 {
		t.Errorf("data_points_per_minute = %v", schema.Cost.DataPointsPerMinute)
	}
	fields := map[string]*tallycatv1.Field{}
	for _, f := range schema.Fields {
		fields[f.Name] = f
	}
	user, region, order, role := fields["user.id"], fields["region"], fields["order.id"], fields["enduser.role"]
	if user == nil || region == nil || order == nil || role == nil {
		t.Fatalf("fields %v", schema.Fields)
	}
	within("user.id distinct_estimate", user.DistinctEstimate)
	within("order.id distinct_estimate", order.DistinctEstimate)
	if !user.HighCardinality || len(user.ExampleValues) != 0 || user.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD {
		t.Errorf("user.id: high cardinality %v, %d values kept, %v; want high, none, withheld", user.HighCardinality, len(user.ExampleValues), user.ExampleValuesState)
	}
	if !order.HighCardinality || len(order.ExampleValues) != 0 || order.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY {
		t.Errorf("order.id: high cardinality %v, %d values kept, %v; want high, none, too many", order.HighCardinality, len(order.ExampleValues), order.ExampleValuesState)
	}
	if role.DistinctEstimate != 2 || len(role.ExampleValues) != 0 || role.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD {
		t.Errorf("enduser.role is on the deny list: %d distinct, values %v, %v", role.DistinctEstimate, role.ExampleValues, role.ExampleValuesState)
	}
	var got []string
	for _, v := range region.ExampleValues {
		got = append(got, v.Value)
		if math.Abs(v.Share-1.0/3) > 0.01 {
			t.Errorf("region %s has a share of %.3f, want a third", v.Value, v.Share)
		}
	}
	slices.Sort(got)
	if region.HighCardinality || region.DistinctEstimate != 3 || fmt.Sprint(got) != "[ap eu us]" {
		t.Errorf("region: %d distinct, high %v, values %v; want exactly ap, eu, us", region.DistinctEstimate, region.HighCardinality, got)
	}
}
