package inprocess

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"connectrpc.com/connect"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/catalog/api"
)

// TestTokens: a catalog that needs tokens for changes, an ingest that needs
// them from OTLP clients and presents its own to the catalog.
func TestTokens(t *testing.T) {
	dir := t.TempDir()
	catalogTokens := filepath.Join(dir, "catalog-tokens")
	os.WriteFile(catalogTokens, []byte("ingest-1:ingest-secret-0123456789\n"), 0o600)
	ingestToken := filepath.Join(dir, "ingest-token")
	os.WriteFile(ingestToken, []byte("ingest-secret-0123456789\n"), 0o600)
	otlpTokens := filepath.Join(dir, "otlp-tokens")
	os.WriteFile(otlpTokens, []byte("collector:collector-secret-0123456789\n"), 0o600)

	tokens, err := auth.Load(catalogTokens)
	if err != nil {
		t.Fatal(err)
	}
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:", api.NewAuthInterceptor(tokens, false))
	ing := startIngest(t, cat.url(), "--auth-token-file", otlpTokens, "--catalog-token-file", ingestToken)

	body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "guarded",
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}})
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ing.httpAddr+"/v1/metrics", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("OTLP/HTTP without a token: %d, want 401", code)
	}
	if code := post("not-the-token-0123456789"); code != http.StatusUnauthorized {
		t.Errorf("OTLP/HTTP with a wrong token: %d, want 401", code)
	}
	grpc := connect.NewClient[colmetricpb.ExportMetricsServiceRequest, colmetricpb.ExportMetricsServiceResponse](
		h2c(), "http://"+ing.grpcAddr+"/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", connect.WithGRPC())
	if _, err := grpc.CallUnary(context.Background(), connect.NewRequest(&colmetricpb.ExportMetricsServiceRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("OTLP/gRPC without a token = %v, want unauthenticated", err)
	}
	if code := post("collector-secret-0123456789"); code != http.StatusOK {
		t.Fatalf("OTLP/HTTP with the token: %d", code)
	}
	testenv.Eventually(t, 10*time.Second, "the shape reaches the guarded catalog with the ingest's token", func() error {
		_, err := cat.client().ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{SchemaKey: "guarded"})
		return err
	})
}

func h2c() *http.Client {
	tr := &http.Transport{}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: tr}
}
