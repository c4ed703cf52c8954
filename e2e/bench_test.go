package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog/storetest"

	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/otlpgen"
)

// procStats reads a process's CPU time (user+system) and memory from /proc.
func procStats(t testing.TB, pid int) (cpu time.Duration, rssKiB, hwmKiB int64) {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	cpu = time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(status), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			if f[0] == "VmRSS:" {
				rssKiB = v
			} else {
				hwmKiB = v
			}
		}
	}
	return cpu, rssKiB, hwmKiB
}

func h2cClient() *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: tr}
}

// sender posts one pre-encoded export and fails on anything but success.
type sender func(client *http.Client) error

// The OTLP/gRPC services, by the signal they export.
const (
	metricsService = "opentelemetry.proto.collector.metrics.v1.MetricsService"
	tracesService  = "opentelemetry.proto.collector.trace.v1.TraceService"
	logsService    = "opentelemetry.proto.collector.logs.v1.LogsService"
)

func grpcSender(addr string, body []byte) sender { return grpcExport(addr, metricsService, body) }

// grpcExport posts body as one OTLP/gRPC Export call of service, framed
// once here, so that every call sends the same bytes and costs the client
// only the HTTP/2 exchange.
func grpcExport(addr, service string, body []byte) sender {
	frame := make([]byte, 5, 5+len(body))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(body)))
	frame = append(frame, body...)
	url := "http://" + addr + "/" + service + "/Export"
	return func(c *http.Client) error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(frame))
		req.Header.Set("Content-Type", "application/grpc")
		req.Header.Set("TE", "trailers")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if s := resp.Trailer.Get("Grpc-Status"); s != "0" {
			return fmt.Errorf("grpc-status %s: %s", s, resp.Trailer.Get("Grpc-Message"))
		}
		return nil
	}
}

func httpSender(addr string, body []byte) sender {
	url := "http://" + addr + "/v1/metrics"
	return func(c *http.Client) error {
		resp, err := c.Post(url, "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// runClients makes calls 0 to n-1 of send from the given number of
// concurrent clients, client c the calls c, c+clients, ..., and returns
// the first error; a client stops at its first.
func runClients(clients, n int, send func(call int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < n; i += clients {
				if err := send(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// sendAccepted sends body to s over OTLP/HTTP until the ingest accepts it:
// a 503 says the catalog is catching up with new shapes or producers, and
// a warm-up waits for it rather than fail.
func sendAccepted(b *testing.B, client *http.Client, s *stack, body []byte) {
	for {
		err := httpSender(s.httpAddr, body)(client)
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "503") {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// warmKnown makes the ingest hold n known (schema, producer, scope) pairs
// by sending requests of new shapes, so that memory is measured as a fleet
// would load it. Each request is a new release with one instance, whose
// service.instance.id is instance: another ingest warmed with the same
// shapes makes the same schemas, and only the ingest's own producers tell
// the catalog's record of its pairs from the other's.
func warmKnown(b *testing.B, s *stack, n int, instance string) {
	cfg := otlpgen.Default()
	cfg.PointsPerMetric = 1
	client := &http.Client{}
	releases := 0
	for salt := 1; salt*cfg.Metrics <= n; salt++ {
		cfg.ShapeSalt = salt
		body, _ := proto.Marshal(otlpgen.Request(cfg))
		body, err := withInstance(body, instance)
		if err != nil {
			b.Fatalf("warm-up request of release %d: %v", salt, err)
		}
		sendAccepted(b, client, s, body)
		releases++
	}
	// Wait until the catalog holds them all, so that the measurement starts
	// with nothing pending.
	waitForProducers(b, s, cfg.Service, instance, releases, cfg.Metrics)
}

// waitForProducers waits until the catalog lists producers of service
// whose service.instance.id starts with prefix, each with at least
// schemas schemas: the catalog has recorded what an ingest sent for them,
// and the ingest has none of it pending.
func waitForProducers(b *testing.B, s *stack, service, prefix string, producers, schemas int) {
	what := fmt.Sprintf("the catalog records %d producers of %s (instances %s…) with %d schemas each", producers, service, prefix, schemas)
	testenv.Eventually(b, 5*time.Minute, what, func() error {
		seen, token := 0, ""
		for {
			res, err := s.client().ListProducers(context.Background(), &tallycatv1.ListProducersRequest{
				Filter: &tallycatv1.ListProducersRequest_ServiceName{ServiceName: service}, PageSize: 1000, PageToken: token})
			if err != nil {
				return err
			}
			for _, p := range res.Producers {
				if strings.HasPrefix(p.ServiceInstanceId, prefix) && int(p.SchemaCount) >= schemas {
					seen++
				}
			}
			if token = res.NextPageToken; token == "" {
				break
			}
		}
		if seen < producers {
			time.Sleep(time.Second) // spare the catalog, which is catching up
			return fmt.Errorf("%d recorded", seen)
		}
		return nil
	})
}

// BenchmarkOTLPLoopback is the ingest end to end: 4 clients send the
// yardstick request (1,000 data points, pre-encoded) over loopback to a real
// ingest process forwarding to a real catalog, and the ingest process's own
// CPU time is read from /proc. TALLYCAT_BENCH_KNOWN sets how many known
// pairs the ingest holds first (default 100,000); the catalog's engine is
// storetest's ($TALLYCAT_TEST_STORE: DuckDB unless "postgres"), since
// the ingest's own figures do not depend on it and the warm-up's 100k new
// schemas reach PostgreSQL's catalog sooner on a loaded machine. A second
// ingest with --track-cost=false, fed the same, runs beside it: what
// counting series and values costs is the difference between cost=on and
// cost=off. The captured sub-benchmarks replay real exports the same way
// (see benchCaptured).
func BenchmarkOTLPLoopback(b *testing.B) {
	known := 100_000
	if v := os.Getenv("TALLYCAT_BENCH_KNOWN"); v != "" {
		known, _ = strconv.Atoi(v)
	}
	s := startStack(b, storetest.DB(b))
	off := &stack{catalogURL: s.catalogURL, grpcAddr: testenv.FreeAddr(b), httpAddr: testenv.FreeAddr(b), catalog: s.catalog}
	off.ingest = start(b, "tallycat-ingest", off.httpAddr, "--catalog-url", s.catalogURL,
		"--otlp-grpc-listen", off.grpcAddr, "--otlp-http-listen", off.httpAddr, "--flush-interval", "200ms", "--track-cost=false")
	ingests := []loopbackIngest{{"cost=off", off}, {"cost=on", s}}
	for i, in := range ingests {
		warmKnown(b, in.stack, known, instancePrefix(i)+"warm-up")
	}
	cfg := otlpgen.Default()
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	for _, protocol := range loopbackProtocols {
		for _, in := range ingests {
			send, client := loopbackSender(protocol, in.stack, body), loopbackClient(protocol)
			b.Run(protocol+"/"+in.name, func(b *testing.B) {
				measureIngest(b, in.stack.ingest, cfg.DataPoints(), func(int) error { return send(client) })
			})
		}
	}
	b.Run("captured", func(b *testing.B) { benchCaptured(b, ingests) })
}

// loopbackIngest is one of BenchmarkOTLPLoopback's ingests, named by
// whether it tracks cost, as its rows are.
type loopbackIngest struct {
	name  string
	stack *stack
}

// loopbackProtocols are the protocols BenchmarkOTLPLoopback sends over.
var loopbackProtocols = []string{"grpc", "http"}

// loopbackSender sends body to s's ingest over protocol, one of
// loopbackProtocols.
func loopbackSender(protocol string, s *stack, body []byte) sender {
	if protocol == "grpc" {
		return grpcSender(s.grpcAddr, body)
	}
	return httpSender(s.httpAddr, body)
}

// loopbackClient is the client a loopbackSender of protocol sends with:
// HTTP/2 without TLS for gRPC, HTTP/1.1 keeping a connection per client
// for OTLP/HTTP.
func loopbackClient(protocol string) *http.Client {
	if protocol == "grpc" {
		return h2cClient()
	}
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
}

// measureIngest sends b.N calls of send (rounded up to a multiple of the
// clients) from 4 concurrent clients, after one call that warms the
// connection and the shapes, and reports the ingest process's CPU per
// million data points, each call sending points, and its memory.
func measureIngest(b *testing.B, ingest *proc, points int, send func(call int) error) {
	const clients = 4
	pid := ingest.cmd.Process.Pid
	if err := send(0); err != nil {
		b.Fatal(err)
	}
	cpu0, _, _ := procStats(b, pid)
	b.ResetTimer()
	per := (b.N + clients - 1) / clients
	err := runClients(clients, per*clients, send)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	cpu1, rss, hwm := procStats(b, pid)
	total := float64(per * clients * points)
	b.ReportMetric(total/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric((cpu1-cpu0).Seconds()/(total/1e6), "ingest-cpu-s/Mpoints")
	b.ReportMetric(float64(rss)/1024, "ingest-rss-MiB")
	b.ReportMetric(float64(hwm)/1024, "ingest-peak-rss-MiB")
}
