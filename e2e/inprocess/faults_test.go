package inprocess

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestCatalogOutageLosesNoAcknowledgedShape stops the catalog while an SDK
// keeps sending new shapes, starts it again on the same file, and finds every
// shape the ingest acknowledged.
func TestCatalogOutageLosesNoAcknowledgedShape(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), filepath.Join(t.TempDir(), "catalog.duckdb"))
	ing := startIngest(t, cat.url())

	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(ing.grpcAddr), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "orders"))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	meter := mp.Meter("orders")
	emit := func(name string) {
		c, _ := meter.Int64Counter(name)
		c.Add(ctx, 1, metric.WithAttributes(attribute.String("region", "eu")))
		if err := mp.ForceFlush(ctx); err != nil {
			t.Fatalf("export of %s was not acknowledged: %v", name, err)
		}
	}
	has := func(name string) error {
		_, err := cat.client().ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: name})
		return err
	}

	emit("before.outage")
	testenv.Eventually(t, 10*time.Second, "the first shape arrives", func() error { return has("before.outage") })

	cat.stop()
	var during []string
	for i := range 5 {
		name := fmt.Sprintf("during.outage.%d", i)
		emit(name)
		during = append(during, name)
		time.Sleep(50 * time.Millisecond)
	}
	if ing.main.Forwarder().Pending() == 0 {
		t.Fatal("the ingest holds nothing while the catalog is down")
	}
	cat.start()
	for _, name := range during {
		testenv.Eventually(t, 15*time.Second, name+" arrives after the outage", func() error { return has(name) })
	}
}

// TestFullBufferAsksSendersToRetry: with the catalog down and the buffer of
// new shapes full, OTLP/HTTP answers 503 with Retry-After, and the shape
// that was refused is taken once the catalog is back.
func TestFullBufferAsksSendersToRetry(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url(), "--max-pending", "1")
	cat.stop()

	send := func(name string) *http.Response {
		body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
			ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: name,
				Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}})
		resp, err := http.Post("http://"+ing.httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := send("first"); resp.StatusCode != 200 {
		t.Fatalf("first new shape: %d", resp.StatusCode)
	}
	resp := send("second")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second new shape with a full buffer: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	cat.start()
	testenv.Eventually(t, 15*time.Second, "the buffer drains and the retry is taken", func() error {
		if resp := send("second"); resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	testenv.Eventually(t, 10*time.Second, "both shapes are in the catalog", func() error {
		res, err := cat.client().ListSchemaKeys(context.Background(), &tallycatv1.ListSchemaKeysRequest{})
		if err != nil {
			return err
		}
		if len(res.SchemaKeys) != 2 {
			return fmt.Errorf("keys %v", res.SchemaKeys)
		}
		return nil
	})
}

// TestShutdownDeliversPending: SIGTERM (here: cancelling Run) delivers what
// is pending before the ingest exits, even with a long flush interval.
func TestShutdownDeliversPending(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url(), "--flush-interval", "1h")
	body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "at.shutdown",
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}})
	resp, err := http.Post("http://"+ing.httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("export: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := ing.stop(t); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := cat.client().ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{SchemaKey: "at.shutdown"}); err != nil {
		t.Errorf("the pending shape was not delivered at shutdown: %v", err)
	}
}
