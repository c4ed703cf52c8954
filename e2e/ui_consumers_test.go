package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// The dashboard the UI test syncs, as `tallycat consumers sync` would send
// it: one panel reads the request durations the test's services send,
// grouped by one of their attributes, and one reads a metric nothing
// sends, a broken query. The browser script looks for these names.
const (
	checkoutDashboard = "Checkout HTTP"
	latencyPanel      = "Latency by method"
	queuePanel        = "Queue depth"
)

// syncCheckoutDashboard sends checkoutDashboard to the catalog through the
// generated ConsumerService client; with token set (single sign-on), as
// a CI step presenting it would.
func syncCheckoutDashboard(t *testing.T, s *stack, token string) {
	t.Helper()
	ctx, call := connect.NewClientContext(context.Background())
	if token != "" {
		call.RequestHeader().Set("Authorization", "Bearer "+token)
	}
	dashboard := &tallycatv1.Consumer{
		Kind:   tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD,
		Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD,
		Source: "grafana/dashboards/checkout-http.json",
		Uid:    "checkout-http",
		Title:  checkoutDashboard,
		Folder: "Shop",
		Queries: []*tallycatv1.ConsumerQuery{
			{Panel: latencyPanel, RefId: "A", Path: "panels[0].targets[0].expr", Datasource: "prometheus",
				Raw:  "histogram_quantile(0.99, sum by (le, http_request_method) (rate(http_server_request_duration_seconds_bucket[$__rate_interval])))",
				Expr: "histogram_quantile(0.99, sum by (le, http_request_method) (rate(http_server_request_duration_seconds_bucket[1m])))"},
			{Panel: queuePanel, RefId: "A", Path: "panels[1].targets[0].expr", Datasource: "prometheus",
				Raw: "max(shop_queue_depth)", Expr: "max(shop_queue_depth)"},
		},
	}
	res, err := tallycatv1connect.NewConsumerServiceClient(http.DefaultClient, s.catalogURL).
		SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:grafana", Consumers: []*tallycatv1.Consumer{dashboard}})
	if err != nil {
		t.Fatalf("syncing %s: %v", checkoutDashboard, err)
	}
	if res.Added != 1 || res.Unparsed != 0 {
		t.Fatalf("syncing %s: %v, want it added with every query parsed", checkoutDashboard, res)
	}
}

// dashboardJudged checks that the catalog lists checkoutDashboard with one
// broken query (the queue's) and names its latency panel among the
// readers of the request durations: what the browser script then reads.
func dashboardJudged(s *stack) func() error {
	return func() error {
		ctx := context.Background()
		client := tallycatv1connect.NewConsumerServiceClient(http.DefaultClient, s.catalogURL)
		list, err := client.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{Query: checkoutDashboard})
		if err != nil {
			return err
		}
		if len(list.Consumers) != 1 || list.Consumers[0].Broken != 1 {
			return fmt.Errorf("listed as %v, want %s with one broken query", list.Consumers, checkoutDashboard)
		}
		usage, err := client.GetUsage(ctx, &tallycatv1.GetUsageRequest{SchemaKey: "http.server.request.duration"})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(usage.Readers, func(r *tallycatv1.ConsumerReader) bool {
			return r.Panel == latencyPanel && r.GetConsumer().GetTitle() == checkoutDashboard
		}) {
			return fmt.Errorf("readers of the request durations: %v", usage.Readers)
		}
		return nil
	}
}
