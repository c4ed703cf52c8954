package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// TestCollectorConfigOverRPC: the catalog's policies come back as
// Collector processors, over Connect and gRPC, and the policy's findings
// are there beside them.
func TestCollectorConfigOverRPC(t *testing.T) {
	rules, err := conformance.ParsePolicy([]byte(`
rules:
  - name: no-personal-data
    banned_attributes: ["user.email", "*.password"]
  - name: no-debug
    banned_metrics: ["debug.*"]
  - name: user-id-cardinality
    max_distinct_values: {attribute: user.id, max: 1000}
`))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := storetest.Open(t, catalog.CostConfig{})
			findings := &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg, Policies: rules}}
			srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Findings: findings}))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c := clientsFor(srv.URL, opts...)
			if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
				Observations: []*tallycatv1.Observation{obs("shop.logins", "checkout", key("user.email", String))}}); err != nil {
				t.Fatal(err)
			}
			res, err := c.conformance.GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{IncludeCardinalityCaps: true})
			if err != nil {
				t.Fatal(err)
			}
			config := string(res.Config)
			for _, want := range []string{"processors:", "transform/tallycat:", "filter/tallycat:",
				`delete_key(datapoint.attributes, "user.email")`, `delete_matching_keys(datapoint.attributes, "^.*\\.password$")`,
				`IsMatch(metric.name, "^debug\\..*$")`} {
				if !strings.Contains(config, want) {
					t.Errorf("no %s in:\n%s", want, config)
				}
			}
			all, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{FindingIds: []string{conformance.FindingPolicyViolation}})
			if err != nil || len(all.Findings) != 1 || all.Findings[0].Attribute != "user.email" {
				t.Errorf("policy findings: %v, %v", all.GetFindings(), err)
			}
		})
	}
}
