package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/testenv"
)

// exportShapes sends one OTLP/HTTP export carrying a gauge of each name
// to the ingest at addr, and reports whether the ingest acknowledged it.
func exportShapes(addr string, names ...string) (bool, error) {
	var metrics []*metricspb.Metric
	for _, n := range names {
		metrics = append(metrics, &metricspb.Metric{Name: n, Unit: "1",
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{
				Value: &metricspb.NumberDataPoint_AsInt{AsInt: 1}, TimeUnixNano: uint64(time.Now().UnixNano()),
			}}}}})
	}
	body, err := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{{Key: "service.name",
			Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "burst"}}}}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: metrics}},
	}}})
	if err != nil {
		return false, err
	}
	resp, err := http.Post("http://"+addr+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// allKeys lists every metric name a catalog holds.
func allKeys(ctx context.Context, url string) (map[string]bool, error) {
	client := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, url)
	have := map[string]bool{}
	for token := ""; ; {
		res, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, err
		}
		for _, k := range res.SchemaKeys {
			have[k.SchemaKey] = true
		}
		if token = res.NextPageToken; token == "" {
			return have, nil
		}
	}
}

// TestPostgresReplicaSIGKILLedMidBurst runs two catalog processes on one
// PostgreSQL database and an ingest spreading over both, SIGKILLs one in
// the middle of a burst of new shapes sent through the ingest, and finds
// every shape the ingest acknowledged through the surviving replica, each
// once, with both replicas' counts.
func TestPostgresReplicaSIGKILLedMidBurst(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	addrA, addrB := testenv.FreeAddr(t), testenv.FreeAddr(t)
	a := start(t, "tallycat-catalog", addrA, "--listen", addrA, "--db", dsn)
	start(t, "tallycat-catalog", addrB, "--listen", addrB, "--db", dsn)
	grpcAddr, httpAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	start(t, "tallycat-ingest", httpAddr, "--catalog-url", "http://"+addrA+",http://"+addrB,
		"--otlp-grpc-listen", grpcAddr, "--otlp-http-listen", httpAddr, "--flush-interval", "50ms")

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for w := range 2 {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				names := make([]string, 10)
				for j := range names {
					names[j] = fmt.Sprintf("burst.%d.%d.%d", w, i, j)
				}
				ok, err := exportShapes(httpAddr, names...)
				if err != nil || !ok {
					time.Sleep(50 * time.Millisecond) // asked to retry: a real exporter would
					continue
				}
				mu.Lock()
				acked = append(acked, names...)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	senders.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 500 {
		t.Fatalf("only %d shapes were acknowledged; the test needs a burst", len(acked))
	}
	ctx := context.Background()
	testenv.Eventually(t, 30*time.Second, "every acknowledged shape is read through the surviving replica", func() error {
		have, err := allKeys(ctx, "http://"+addrB)
		if err != nil {
			return err
		}
		missing := 0
		var first string
		for _, name := range acked {
			if !have[name] {
				if missing == 0 {
					first = name
				}
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d acknowledged shapes missing, %s first", missing, len(acked), first)
		}
		return nil
	})
	// Counted once: each shape was sent in one export of one data point.
	client := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, "http://"+addrB)
	for _, name := range []string{acked[0], acked[len(acked)/2], acked[len(acked)-1]} {
		res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: name})
		if err != nil || len(res.Schemas) != 1 || res.Schemas[0].GetDataPointCount() != 1 {
			t.Errorf("%s through the survivor = %v, %v; want one schema of one data point", name, res, err)
		}
	}
	t.Logf("%d acknowledged shapes, all read through the surviving replica after SIGKILL of the other", len(acked))
}
