package inprocess

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestCatalogReplicaFailover runs the ingest with two catalogs in
// --catalog-url and stops one while new shapes keep arriving. Each catalog
// here has a database of its own (replicas on one PostgreSQL database are
// tested where that store is), so a shape is found in one or the other:
// batches are spread over both while both answer, every shape the ingest
// acknowledged is in one of them, and every shape after the stop is in the
// survivor.
func TestCatalogReplicaFailover(t *testing.T) {
	a := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	b := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, a.url()+","+b.url())

	send := func(name string) {
		t.Helper()
		body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
			ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: name,
				Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}}}}}}}})
		resp, err := http.Post("http://"+ing.httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export of %s: %d", name, resp.StatusCode)
		}
	}
	keys := func(c *catalogProc) map[string]bool {
		res, err := c.client().ListSchemaKeys(context.Background(), &tallycatv1.ListSchemaKeysRequest{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, k := range res.SchemaKeys {
			out[k.SchemaKey] = true
		}
		return out
	}

	// Before: one shape a flush, so that consecutive batches go round both.
	var before []string
	for i := range 6 {
		name := fmt.Sprintf("before.%d", i)
		send(name)
		before = append(before, name)
		time.Sleep(150 * time.Millisecond)
	}
	testenv.Eventually(t, 10*time.Second, "the first shapes arrive", func() error {
		if ing.main.Forwarder().Pending() != 0 {
			return fmt.Errorf("%d pending", ing.main.Forwarder().Pending())
		}
		return nil
	})
	inA, inB := keys(a), keys(b)
	if len(inA) == 0 || len(inB) == 0 {
		t.Errorf("batches were not spread: %d shapes in a, %d in b", len(inA), len(inB))
	}
	for _, name := range before {
		if !inA[name] && !inB[name] {
			t.Errorf("%s is in neither catalog", name)
		}
	}

	a.stop()
	var after []string
	for i := range 20 {
		name := fmt.Sprintf("after.%d", i)
		send(name)
		after = append(after, name)
		time.Sleep(20 * time.Millisecond)
	}
	testenv.Eventually(t, 10*time.Second, "every shape after the stop is in b", func() error {
		inB := keys(b)
		for _, name := range after {
			if !inB[name] {
				return fmt.Errorf("%s is not in b", name)
			}
		}
		return nil
	})
}
