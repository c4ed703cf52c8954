package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// BenchmarkNewShapeVisibility measures how long a new shape takes from the
// OTLP/HTTP answer to being listed by ListSchemas, with the default 1 s
// flush interval (target: at most flush interval + 0.5 s).
func BenchmarkNewShapeVisibility(b *testing.B) {
	s := &stack{grpcAddr: testenv.FreeAddr(b), httpAddr: testenv.FreeAddr(b)}
	catalogAddr := testenv.FreeAddr(b)
	s.catalogURL = "http://" + catalogAddr
	s.catalog = start(b, "tallycat-catalog", catalogAddr, "--listen", catalogAddr, "--db", filepath.Join(b.TempDir(), "c.duckdb"))
	s.ingest = start(b, "tallycat-ingest", s.httpAddr, "--catalog-url", s.catalogURL,
		"--otlp-grpc-listen", s.grpcAddr, "--otlp-http-listen", s.httpAddr, "--flush-interval", "1s")
	client := s.client()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("visibility.%d", i)
		body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
			ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: name,
				Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}})
		resp, err := http.Post("http://"+s.httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("export: %v %v", resp, err)
		}
		resp.Body.Close()
		acked := time.Now()
		for {
			if _, err := client.ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{SchemaKey: name}); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(acked))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/float64(time.Millisecond), "p99-ms")
}
