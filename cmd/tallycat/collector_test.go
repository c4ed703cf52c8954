package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/semconv"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// TestCollectorConfigCommand: the command prints the catalog's processors,
// or writes them into --out and names the file; a wrong flag is trouble.
func TestCollectorConfigCommand(t *testing.T) {
	rules, err := conformance.ParsePolicy([]byte("rules:\n  - name: no-email\n    banned_attributes: [user.email]\n"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	store, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	findings := &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg, Policies: rules}}
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{Findings: findings}))
	t.Cleanup(srv.Close)

	const want = `delete_key(datapoint.attributes, "user.email")`
	code, out, errs := runCLI("collector-config", "--catalog", srv.URL, "--cardinality-caps")
	if code != exitOK || !strings.Contains(out, want) || !strings.HasPrefix(out, "# ") {
		t.Errorf("print: exit %d, %s, output:\n%s", code, errs, out)
	}
	file := filepath.Join(t.TempDir(), "tallycat-processors.yaml")
	code, out, errs = runCLI("collector-config", "--catalog", srv.URL, "--out", file)
	written, _ := os.ReadFile(file)
	if code != exitOK || strings.TrimSpace(out) != file || !strings.Contains(string(written), want) {
		t.Errorf("--out: exit %d, %s, output %q, file:\n%s", code, errs, out, written)
	}
	if code, _, errs := runCLI("collector-config", "--catalog", srv.URL, "--bogus"); code != exitTrouble || !strings.Contains(errs, "collector-config") {
		t.Errorf("a wrong flag: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI("collector-config", "--catalog", "http://127.0.0.1:1"); code != exitTrouble || !strings.Contains(errs, "cannot be reached") {
		t.Errorf("no catalog: exit %d, %s", code, errs)
	}
}

// TestCollectorConfigDropUnused: before any dashboard or rule is synced,
// --drop-unused is trouble and says to sync first; after, the config drops
// the metric no rule reads and deletes the attribute its query does not
// use, and stderr says what that saves, leaving stdout the configuration.
func TestCollectorConfigDropUnused(t *testing.T) {
	url := catalogWith(t,
		observation("shop.logins", Sum, true, "{login}", "region", "user.agent"),
		observation("shop.debug.queue", Gauge, false, "{item}", "queue"))
	code, _, errs := runCLI("collector-config", "--catalog", url, "--drop-unused")
	if code != exitTrouble || !strings.Contains(errs, "tallycat consumers sync") {
		t.Fatalf("before a sync: exit %d, %s", code, errs)
	}
	const expr = `sum by (region) (rate(shop_logins_total[5m])) < 1`
	sync := tallycatv1connect.NewConsumerServiceClient(http.DefaultClient, url)
	if _, err := sync.SyncConsumers(context.Background(), &tallycatv1.SyncConsumersRequest{Origin: "files:rules", Consumers: []*tallycatv1.Consumer{{
		Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES,
		Source: "rules/shop.yml", Uid: "shop/NoLogins", Title: "NoLogins", Folder: "shop",
		Queries: []*tallycatv1.ConsumerQuery{{Panel: "NoLogins", RefId: "A", Raw: expr, Expr: expr}},
	}}}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("collector-config", "--catalog", url, "--drop-unused")
	for _, want := range []string{`metric.name == "shop.debug.queue" # no dashboard or rule reads it`, `delete_key(datapoint.attributes, "user.agent")`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
	if code != exitOK || strings.Contains(out, `"region"`) || !strings.HasPrefix(errs, "drops 1 metric and 1 attribute: about ") || strings.Contains(out, "drops 1 metric and") {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errs, out)
	}
}

// TestDescribeSavings: what dropping saves, as people say it, with the
// price model's figure only when the catalog has one.
func TestDescribeSavings(t *testing.T) {
	price := 41.2
	for _, c := range []struct {
		savings *tallycatv1.CollectorSavings
		want    string
	}{
		{&tallycatv1.CollectorSavings{MetricsDropped: 12, AttributesDeleted: 5, SeriesSaved: 3400, DataPointsPerMonthSaved: 1.23e6, EstimatedMonthlySaving: &price},
			"drops 12 metrics and 5 attributes: about 3,400 series and 1.2 million data points a month, 41.20 a month under the price model"},
		{&tallycatv1.CollectorSavings{MetricsDropped: 1, AttributesDeleted: 0, SeriesSaved: 1234567, DataPointsPerMonthSaved: 43200},
			"drops 1 metric and 0 attributes: about 1,234,567 series and 43,200 data points a month"},
		{&tallycatv1.CollectorSavings{}, "drops nothing: every metric and attribute the catalog knows is read by some dashboard or rule"},
	} {
		if got := describeSavings(c.savings); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
