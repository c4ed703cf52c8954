package inprocess

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// TestTelemetrygen sends with the OpenTelemetry Collector's telemetrygen over
// gRPC and over HTTP and finds each metric, with its producer, in the catalog.
func TestTelemetrygen(t *testing.T) {
	bin, err := filepath.Abs("../../bin/tools/telemetrygen")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("telemetrygen is not installed (%v): run `make tools` first", err)
	}
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())

	for _, tc := range []struct {
		name, metric, endpoint string
		args                   []string
		typ                    tallycatv1.MetricType
	}{
		{"grpc", "tg.grpc.requests", ing.grpcAddr, []string{"--metric-type", "Sum"}, Sum},
		{"http", "tg.http.latency", ing.httpAddr, []string{"--otlp-http", "--metric-type", "Histogram"}, Histogram},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"metrics", "--otlp-endpoint", tc.endpoint, "--otlp-insecure", "--metrics", "3", "--rate", "0",
				"--otlp-metric-name", tc.metric, "--service", "telemetrygen-" + tc.name,
				"--telemetry-attributes", `outcome="ok"`, "--telemetry-attributes", "attempt=2"}, tc.args...)
			out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("telemetrygen: %v\n%s", err, out)
			}
			testenv.Eventually(t, 10*time.Second, "the metric reaches the catalog", func() error {
				res, err := cat.client().ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: tc.metric})
				if err != nil {
					return err
				}
				if len(res.Schemas) != 1 {
					return fmt.Errorf("%d schemas, want 1", len(res.Schemas))
				}
				s := res.Schemas[0]
				if s.MetricType != tc.typ {
					return fmt.Errorf("type %v, want %v", s.MetricType, tc.typ)
				}
				fields := fieldsOf(s)
				for _, want := range []string{"data_point outcome:string", "data_point attempt:int", "resource service.name:string"} {
					if !slices.Contains(fields, want) {
						return fmt.Errorf("fields %v lack %s", fields, want)
					}
				}
				p, err := cat.client().ListProducers(ctx, &tallycatv1.ListProducersRequest{Filter: &tallycatv1.ListProducersRequest_SchemaId{SchemaId: s.SchemaId}})
				if err != nil {
					return err
				}
				if len(p.Producers) != 1 || p.Producers[0].ServiceName != "telemetrygen-"+tc.name {
					return fmt.Errorf("producers %v", p.Producers)
				}
				if s.DataPointCount != 3 {
					return fmt.Errorf("%d data points, want 3", s.DataPointCount)
				}
				return nil
			})
		})
	}
}
