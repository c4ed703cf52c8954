package inprocess

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// TestSDKPolicy: a policy banning user.email and capping user.id at 1,000
// distinct values gives policy_violation findings for a Go SDK producer
// sending both.
func TestSDKPolicy(t *testing.T) {
	ctx := context.Background()
	rules, err := conformance.ParsePolicy([]byte(`
rules:
  - name: no-emails
    banned_attributes: [user.email]
  - name: user-id-cardinality
    max_distinct_values: {attribute: user.id, max: 1000}
`))
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogProc{t: t, addr: testenv.FreeAddr(t), db: ":memory:", policies: rules}
	cat.start()
	t.Cleanup(cat.stop)
	ing := startIngest(t, cat.url())
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(ing.grpcAddr), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "accounts"))),
		sdkmetric.WithCardinalityLimit(0), sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	logins, _ := mp.Meter("accounts").Int64Counter("accounts.logins")
	for u := 0; u < 2000; u++ {
		logins.Add(ctx, 1, metric.WithAttributes(attribute.String("user.id", fmt.Sprintf("u%d", u)), attribute.String("user.email", fmt.Sprintf("u%d@example.com", u))))
	}
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	client := tallycatv1connect.NewConformanceServiceClient(http.DefaultClient, cat.url())
	testenv.Eventually(t, 20*time.Second, "the policy is broken twice", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		res, err := client.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: "accounts.logins", FindingIds: []string{"policy_violation"}})
		if err != nil {
			return err
		}
		var got []string
		for _, f := range res.Findings {
			if f.Level != tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION {
				return fmt.Errorf("%s at %s", f.Message, f.Level)
			}
			got = append(got, f.Attribute)
		}
		slices.Sort(got)
		if strings.Join(got, ",") != "user.email,user.id" {
			return fmt.Errorf("policy violations on %v", got)
		}
		return nil
	})
}
