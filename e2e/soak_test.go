//go:build soak

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
)

// procSample is what a soak watches for growth: memory, threads, open files.
type procSample struct {
	rssMiB, threads, fds int64
}

func sample(t testing.TB, pid int) procSample {
	_, rss, _ := procStats(t, pid)
	threads, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return procSample{rssMiB: rss / 1024, threads: int64(len(threads)), fds: int64(len(fds))}
}

// TestSoak (make soak; built only with -tags soak) sends steady OTLP load
// with a churning set of shapes and producers to real processes over
// loopback for TALLYCAT_SOAK (default 10m), prints resident memory, threads
// and open files of both processes as it goes, and fails if they grow
// instead of levelling off.
func TestSoak(t *testing.T) {
	d := 10 * time.Minute
	if v := os.Getenv("TALLYCAT_SOAK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	s := startStack(t, filepath.Join(t.TempDir(), "catalog.duckdb"))
	var sent, refused atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			cfg := otlpgen.Default()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Every 50th request switches to other shapes from another
				// producer, cycling through 100 of each per worker (20,000
				// pairs in all): churn that a steady state can absorb, so
				// growth after the first cycle is a leak.
				cycle := (i / 50) % 100
				cfg.ShapeSalt = w*1_000 + cycle
				cfg.Service = fmt.Sprintf("soak-%d-%d", w, cycle)
				body, _ := proto.Marshal(otlpgen.Request(cfg))
				if err := httpSender(s.httpAddr, body)(client); err != nil {
					refused.Add(1)
					time.Sleep(100 * time.Millisecond)
					continue
				}
				sent.Add(int64(cfg.DataPoints()))
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	var ingest, catalog []procSample
	deadline := time.Now().Add(d)
	every := d / 20
	fmt.Printf("%8s %12s %8s %8s %8s %9s %8s %8s %9s\n", "elapsed", "points", "refused", "ing.MiB", "ing.thr", "ing.fds", "cat.MiB", "cat.thr", "cat.fds")
	for start := time.Now(); time.Now().Before(deadline); {
		time.Sleep(every)
		i, c := sample(t, s.ingest.cmd.Process.Pid), sample(t, s.catalog.cmd.Process.Pid)
		ingest, catalog = append(ingest, i), append(catalog, c)
		fmt.Printf("%8s %12d %8d %8d %8d %9d %8d %8d %9d\n", time.Since(start).Round(time.Second), sent.Load(), refused.Load(),
			i.rssMiB, i.threads, i.fds, c.rssMiB, c.threads, c.fds)
	}
	close(stop)
	wg.Wait()
	for name, xs := range map[string][]procSample{"ingest": ingest, "catalog": catalog} {
		third, last := xs[len(xs)/3], xs[len(xs)-1]
		if last.rssMiB > third.rssMiB*3/2+32 {
			t.Errorf("%s memory grew from %d MiB at a third of the run to %d MiB", name, third.rssMiB, last.rssMiB)
		}
		if last.fds > third.fds+16 || last.threads > third.threads+16 {
			t.Errorf("%s grew from %d fds, %d threads to %d fds, %d threads", name, third.fds, third.threads, last.fds, last.threads)
		}
	}
}
