package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// startConsumers serves a fresh catalog holding checkout's request
// duration (a histogram in ms with http.request.method and
// http.response.status_code) and returns its ConsumerService client.
func startConsumers(t *testing.T, opts ...connect.ClientOption) tallycatv1connect.ConsumerServiceClient {
	t.Helper()
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL, opts...)
	_, err := c.observation.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{obs("http.server.request.duration", "checkout", key("http.request.method", String), key("http.response.status_code", Int))}})
	if err != nil {
		t.Fatal(err)
	}
	return tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL, opts...)
}

// latencyDashboard is a dashboard of three panels: one reading what
// checkout sends, one on a route label it does not carry, and one on a
// metric nothing sends.
func latencyDashboard() *tallycatv1.Consumer {
	q := func(panel, path, expr string) *tallycatv1.ConsumerQuery {
		return &tallycatv1.ConsumerQuery{Panel: panel, RefId: "A", Path: path, Expr: expr, Raw: expr}
	}
	return &tallycatv1.Consumer{Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD,
		Source: "dashboards/latency.json", Uid: "latency", Title: "Latency", Folder: "Shop",
		Queries: []*tallycatv1.ConsumerQuery{
			q("p95 by method", "panels[0].targets[0].expr",
				`histogram_quantile(0.95, sum by (le, http_request_method) (rate(http_server_request_duration_milliseconds_bucket[5m])))`),
			q("p95 by route", "panels[1].targets[0].expr",
				`histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_milliseconds_bucket[5m])))`),
			q("queue", "panels[2].targets[0].expr", `sum(rate(queue_messages_total[5m]))`),
		},
		Skipped: map[string]int32{"loki": 1}}
}

func TestConsumerService(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := startConsumers(t, opts...)
			rules := &tallycatv1.Consumer{Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES,
				Source: "rules/shop.yml", Uid: "shop/Slow", Title: "Slow",
				Queries: []*tallycatv1.ConsumerQuery{{Panel: "Slow", Path: "groups[0].rules[0].expr", Expr: `rate(queue_seconds_count[5m]) >`}}}
			res, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: []*tallycatv1.Consumer{latencyDashboard(), rules}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Added != 2 || res.Unparsed != 1 {
				t.Errorf("sync = %v, want two added, the rule's query unparsed", res)
			}

			list, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Consumers) != 2 || list.TotalSize != 2 || list.Consumers[0].Title != "Latency" || list.Consumers[0].Violations != 2 ||
				list.Consumers[0].Broken != 2 || list.Consumers[0].QueryCount != 3 || len(list.Consumers[0].Queries) != 0 ||
				list.Consumers[1].Unparsed != 1 || list.Consumers[1].Improvements != 1 {
				t.Fatalf("consumers = %v, want Latency (two broken panels) before Slow (unparsed), without their queries", list.Consumers)
			}
			if st := list.Stats; st.Consumers != 2 || st.Queries != 4 || st.Unparsed != 1 || st.Levels["violation"] != 2 || st.Skipped["loki"] != 1 || st.Metrics != 1 {
				t.Errorf("stats = %v", st)
			}
			dash := list.Consumers[0]
			if dash.ConsumerId != catalog.ConsumerID("files:shop", "dashboards/latency.json", "latency") || dash.Origin != "files:shop" ||
				dash.Kind != tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD || dash.Format != tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD ||
				dash.SyncedAt == nil || dash.Skipped["loki"] != 1 {
				t.Errorf("dashboard = %v", dash)
			}
			rulesOnly, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{Kinds: []tallycatv1.ConsumerKind{tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE}})
			if err != nil || len(rulesOnly.Consumers) != 1 || rulesOnly.Consumers[0].Title != "Slow" {
				t.Errorf("alert rules = %v, %v", rulesOnly, err)
			}

			got, err := c.GetConsumer(ctx, &tallycatv1.GetConsumerRequest{ConsumerId: dash.ConsumerId})
			if err != nil {
				t.Fatal(err)
			}
			qs := got.Consumer.Queries
			if len(qs) != 3 || !slices.Equal(qs[0].SchemaKeys, []string{"http.server.request.duration"}) || len(qs[0].Findings) != 0 ||
				len(qs[1].Findings) != 1 || qs[1].Findings[0].FindingId != "consumer_missing_attribute" || qs[1].Findings[0].Label != "http_route" ||
				len(qs[2].Findings) != 1 || qs[2].Findings[0].FindingId != "consumer_missing_metric" || qs[2].Findings[0].Consumer.GetConsumerId() != dash.ConsumerId {
				t.Errorf("queries = %v", qs)
			}

			// Findings page like every list: a token for the next page,
			// bound to the filter.
			first, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{MinLevel: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION, PageSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			if first.TotalSize != 2 || len(first.Findings) != 1 || first.NextPageToken == "" || first.Findings[0].Level != tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION {
				t.Fatalf("first page = %v", first)
			}
			second, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{MinLevel: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION, PageSize: 1, PageToken: first.NextPageToken})
			if err != nil || len(second.Findings) != 1 || second.NextPageToken != "" || second.Findings[0].FindingId == first.Findings[0].FindingId {
				t.Errorf("second page = %v, %v", second, err)
			}
			if _, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{PageToken: first.NextPageToken}); connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("a token under another filter = %v, want invalid_argument", err)
			}

			u, err := c.GetUsage(ctx, &tallycatv1.GetUsageRequest{SchemaKey: "http.server.request.duration"})
			if err != nil {
				t.Fatal(err)
			}
			var panels []string
			for _, r := range u.Readers {
				panels = append(panels, r.Consumer.GetTitle()+" / "+r.Panel+": "+strings.Join(r.Attributes, ","))
			}
			if !u.ConsumersSynced || !slices.Contains(panels, "Latency / p95 by method: http.request.method") {
				t.Errorf("readers = %v", panels)
			}
			var method *tallycatv1.AttributeUsage
			for _, a := range u.Attributes {
				if a.Attribute == "http.request.method" {
					method = a
				}
			}
			if method == nil || method.Source != tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT || method.Readers != 1 ||
				!slices.Equal(method.Labels, []string{"http_request_method"}) {
				t.Errorf("method's usage = %v", method)
			}
			var unusedStatus bool
			for _, f := range u.Findings {
				unusedStatus = unusedStatus || f.FindingId == "unused_attribute" && f.Attribute == "http.response.status_code" && f.Cost != nil
			}
			if !unusedStatus {
				t.Errorf("findings on the key = %v, want http.response.status_code unused, with its cost", u.Findings)
			}
		})
	}
}

func TestConsumerServiceErrors(t *testing.T) {
	ctx := context.Background()
	c := startConsumers(t)
	dup := latencyDashboard()
	unspecified := latencyDashboard()
	unspecified.Kind = tallycatv1.ConsumerKind_CONSUMER_KIND_UNSPECIFIED
	tests := []struct {
		name string
		call func() error
		want connect.Code
	}{
		{"bad consumer id", func() error {
			_, err := c.GetConsumer(ctx, &tallycatv1.GetConsumerRequest{ConsumerId: "latency"})
			return err
		}, connect.CodeInvalidArgument},
		{"unknown consumer", func() error {
			_, err := c.GetConsumer(ctx, &tallycatv1.GetConsumerRequest{ConsumerId: strings.Repeat("ab", 16)})
			return err
		}, connect.CodeNotFound},
		{"missing origin", func() error {
			_, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Consumers: []*tallycatv1.Consumer{latencyDashboard()}})
			return err
		}, connect.CodeInvalidArgument},
		{"kind unspecified", func() error {
			_, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: []*tallycatv1.Consumer{unspecified}})
			return err
		}, connect.CodeInvalidArgument},
		{"one source and uid twice", func() error {
			_, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: []*tallycatv1.Consumer{latencyDashboard(), dup}})
			return err
		}, connect.CodeInvalidArgument},
		{"bad finding filter consumer", func() error {
			_, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{ConsumerId: "nope"})
			return err
		}, connect.CodeInvalidArgument},
		{"usage without a key", func() error {
			_, err := c.GetUsage(ctx, &tallycatv1.GetUsageRequest{})
			return err
		}, connect.CodeInvalidArgument},
		{"a page token not issued", func() error {
			_, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageToken: "!!"})
			return err
		}, connect.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); connect.CodeOf(err) != tt.want {
				t.Errorf("%v, want %v", err, tt.want)
			}
		})
	}
	// Nothing was stored by the refused syncs.
	if list, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{}); err != nil || list.TotalSize != 0 {
		t.Errorf("after refused syncs: %v, %v", list, err)
	}
}

// A sync changes what the catalog keeps: with tokens on it needs one, and
// the reads stay open as every read of the UI is.
func TestConsumerSyncNeedsAToken(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := startWithAuth(t, false)
			anon := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), url, opts...)
			alice := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), url, append(opts, connect.WithInterceptors(auth.BearerToken(aliceToken)))...)
			sync := &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: []*tallycatv1.Consumer{latencyDashboard()}}
			if _, err := anon.SyncConsumers(ctx, sync); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("sync without a token = %v, want unauthenticated", err)
			}
			if _, err := anon.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{}); err != nil {
				t.Errorf("ListConsumers without a token = %v, want open", err)
			}
			if res, err := alice.SyncConsumers(ctx, sync); err != nil || res.Added != 1 {
				t.Errorf("sync with a token = %v, %v", res, err)
			}
		})
	}
}

// A page token is bound to the selection its first page was cut from: a
// new reading that selects the same in the same order (here, every read
// makes one) keeps serving the next page, and a sync that changes the
// selection between pages is refused as ABORTED, so that a client going
// on would neither skip nor repeat a finding or a consumer.
func TestConsumerPagesAreBoundToTheSelection(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	uses := consumers.New(store, consumers.Options{MaxAge: time.Nanosecond})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Consumers: uses}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL)
	rule := func(name, expr string) *tallycatv1.Consumer {
		return &tallycatv1.Consumer{Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES,
			Source: "rules/shop.yml", Uid: "shop/" + name, Title: name, Queries: []*tallycatv1.ConsumerQuery{{Panel: name, Path: name, Expr: expr}}}
	}
	sync := func(origin string, cs ...*tallycatv1.Consumer) {
		t.Helper()
		if _, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: origin, Consumers: cs}); err != nil {
			t.Fatal(err)
		}
	}
	sync("files:shop", rule("a", `rate(a_total[5m])`), rule("b", `rate(b_total[5m])`), rule("c", `rate(c_total[5m])`))

	findings, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{PageSize: 1})
	if err != nil || findings.NextPageToken == "" {
		t.Fatalf("first page of findings = %v, %v", findings, err)
	}
	list, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageSize: 1})
	if err != nil || list.NextPageToken == "" {
		t.Fatalf("first page of consumers = %v, %v", list, err)
	}
	next, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{PageSize: 1, PageToken: findings.NextPageToken})
	if err != nil || len(next.Findings) != 1 || next.Findings[0].Consumer.GetTitle() == findings.Findings[0].Consumer.GetTitle() {
		t.Fatalf("second page of findings, from a new reading of the same = %v, %v", next, err)
	}

	sync("files:more", rule("0", `rate(zero_total[5m])`))
	if _, err := c.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{PageSize: 1, PageToken: next.NextPageToken}); connect.CodeOf(err) != connect.CodeAborted {
		t.Errorf("a findings page after a sync changed them = %v, want aborted", err)
	}
	if _, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageSize: 1, PageToken: list.NextPageToken}); connect.CodeOf(err) != connect.CodeAborted {
		t.Errorf("a consumers page after a sync changed them = %v, want aborted", err)
	}
	if _, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageSize: 1, PageToken: "0." + list.NextPageToken}); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("a token whose selection was changed = %v, want invalid_argument", err)
	}
}

// A sync larger than the catalog reads is refused with the size and the
// limit, and nothing of it is stored; one within the limit is read.
func TestConsumerSyncSizeIsLimited(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{ConsumerReadMaxBytes: 4 << 10}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL)
	if _, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: []*tallycatv1.Consumer{latencyDashboard()}}); err != nil {
		t.Fatalf("a sync of one dashboard: %v", err)
	}
	var many []*tallycatv1.Consumer
	for i := range 40 {
		d := latencyDashboard()
		d.Uid = fmt.Sprint("latency-", i)
		many = append(many, d)
	}
	_, err := c.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:shop", Consumers: many})
	if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("a sync of 40 dashboards over a 4 KiB limit = %v, want resource_exhausted naming the limit", err)
	}
	if list, err := c.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{}); err != nil || list.TotalSize != 1 {
		t.Errorf("after the refused sync: %v, %v; want the one dashboard", list, err)
	}
}
