package inprocess

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/internal/testenv"
)

// TestSDKConformance is the conformance yardstick: the Go SDK sends the HTTP
// server duration in ms with the deprecated http.method, http.request.method
// FOO and no url.scheme; active requests as a monotonic counter; and a
// custom shop.cart.items. The catalog must find exactly what these give, at
// their levels; after exporting its registry and starting again on it,
// shop.cart.items is no longer missing.
func TestSDKConformance(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), filepath.Join(t.TempDir(), "catalog.duckdb"))
	ing := startIngest(t, cat.url())
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(ing.httpAddr), otlpmetrichttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"), attribute.String("service.version", "3.1.0"))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	m := mp.Meter("shop")
	duration, _ := m.Float64Histogram("http.server.request.duration", metric.WithUnit("ms"))
	duration.Record(ctx, 120, metric.WithAttributes(attribute.String("http.method", "GET"), attribute.String("http.request.method", "FOO"),
		attribute.Int("http.response.status_code", 200)))
	active, _ := m.Int64Counter("http.server.active_requests", metric.WithUnit("{request}"))
	active.Add(ctx, 1, metric.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("url.scheme", "https")))
	items, _ := m.Int64Gauge("shop.cart.items", metric.WithUnit("{item}"))
	items.Record(ctx, 3)
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	client := tallycatv1connect.NewConformanceServiceClient(http.DefaultClient, cat.url())
	findings := func() []string {
		t.Helper()
		res, err := client.ListFindings(ctx, &tallycatv1.ListFindingsRequest{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range res.Findings {
			out = append(out, strings.TrimSpace(strings.Join([]string{strings.TrimPrefix(f.Level.String(), "FINDING_LEVEL_"), f.FindingId, f.SchemaKey, f.Attribute}, " ")))
		}
		slices.Sort(out)
		return out
	}
	want := []string{
		"IMPROVEMENT recommended_attribute_not_present http.server.request.duration network.protocol.version",
		"INFORMATION conditionally_required_attribute_not_present http.server.request.duration error.type",
		"INFORMATION conditionally_required_attribute_not_present http.server.request.duration http.route",
		"INFORMATION conditionally_required_attribute_not_present http.server.request.duration network.protocol.name",
		"INFORMATION not_stable http.server.active_requests",
		"INFORMATION opt_in_attribute_not_present http.server.active_requests server.address",
		"INFORMATION opt_in_attribute_not_present http.server.active_requests server.port",
		"INFORMATION opt_in_attribute_not_present http.server.request.duration server.address",
		"INFORMATION opt_in_attribute_not_present http.server.request.duration server.port",
		"INFORMATION opt_in_attribute_not_present http.server.request.duration user_agent.synthetic.type",
		"INFORMATION undefined_enum_variant http.server.request.duration http.request.method",
		"VIOLATION deprecated http.server.request.duration http.method",
		"VIOLATION missing_metric shop.cart.items",
		"VIOLATION required_attribute_not_present http.server.request.duration url.scheme",
		"VIOLATION unexpected_instrument http.server.active_requests",
		"VIOLATION unit_mismatch http.server.request.duration",
	}
	var got []string
	testenv.Eventually(t, 20*time.Second, "the catalog finds what the SDK's metrics break", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		if got = findings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("findings:\n  %s", strings.Join(got, "\n  "))
		}
		return nil
	})

	res, err := client.ExportRegistry(ctx, &tallycatv1.ExportRegistryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range res.Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if cat.registry, err = builtin.Load(dir); err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	cat.stop()
	cat.start()
	if got := findings(); slices.ContainsFunc(got, func(s string) bool {
		return strings.Contains(s, "missing_metric") || strings.Contains(s, "unit_mismatch")
	}) {
		t.Errorf("after a restart on the export:\n  %s", strings.Join(got, "\n  "))
	}
}
