package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
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

// TestCollectorConfigDropsUnusedOverRPC: with drop_unused, the processors
// also drop the metric no rule reads and delete, from the metric a rule
// reads, the attribute its query does not use (never the one it groups
// by), and the response says what that saves under the price model;
// before any consumer is synced the catalog refuses, since everything
// would look unused.
func TestCollectorConfigDropsUnusedOverRPC(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{MaxValues: 100, HighCardinality: 1000,
		Prices: catalog.Prices{PerThousandSeriesMonth: 3, PerMillionPoints: 0.5}})
	findings := &conformance.Findings{Store: store, Judge: conformance.Judge{}}
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Findings: findings}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	consumerClient := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL)
	now := time.Now()
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{costly("app.logins", now, 0, 2000), costly("app.debug", now, 0, 500)}}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.conformance.GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{DropUnused: true}); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("drop_unused before any consumer was synced: %v, want failed precondition", err)
	}
	plain, err := c.conformance.GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{})
	if err != nil || plain.Savings != nil || strings.Contains(string(plain.Config), "app.") {
		t.Fatalf("without drop_unused: savings %v, %v, config:\n%s", plain.GetSavings(), err, plain.GetConfig())
	}

	const expr = `sum by (region) (rate(app_logins_milliseconds_count[5m])) > 100`
	if _, err := consumerClient.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:rules", Consumers: []*tallycatv1.Consumer{{
		Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES,
		Source: "rules/app.yml", Uid: "app/LoginsSurge", Title: "LoginsSurge", Folder: "app",
		Queries: []*tallycatv1.ConsumerQuery{{Panel: "LoginsSurge", RefId: "A", Raw: expr, Expr: expr}},
	}}}); err != nil {
		t.Fatal(err)
	}
	res, err := c.conformance.GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{DropUnused: true})
	if err != nil {
		t.Fatal(err)
	}
	config := string(res.Config)
	for _, want := range []string{
		`- metric.name == "app.debug" # no dashboard or rule reads it`,
		"- metric.name == \"app.logins\"\n        statements:\n          - delete_key(datapoint.attributes, \"user.id\") # no dashboard or rule reading this metric uses it\n",
	} {
		if !strings.Contains(config, want) {
			t.Errorf("no %q in:\n%s", want, config)
		}
	}
	if strings.Contains(config, `"region"`) || strings.Contains(config, `metric.name == "app.logins" #`) {
		t.Errorf("the config drops what the rule reads:\n%s", config)
	}
	s := res.Savings
	if s == nil || s.MetricsDropped != 1 || s.AttributesDeleted != 1 {
		t.Fatalf("savings %v, want 1 metric and 1 attribute", s)
	}
	// app.debug alone has 500 series; folding user.id out of app.logins
	// saves most of its 2,000 more.
	if s.SeriesSaved <= 500 || s.SeriesSaved > 2500 || s.DataPointsPerMonthSaved <= 0 ||
		s.EstimatedMonthlySaving == nil || *s.EstimatedMonthlySaving <= 0 {
		t.Errorf("savings %v: want more than app.debug's 500 series, its data points, and a monthly figure", s)
	}
}
