package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// TestSIGKILLKeepsAcknowledgedWrites kills the catalog process with SIGKILL
// during a burst of writes, starts it again on the same file, and finds every
// batch it acknowledged, and versions too.
func TestSIGKILLKeepsAcknowledgedWrites(t *testing.T) {
	db := filepath.Join(t.TempDir(), "catalog.duckdb")
	addr := testenv.FreeAddr(t)
	url := "http://" + addr
	cat := start(t, "tallycat-catalog", addr, "--listen", addr, "--db", db)
	obs := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, url)
	ver := tallycatv1connect.NewVersioningServiceClient(http.DefaultClient, url)

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				now := timestamppb.Now()
				var batch []*tallycatv1.Observation
				for j := range 50 {
					batch = append(batch, &tallycatv1.Observation{
						MetricName: fmt.Sprintf("burst.%d.%d.%d", w, i, j), MetricType: tallycatv1.MetricType_METRIC_TYPE_GAUGE,
						Producer: &tallycatv1.ProducerIdentity{ServiceName: "burst"}, DataPointCount: 1, FirstObserved: now, LastObserved: now,
					})
				}
				res, err := obs.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: batch})
				if err != nil {
					return // the catalog is gone
				}
				if i%5 == 0 {
					if _, err := ver.AssignVersion(context.Background(), &tallycatv1.AssignVersionRequest{SchemaId: res.SchemaIds[0], Version: "1.0.0"}); err != nil {
						return
					}
				}
				mu.Lock()
				for _, o := range batch {
					acked = append(acked, o.MetricName)
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cat.cmd.Process.Signal(syscall.SIGKILL)
	<-cat.done
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 100 {
		t.Fatalf("only %d schemas were acknowledged before the kill; the test needs a burst", len(acked))
	}

	start(t, "tallycat-catalog", addr, "--listen", addr, "--db", db)
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
			break
		}
	}
	for _, name := range acked {
		if !have[name] {
			t.Fatalf("acknowledged metric %s is missing after SIGKILL and restart", name)
		}
	}
	versions, err := tallycatv1connect.NewVersioningServiceClient(http.DefaultClient, url).ListVersions(context.Background(),
		&tallycatv1.ListVersionsRequest{Filter: &tallycatv1.ListVersionsRequest_SchemaKey{SchemaKey: "burst.0.0.0"}})
	if err != nil || len(versions.Versions) != 1 {
		t.Errorf("the first acknowledged version after restart: %v, %v", versions, err)
	}
	t.Logf("%d acknowledged metrics all present after SIGKILL", len(acked))
}
