package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/testenv"
)

// TestFindingsOverRPC: a duration in ms and a custom metric are judged
// against the built-in semantic conventions, over Connect and gRPC; the
// filters select, the summary counts and covers, a bad filter is refused.
func TestFindingsOverRPC(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := start(t, opts...)
			ctx := context.Background()
			duration := obs("http.server.request.duration", "checkout", key("http.request.method", String), key("http.response.status_code", Int))
			custom := obs("shop.cart.items", "checkout", key("shop.cart.id", String))
			custom.MetricType = tallycatv1.MetricType_METRIC_TYPE_GAUGE
			if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{
				BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{duration, custom},
			}); err != nil {
				t.Fatal(err)
			}
			all, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]*tallycatv1.Finding{}
			for _, f := range all.Findings {
				ids[f.FindingId+" "+f.SchemaKey+" "+f.Attribute] = f
			}
			unit := ids["unit_mismatch http.server.request.duration "]
			if unit == nil || unit.Expected != "s" || unit.Actual != "ms" || unit.Level != tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION ||
				len(unit.Producers) != 1 || unit.Producers[0].ServiceName != "checkout" {
				t.Errorf("unit_mismatch = %v", unit)
			}
			for _, want := range []string{"missing_metric shop.cart.items ", "missing_attribute shop.cart.items shop.cart.id", "required_attribute_not_present http.server.request.duration url.scheme"} {
				if ids[want] == nil {
					t.Errorf("no %q among %d findings", want, len(all.Findings))
				}
			}
			if all.Findings[0].Level != tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION {
				t.Errorf("the most severe are not first: %v", all.Findings[0])
			}

			only, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: "shop.cart.items", MinLevel: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range only.Findings {
				got = append(got, f.FindingId)
			}
			slices.Sort(got)
			if len(got) != 2 || got[0] != "missing_attribute" || got[1] != "missing_metric" || only.TotalSize != 2 {
				t.Errorf("shop.cart.items violations = %v", got)
			}

			sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Metrics.Total != 2 || sum.Metrics.Defined != 1 || sum.Attributes.Total != 3 || sum.Attributes.Defined != 2 ||
				sum.Total.Violations == 0 || len(sum.ByService) != 1 || sum.ByService[0].Name != "checkout" || len(sum.Registries) != 1 {
				t.Errorf("summary = %v", sum)
			}

			_, err = c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaId: "not-an-id"})
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("a malformed schema id: %v, want invalid_argument", err)
			}
			_, err = c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaId: "0123456789abcdef0123456789abcdef"})
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Errorf("an unknown schema id: %v, want not_found", err)
			}
		})
	}
}

// TestNewSchemasAreJudgedSoon: once the catalog was judged, a new metric
// shows in the summary within seconds, not at the next interval.
func TestNewSchemasAreJudgedSoon(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	if sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{}); err != nil || sum.Metrics.Total != 0 {
		t.Fatalf("empty catalog: %v, %v", sum, err)
	}
	custom := obs("shop.cart.items", "checkout")
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{custom}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the new metric is judged", func() error {
		sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
		if err != nil {
			return err
		}
		if sum.Metrics.Total != 1 || sum.Total.Violations == 0 {
			return fmt.Errorf("summary %v", sum)
		}
		return nil
	})
	// A second metric is judged alone; the first keeps its findings.
	duration := obs("http.server.request.duration", "checkout", key("http.request.method", String))
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{duration}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the second metric is judged beside the first", func() error {
		sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
		if err != nil {
			return err
		}
		if sum.Metrics.Total != 2 || sum.Metrics.Defined != 1 {
			return fmt.Errorf("summary %v", sum)
		}
		return nil
	})
	res, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{FindingIds: []string{"missing_metric", "unit_mismatch"}})
	if err != nil || res.TotalSize != 2 {
		t.Errorf("after two judgings of one metric each: %v, %v; want shop.cart.items' missing_metric and the duration's unit_mismatch", res, err)
	}
}
