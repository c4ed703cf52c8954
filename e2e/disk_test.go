package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/testenv"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// smallDisk mounts a tmpfs of the given size, a disk that fills up fast.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mounting a small tmpfs needs root (CI runs as root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestFullDisk: when the catalog's disk is full, writes fail with an error
// that says so (and that the ingest retries), while reads keep working.
func TestFullDisk(t *testing.T) {
	dir := smallDisk(t, "3m")
	addr := testenv.FreeAddr(t)
	url := "http://" + addr
	start(t, "tallycat-catalog", addr, "--listen", addr, "--db", filepath.Join(dir, "catalog.duckdb"))
	obs := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, url)
	ctx := context.Background()
	var werr error
	for i := 0; i < 2000 && werr == nil; i++ {
		now := timestamppb.Now()
		var batch []*tallycatv1.Observation
		for j := range 200 {
			batch = append(batch, &tallycatv1.Observation{
				MetricName: fmt.Sprintf("fill.%d.%d.%s", i, j, strings.Repeat("x", 200)), MetricType: tallycatv1.MetricType_METRIC_TYPE_GAUGE,
				Description: strings.Repeat("d", 500), Producer: &tallycatv1.ProducerIdentity{ServiceName: "filler"},
				FirstObserved: now, LastObserved: now,
			})
		}
		_, werr = obs.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: batch})
	}
	if werr == nil {
		t.Fatal("the disk never filled")
	}
	if connect.CodeOf(werr) != connect.CodeUnavailable || !strings.Contains(werr.Error(), "disk") {
		t.Errorf("a write to a full disk = %v; want unavailable, saying the disk is the problem", werr)
	}
	if _, err := os.Stat(filepath.Join(dir, "catalog.duckdb")); err != nil {
		t.Fatal(err)
	}
	res, err := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, url).ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Query: "fill."})
	if err != nil || res.TotalSize == 0 {
		t.Errorf("reads after the disk filled = %v, %v; want them to keep working", res, err)
	}
}
