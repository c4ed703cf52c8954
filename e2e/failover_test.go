package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/testenv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// TestIngestFailsOverWhenACatalogIsKilled runs one ingest with two catalog
// processes in --catalog-url and SIGKILLs one in the middle of a burst of
// new shapes sent through the ingest. Here each catalog has a DuckDB file
// of its own, so a shape is in one or the other: every shape the ingest
// acknowledged is in one of them (the killed one read again after a
// restart on its file), and the shapes sent once the kill is a second old
// are all in the survivor. Replicas of one PostgreSQL database are tested
// where that store is, reading everything through the survivor.
func TestIngestFailsOverWhenACatalogIsKilled(t *testing.T) {
	dir := t.TempDir()
	var urls [2]string
	var cats [2]*proc
	args := func(i int) []string {
		addr := urls[i][len("http://"):]
		return []string{"--listen", addr, "--db", filepath.Join(dir, fmt.Sprintf("c%d.duckdb", i))}
	}
	for i := range cats {
		urls[i] = "http://" + testenv.FreeAddr(t)
		cats[i] = start(t, "tallycat-catalog", urls[i][len("http://"):], args(i)...)
	}
	httpAddr := testenv.FreeAddr(t)
	start(t, "tallycat-ingest", httpAddr, "--catalog-url", urls[0]+","+urls[1],
		"--otlp-grpc-listen", testenv.FreeAddr(t), "--otlp-http-listen", httpAddr, "--flush-interval", "100ms")

	var mu sync.Mutex
	var acked, late []string
	var killedAt time.Time
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var metrics []*metricspb.Metric
			for j := range 10 {
				metrics = append(metrics, &metricspb.Metric{Name: fmt.Sprintf("burst.%d.%d", i, j),
					Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}})
			}
			body, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
				ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: metrics}}}}})
			resp, err := http.Post("http://"+httpAddr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
			if err != nil {
				t.Errorf("export %d: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				mu.Lock()
				for _, m := range metrics {
					acked = append(acked, m.Name)
					if !killedAt.IsZero() && time.Since(killedAt) > time.Second {
						late = append(late, m.Name)
					}
				}
				mu.Unlock()
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	time.Sleep(1500 * time.Millisecond)
	cats[0].cmd.Process.Signal(syscall.SIGKILL)
	<-cats[0].done
	mu.Lock()
	killedAt = time.Now()
	before := len(acked)
	mu.Unlock()
	time.Sleep(2500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if before < 100 || len(late) < 100 {
		t.Fatalf("%d shapes acknowledged before the kill and %d a second after it; the test needs a burst on both sides", before, len(late))
	}

	keys := func(url string) map[string]bool {
		client := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, url)
		have := map[string]bool{}
		for token := ""; ; {
			res, err := client.ListSchemaKeys(context.Background(), &tallycatv1.ListSchemaKeysRequest{Query: "burst.", PageSize: 1000, PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range res.SchemaKeys {
				have[k.SchemaKey] = true
			}
			if token = res.NextPageToken; token == "" {
				return have
			}
		}
	}
	testenv.Eventually(t, 15*time.Second, "every late shape is in the survivor", func() error {
		inB := keys(urls[1])
		for _, name := range late {
			if !inB[name] {
				return fmt.Errorf("%s is not in the surviving catalog", name)
			}
		}
		return nil
	})
	start(t, "tallycat-catalog", urls[0][len("http://"):], args(0)...)
	inA, inB := keys(urls[0]), keys(urls[1])
	if len(inA) == 0 {
		t.Error("the killed catalog had taken no batch: batches were not spread")
	}
	for _, name := range acked {
		if !inA[name] && !inB[name] {
			t.Fatalf("acknowledged shape %s is in neither catalog", name)
		}
	}
	t.Logf("%d acknowledged shapes (%d before the kill): %d in the killed catalog, %d in the survivor", len(acked), before, len(inA), len(inB))
}
