package inprocess

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/otlpgen"
)

// TestTallyCatCatalogsItself: an ingest sending its own metrics to its own
// OTLP port finds them in the catalog, under producer tallycat-ingest.
func TestTallyCatCatalogsItself(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url(), "--telemetry-otlp-endpoint", "$GRPC", "--telemetry-interval", "200ms")
	cfg := otlpgen.Default()
	cfg.Metrics, cfg.PointsPerMetric = 5, 2
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	resp, err := http.Post("http://"+ing.httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("export: %v %v", resp, err)
	}
	resp.Body.Close()
	want := []string{"tallycat.ingest.requests", "tallycat.ingest.request.duration", "tallycat.ingest.data_points", "tallycat.ingest.pending", "tallycat.ingest.batches", "rpc.client.call.duration"}
	testenv.Eventually(t, 15*time.Second, "the ingest's own metrics are in the catalog", func() error {
		res, err := cat.client().ListSchemaKeys(context.Background(), &tallycatv1.ListSchemaKeysRequest{ServiceName: "tallycat-ingest", PageSize: 1000})
		if err != nil {
			return err
		}
		var got []string
		for _, k := range res.SchemaKeys {
			got = append(got, k.SchemaKey)
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				return fmt.Errorf("%s missing from %v", w, got)
			}
		}
		return nil
	})
}
