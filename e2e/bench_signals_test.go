package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/testenv"
)

// BenchmarkSignals is issue 21's comparison: the same OTLP/gRPC trace and
// log requests, captured from the Go SDK's exporters (see sdkExports), are
// sent by 4 clients to the real ingest process (forwarding to a real
// catalog) and to a real OpenTelemetry Collector whose pipelines are the
// otlp receiver and the debug exporter, the least a Collector can do with
// what it receives. Each process's CPU time is read from /proc, and the
// figures are CPU-seconds per million spans or log records for each, the
// ingest's share of the Collector's (the target is at most a third), items
// per second and peak resident memory.
//
// An op is one request to each of the two. Each gets its b.N requests in
// two turns, in the order ingest, Collector, Collector, ingest, so that
// this shared machine's drift in speed falls on both alike.
//
// The Collector is the one `make bench` builds with optimisations
// (bin/tools/otelcol-tallycat-optimised), or $TALLYCAT_OTELCOL. It runs
// without a batch processor: the SDK has batched already (512 items a
// request), and batching again would only add the copy the issue's
// "receiver to debug exporter" leaves out. The debug exporter runs at its
// default verbosity, basic: one line per request on the Collector's log,
// at info level. Its own metrics are off (level none), which spares it the
// counting a default Collector does per request, so the ratio is if
// anything kind to the Collector.
func BenchmarkSignals(b *testing.B) {
	otelcol := collectorBinary(b)
	traces, logs := sdkExports(b)
	s := startStack(b, filepath.Join(b.TempDir(), "catalog.duckdb"))
	collector := startDebugCollector(b, otelcol)
	for _, sig := range []struct {
		name, service string
		requests      []export
	}{{"traces", tracesService, traces}, {"logs", logsService, logs}} {
		b.Run(sig.name, func(b *testing.B) {
			const clients = 4
			targets := [2]struct {
				name   string
				proc   *proc
				send   []sender
				client *http.Client
				cpu    time.Duration
				wall   time.Duration
				items  int
			}{{name: "ingest", proc: s.ingest}, {name: "collector", proc: collector.proc}}
			for i, addr := range []string{s.grpcAddr, collector.addr} {
				t := &targets[i]
				t.client = h2cClient()
				for _, r := range sig.requests {
					t.send = append(t.send, grpcExport(addr, sig.service, r.body))
				}
				// Every request once first, so that the ingest knows every
				// shape and both run in their steady state.
				for _, send := range t.send {
					testenv.Eventually(b, time.Minute, t.name+" accepts the warm-up request", func() error { return send(t.client) })
				}
			}
			b.ResetTimer()
			for turn, which := range []int{0, 1, 1, 0} {
				t := &targets[which]
				n := b.N / 2 // each target's b.N in two turns
				if turn < 2 {
					n += b.N % 2
				}
				cpu0, _, _ := procStats(b, t.proc.cmd.Process.Pid)
				start := time.Now()
				err := runClients(clients, n, func(call int) error {
					return t.send[call%len(t.send)](t.client)
				})
				t.wall += time.Since(start)
				cpu1, _, _ := procStats(b, t.proc.cmd.Process.Pid)
				t.cpu += cpu1 - cpu0
				if err != nil {
					b.Fatalf("%s: %v", t.name, err)
				}
				for call := range n {
					t.items += sig.requests[call%len(sig.requests)].items
				}
			}
			b.StopTimer()
			perM := func(i int) float64 { return targets[i].cpu.Seconds() / (float64(targets[i].items) / 1e6) }
			for i, t := range targets {
				_, _, hwm := procStats(b, t.proc.cmd.Process.Pid)
				b.ReportMetric(float64(t.items)/t.wall.Seconds(), t.name+"-items/s")
				b.ReportMetric(perM(i), t.name+"-cpu-s/Mitems")
				b.ReportMetric(float64(hwm)/1024, t.name+"-peak-rss-MiB")
			}
			b.ReportMetric(perM(0)/perM(1), "ingest/collector-cpu")
		})
	}
}

// export is one captured OTLP request and how many spans or log records it
// carries.
type export struct {
	body  []byte
	items int
}

// collectorBinary is the Collector the benchmark runs: $TALLYCAT_OTELCOL,
// or the optimised build `make bench` makes.
func collectorBinary(b *testing.B) string {
	if p := os.Getenv("TALLYCAT_OTELCOL"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join(repoRoot, "bin/tools/otelcol-tallycat-optimised"))
	if _, err := os.Stat(p); err != nil {
		b.Fatalf("no Collector: $TALLYCAT_OTELCOL is unset and %v; `make bench` builds it (or `make %s`)", err, p)
	}
	return p
}

// debugCollector is a running Collector and its OTLP/gRPC address.
type debugCollector struct {
	proc *proc
	addr string
}

// startDebugCollector runs otelcol with the otlp receiver on a free port
// and traces and logs pipelines into the debug exporter.
func startDebugCollector(b *testing.B, otelcol string) *debugCollector {
	c := &debugCollector{addr: testenv.FreeAddr(b)}
	config := filepath.Join(b.TempDir(), "otelcol.yaml")
	err := os.WriteFile(config, []byte(fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
exporters:
  debug:
    verbosity: basic
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
    logs:
      receivers: [otlp]
      exporters: [debug]
`, c.addr)), 0o644)
	if err != nil {
		b.Fatal(err)
	}
	// start runs binaries from binDir: the Collector goes there by a link.
	link := filepath.Join(binDir, "otelcol")
	os.Remove(link)
	if err := os.Symlink(otelcol, link); err != nil {
		b.Fatal(err)
	}
	c.proc = start(b, "otelcol", c.addr, "--config", config)
	return c
}

// The fleet whose telemetry the benchmark sends: three services of a shop,
// two instances each.
var shopFleet = []struct{ service, version string }{{"checkout", "1.4.2"}, {"cart", "2.0.1"}, {"payments", "0.9.0"}}

const (
	shopInstances = 2
	shopRequests  = 1024 // HTTP requests each instance serves
)

// sdkExports returns the OTLP/gRPC trace and log requests the Go SDK's
// exporters send for the shop fleet: each instance serves shopRequests
// HTTP requests through otelhttp (a server span; an HTTP client span
// through otelhttp's transport or a database span; one order in ten fails
// with an exception event) and logs through the Logs API (messages with
// attributes, an event with a map body for each order, an error record
// for each failure). The SDKs' batch processors export 512 items a
// request, as they do by default, to an OTLP/gRPC receiver in this
// process that keeps each request's bytes.
func sdkExports(b *testing.B) (traces, logs []export) {
	rec := &recorder{}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, traceRecorder{recorder: rec})
	collogspb.RegisterLogsServiceServer(srv, logRecorder{recorder: rec})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(lis)
	defer srv.Stop()
	for _, svc := range shopFleet {
		for instance := range shopInstances {
			runShop(b, lis.Addr().String(), svc.service, svc.version, instance)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.traces) == 0 || len(rec.logs) == 0 {
		b.Fatalf("the SDK exported %d trace and %d log requests", len(rec.traces), len(rec.logs))
	}
	count := func(es []export) (n int) {
		for _, e := range es {
			n += e.items
		}
		return n
	}
	b.Logf("the SDK exported %d spans in %d requests and %d log records in %d", count(rec.traces), len(rec.traces), count(rec.logs), len(rec.logs))
	return rec.traces, rec.logs
}

// recorder keeps the requests it receives, re-encoded: the exporters
// encode them with the same generated types, so these are their bytes.
type recorder struct {
	mu           sync.Mutex
	traces, logs []export
}

func (r *recorder) keep(to *[]export, m proto.Message, items int) error {
	body, err := proto.Marshal(m)
	r.mu.Lock()
	defer r.mu.Unlock()
	*to = append(*to, export{body, items})
	return err
}

type traceRecorder struct {
	coltracepb.UnimplementedTraceServiceServer
	*recorder
}

func (r traceRecorder) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	n := 0
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			n += len(ss.Spans)
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, r.keep(&r.traces, req, n)
}

type logRecorder struct {
	collogspb.UnimplementedLogsServiceServer
	*recorder
}

func (r logRecorder) Export(_ context.Context, req *collogspb.ExportLogsServiceRequest) (*collogspb.ExportLogsServiceResponse, error) {
	n := 0
	for _, rl := range req.ResourceLogs {
		for _, sl := range rl.ScopeLogs {
			n += len(sl.LogRecords)
		}
	}
	return &collogspb.ExportLogsServiceResponse{}, r.keep(&r.logs, req, n)
}

// runShop is one instance of a shop service instrumented with the Go SDK,
// exporting its spans and logs to endpoint: it serves shopRequests
// requests on a loopback HTTP server, then flushes.
func runShop(b *testing.B, endpoint, service, version string, instance int) {
	ctx := context.Background()
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", service), attribute.String("service.namespace", "shop"),
		attribute.String("service.version", version), attribute.String("service.instance.id", fmt.Sprintf("%s-7d9f8b6c5-%d", service, instance)),
		attribute.String("deployment.environment.name", "production"), attribute.String("host.name", fmt.Sprintf("node-%d", instance)),
		attribute.String("host.arch", "amd64"), attribute.String("os.type", "linux"), attribute.Int("process.pid", 4000+instance),
		attribute.String("process.runtime.name", "go"), attribute.String("process.runtime.version", "go1.26.8")))
	if err != nil {
		b.Fatal(err)
	}
	texp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		b.Fatal(err)
	}
	// A queue that holds everything and waits rather than drop: the
	// capture must be complete, and a batch goes out at 512 spans.
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(texp,
		sdktrace.WithMaxQueueSize(1<<16), sdktrace.WithBlocking(), sdktrace.WithBatchTimeout(time.Hour)))
	lexp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(endpoint), otlploggrpc.WithInsecure())
	if err != nil {
		b.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(lexp,
		sdklog.WithMaxQueueSize(1<<16), sdklog.WithExportInterval(time.Hour))))

	app := &shop{tracer: tp.Tracer("github.com/example/shop/store"), logger: lp.Logger("github.com/example/shop"),
		downstream: &http.Client{Transport: otelhttp.NewTransport(downstream{}, otelhttp.WithTracerProvider(tp))}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/items/{id}", app.item)
	mux.HandleFunc("POST /api/orders", app.order)
	mux.HandleFunc("GET /api/cart/{user}", app.cart)
	srv := httptest.NewServer(otelhttp.NewHandler(mux, service, otelhttp.WithTracerProvider(tp)))
	defer srv.Close()
	client := srv.Client()
	for n := range shopRequests {
		var req *http.Request
		switch n % 3 {
		case 0:
			req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/items/%d", srv.URL, n%50), nil)
		case 1:
			req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/orders", strings.NewReader(fmt.Sprintf(`{"item":%d}`, n%50)))
		case 2:
			req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/cart/user-%d", srv.URL, n%200), nil)
		}
		req.Header.Set("User-Agent", "shop-web/3.1 (+https://shop.example)")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, err := range []error{tp.ForceFlush(ctx), lp.ForceFlush(ctx), tp.Shutdown(ctx), lp.Shutdown(ctx)} {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// shop is the handlers of the shop service.
type shop struct {
	tracer     trace.Tracer
	logger     otellog.Logger
	downstream *http.Client
	orders     int
	mu         sync.Mutex
}

// item reads an item from the database and its stock from the inventory
// service.
func (s *shop) item(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.query(r.Context(), "SELECT", "items", "SELECT id, name, price FROM items WHERE id = $1")
	s.call(r.Context(), "http://inventory.shop.svc:8080/stock/"+id)
	s.log(r.Context(), otellog.SeverityInfo, "INFO", attribute.StringValue("item "+id+" served"), "",
		attribute.String("code.function.name", "shop.(*shop).item"), attribute.String("item.id", id))
	io.WriteString(w, `{"id":`+id+`}`)
}

// order places an order; one in ten fails.
func (s *shop) order(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.orders++
	n := s.orders
	s.mu.Unlock()
	ctx := r.Context()
	s.query(ctx, "INSERT", "orders", "INSERT INTO orders (customer_id, item_id, total) VALUES ($1, $2, $3)")
	if n%10 == 0 {
		err := errors.New("payment declined: card expired")
		span := trace.SpanFromContext(ctx)
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		s.log(ctx, otellog.SeverityError, "ERROR", attribute.StringValue(fmt.Sprintf("order %d failed: %v", n, err)), "",
			attribute.String("code.function.name", "shop.(*shop).order"), attribute.Int("order.id", n),
			attribute.String("exception.type", "*errors.errorString"), attribute.String("exception.message", err.Error()))
		http.Error(w, "payment declined", http.StatusPaymentRequired)
		return
	}
	s.log(ctx, otellog.SeverityInfo, "INFO", attribute.MapValue(
		attribute.Int("order.id", n), attribute.Float64("order.total", float64(n%90)+9.99),
		attribute.String("currency", "EUR"),
		attribute.KeyValue{Key: "customer", Value: attribute.MapValue(attribute.String("id", fmt.Sprint("c-", n%200)), attribute.String("tier", "gold"))},
		attribute.KeyValue{Key: "items", Value: attribute.SliceValue(attribute.StringValue("sku-1"), attribute.StringValue("sku-2"))},
	), "shop.order.placed")
	s.log(ctx, otellog.SeverityInfo, "INFO", attribute.StringValue(fmt.Sprintf("order %d placed", n)), "",
		attribute.String("code.function.name", "shop.(*shop).order"), attribute.Int("order.id", n))
	w.WriteHeader(http.StatusCreated)
}

// cart prices a user's cart through the pricing service.
func (s *shop) cart(w http.ResponseWriter, r *http.Request) {
	s.call(r.Context(), "http://pricing.shop.svc:8080/quote?user="+r.PathValue("user"))
	io.WriteString(w, `{"items":[]}`)
}

// query records a database client span as database instrumentations do.
func (s *shop) query(ctx context.Context, op, table, text string) {
	_, span := s.tracer.Start(ctx, op+" "+table, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "postgresql"), attribute.String("db.namespace", "shop"),
		attribute.String("db.operation.name", op), attribute.String("db.collection.name", table),
		attribute.String("db.query.text", text), attribute.String("server.address", "db.shop.svc"), attribute.Int("server.port", 5432)))
	span.End()
}

// call makes an HTTP request through otelhttp's transport, which records
// its client span.
func (s *shop) call(ctx context.Context, url string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if resp, err := s.downstream.Do(req); err == nil {
		resp.Body.Close()
	}
}

// log emits a record through the Logs API, in the request's trace.
func (s *shop) log(ctx context.Context, sev otellog.Severity, text string, body attribute.Value, event string, attrs ...attribute.KeyValue) {
	var r otellog.Record
	now := time.Now()
	r.SetTimestamp(now)
	r.SetObservedTimestamp(now)
	r.SetSeverity(sev)
	r.SetSeverityText(text)
	r.SetBody(body)
	r.SetEventName(event)
	r.AddAttributes(attrs...)
	s.logger.Emit(ctx, r)
}

// downstream answers every request with 200, standing in for the services
// the shop calls.
type downstream struct{}

func (downstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: r}, nil
}
