//go:build collector

// Package collector runs the Collector configuration TallyCat generates in
// a real OpenTelemetry Collector (contrib's transform and filter processors,
// v0.161.0) between a Go SDK producer and TallyCat's ingest. It needs the
// Collector `make test-collector` builds, named by $TALLYCAT_OTELCOL, and
// is built only with the `collector` tag, so that `go test ./...` does not
// list a test it cannot run; CI runs it through `make test-collector`.
package collector

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

const policy = `
rules:
  - name: no-personal-data
    signals: [metrics, spans, logs]
    banned_attributes: ["user.email", "*.password"]
  - name: user-id-cardinality
    max_distinct_values: {attribute: user.id, max: 1000}
  - name: no-debug
    banned_metrics: ["debug.*"]
`

// TestCollectorEnforcesPolicies is the end-to-end case of docs/POLICIES.md: a policy banning
// user.email on every signal and capping user.id at 1,000 distinct values
// gives findings for a Go SDK producer sending both on a metric, and
// user.email on a span, its event and a log record; the generated
// configuration, run in a real Collector in front of the ingest, removes
// them (and drops a banned metric) from what reaches the catalog.
func TestCollectorEnforcesPolicies(t *testing.T) {
	otelcol := os.Getenv("TALLYCAT_OTELCOL")
	if otelcol == "" {
		t.Fatal("$TALLYCAT_OTELCOL names no Collector: run `make test-collector`")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", bin+"/", "./services/catalog/cmd/tallycat-catalog", "./services/ingest/cmd/tallycat-ingest")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the binaries: %v\n%s", err, out)
	}
	policyFile := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policyFile, []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	catalogAddr, ingestGRPC, ingestHTTP := testenv.FreeAddr(t), testenv.FreeAddr(t), testenv.FreeAddr(t)
	catalogURL := "http://" + catalogAddr
	start(t, filepath.Join(bin, "tallycat-catalog"), catalogAddr, "--listen", catalogAddr, "--db", filepath.Join(dir, "catalog.duckdb"), "--policy", policyFile)
	start(t, filepath.Join(bin, "tallycat-ingest"), ingestGRPC, "--catalog-url", catalogURL,
		"--otlp-grpc-listen", ingestGRPC, "--otlp-http-listen", ingestHTTP, "--flush-interval", "200ms")
	conformance := tallycatv1connect.NewConformanceServiceClient(http.DefaultClient, catalogURL)
	schemas := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, catalogURL)

	// Before the Collector: the producer's data reaches the catalog, and
	// the policy says what is wrong with it.
	send(t, ingestGRPC, "1.0.0")
	var config []byte
	testenv.Eventually(t, 30*time.Second, "policy findings for user.email and user.id, and a config deleting both", func() error {
		for _, sig := range []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_SPAN, tallycatv1.Signal_SIGNAL_LOG} {
			res, err := conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: signalKeys[sig], Signals: []tallycatv1.Signal{sig},
				FindingIds: []string{"policy_violation"}})
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(res.Findings, func(f *tallycatv1.Finding) bool { return f.Attribute == "user.email" }) {
				return fmt.Errorf("no policy finding for user.email on the %s %q: %v", sig, signalKeys[sig], res.Findings)
			}
		}
		res, err := conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: "shop.logins", FindingIds: []string{"policy_violation"}})
		if err != nil {
			return err
		}
		var attrs []string
		for _, f := range res.Findings {
			attrs = append(attrs, f.Attribute)
		}
		if !slices.Contains(attrs, "user.email") || !slices.Contains(attrs, "user.id") {
			return fmt.Errorf("policy findings on %q", attrs)
		}
		cfg, err := conformance.GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{IncludeCardinalityCaps: true})
		if err != nil {
			return err
		}
		config = cfg.Config
		if !bytes.Contains(config, []byte(`delete_key(datapoint.attributes, "user.id")`)) {
			return fmt.Errorf("no cap in the config yet:\n%s", config)
		}
		return nil
	})
	for _, want := range []string{`delete_key(span.attributes, "user.email")`, `delete_key(spanevent.attributes, "user.email")`, `delete_key(log.attributes, "user.email")`} {
		if !bytes.Contains(config, []byte(want)) {
			t.Fatalf("no %s in the config:\n%s", want, config)
		}
	}
	before := schemaIDs(t, schemas, "shop.logins")
	beforeSignals := map[tallycatv1.Signal]map[string]bool{}
	for sig, key := range signalKeys {
		beforeSignals[sig] = map[string]bool{}
		for id := range signalSchemas(t, schemas, sig, key) {
			beforeSignals[sig][id] = true
		}
	}

	// The Collector, with the generated processors, in front of the ingest.
	collectorAddr := testenv.FreeAddr(t)
	file := filepath.Join(dir, "otelcol.yaml")
	full := string(config) + fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
exporters:
  otlp:
    endpoint: %s
    tls:
      insecure: true
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [filter/tallycat, transform/tallycat]
      exporters: [otlp]
    traces:
      receivers: [otlp]
      processors: [transform/tallycat]
      exporters: [otlp]
    logs:
      receivers: [otlp]
      processors: [transform/tallycat]
      exporters: [otlp]
`, collectorAddr, ingestGRPC)
	if err := os.WriteFile(file, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(otelcol, "validate", "--config", file).CombinedOutput(); err != nil {
		t.Fatalf("otelcol validate: %v\n%s\n%s", err, out, full)
	}
	start(t, otelcol, collectorAddr, "--config", file)

	send(t, collectorAddr, "2.0.0")
	var fresh []*tallycatv1.Schema
	testenv.Eventually(t, 30*time.Second, "a new schema of shop.logins through the Collector", func() error {
		fresh = nil
		for id, s := range schemaMap(t, schemas, "shop.logins") {
			if !before[id] {
				fresh = append(fresh, s)
			}
		}
		if len(fresh) == 0 {
			return fmt.Errorf("no new schema: what came through the Collector has the shape it had before")
		}
		return nil
	})
	for _, s := range fresh {
		var names []string
		for _, f := range s.Fields {
			if f.Source == DataPoint {
				names = append(names, f.Name)
			}
		}
		if slices.Contains(names, "user.email") || slices.Contains(names, "user.id") || slices.Contains(names, "db.password") || !slices.Contains(names, "region") {
			t.Errorf("schema %s through the Collector has data point attributes %q; want region without user.email, user.id, db.password", s.SchemaId, names)
		}
	}
	for sig, key := range signalKeys {
		var fresh []*tallycatv1.Schema
		testenv.Eventually(t, 30*time.Second, fmt.Sprintf("a new schema of the %s %q through the Collector", sig, key), func() error {
			fresh = nil
			for id, s := range signalSchemas(t, schemas, sig, key) {
				if !beforeSignals[sig][id] {
					fresh = append(fresh, s)
				}
			}
			if len(fresh) == 0 {
				return fmt.Errorf("no new schema: what came through the Collector has the shape it had before")
			}
			return nil
		})
		for _, s := range fresh {
			var names []string
			for _, f := range s.Fields {
				switch f.Source {
				case tallycatv1.FieldSource_FIELD_SOURCE_SPAN, tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD, tallycatv1.FieldSource_FIELD_SOURCE_EVENT:
					if f.Name != "" { // not the event itself
						names = append(names, strings.TrimSpace(f.EventName+" "+f.Name))
					}
				}
			}
			want := []string{"region"}
			if sig == tallycatv1.Signal_SIGNAL_SPAN {
				want = []string{"login region", "region"}
			}
			if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, "user.email") }) || !slices.Equal(sortedCopy(names), want) {
				t.Errorf("%s schema %s through the Collector has attributes %q; want %q, without user.email", sig, s.SchemaId, names, want)
			}
		}
	}
	if got := schemaMap(t, schemas, "debug.queue"); len(got) != 1 {
		t.Errorf("debug.queue: %d schemas, want the one sent before the Collector", len(got))
	}
	// The banned metric would make no new schema through the Collector
	// (its shape is the same), so look for the Collector's release among
	// its producers instead.
	res, err := conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: "debug.queue", FindingIds: []string{"policy_violation"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		for _, p := range f.Producers {
			if p.ServiceVersion == "2.0.0" {
				t.Errorf("debug.queue reached the catalog through the Collector: %v", f)
			}
		}
	}
}

// signalKeys are the span and the log event that send sends, by signal.
var signalKeys = map[tallycatv1.Signal]string{tallycatv1.Signal_SIGNAL_SPAN: "checkout", tallycatv1.Signal_SIGNAL_LOG: "shop.login"}

// send records, with the Go SDK, shop.logins with user.email, user.id
// (1,500 users), db.password and region, and a debug.queue gauge; a span
// checkout with user.email and region, on the span and on its event login;
// and a log record of the event shop.login with user.email and region. All
// come from release version of the shop service, to an OTLP/gRPC endpoint.
func send(t *testing.T, endpoint, version string) {
	t.Helper()
	ctx := context.Background()
	res := resource.NewSchemaless(attribute.String("service.name", "shop"), attribute.String("service.version", version))
	sendSpanAndLog(t, endpoint, res)
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(res),
		sdkmetric.WithCardinalityLimit(0),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	defer mp.Shutdown(ctx)
	meter := mp.Meter("shop")
	logins, err := meter.Int64Counter("shop.logins")
	if err != nil {
		t.Fatal(err)
	}
	queue, err := meter.Int64Gauge("debug.queue")
	if err != nil {
		t.Fatal(err)
	}
	regions := []string{"eu", "us", "ap"}
	for u := 0; u < 1500; u++ {
		logins.Add(ctx, 1, metric.WithAttributes(attribute.String("user.id", fmt.Sprintf("user-%d", u)),
			attribute.String("user.email", fmt.Sprintf("user-%d@example.com", u)), attribute.String("db.password", "hunter2"),
			attribute.String("region", regions[u%3])))
	}
	queue.Record(ctx, 3)
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
}

// sendSpanAndLog sends, with the Go SDK's tracer and logger, the span and
// the log record send describes.
func sendSpanAndLog(t *testing.T, endpoint string, res *resource.Resource) {
	t.Helper()
	ctx := context.Background()
	texp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(texp), sdktrace.WithResource(res))
	defer tp.Shutdown(ctx)
	personal := []attribute.KeyValue{attribute.String("user.email", "someone@example.com"), attribute.String("region", "eu")}
	_, span := tp.Tracer("shop").Start(ctx, "checkout", trace.WithAttributes(personal...))
	span.AddEvent("login", trace.WithAttributes(personal...))
	span.End()
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	lexp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(endpoint), otlploggrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(lexp)), sdklog.WithResource(res))
	defer lp.Shutdown(ctx)
	var r otellog.Record
	r.SetEventName("shop.login")
	r.SetSeverity(otellog.SeverityInfo)
	r.AddAttributes(personal...)
	lp.Logger("shop").Emit(ctx, r)
	if err := lp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
}

// signalSchemas are the schemas of a span's or a log event's key, by id.
func signalSchemas(t *testing.T, c tallycatv1connect.CatalogServiceClient, sig tallycatv1.Signal, key string) map[string]*tallycatv1.Schema {
	t.Helper()
	res, err := c.ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{SchemaKey: key, Signal: sig, IncludeSuperseded: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tallycatv1.Schema{}
	for _, s := range res.Schemas {
		out[s.SchemaId] = s
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func schemaMap(t *testing.T, c tallycatv1connect.CatalogServiceClient, key string) map[string]*tallycatv1.Schema {
	t.Helper()
	res, err := c.ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{SchemaKey: key, IncludeSuperseded: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tallycatv1.Schema{}
	for _, s := range res.Schemas {
		out[s.SchemaId] = s
	}
	return out
}

func schemaIDs(t *testing.T, c tallycatv1connect.CatalogServiceClient, key string) map[string]bool {
	out := map[string]bool{}
	for id := range schemaMap(t, c, key) {
		out[id] = true
	}
	return out
}

// start runs a program until the test ends, once addr accepts connections.
func start(t *testing.T, program, addr string, args ...string) {
	t.Helper()
	var log bytes.Buffer
	cmd := exec.Command(program, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", filepath.Base(program), strings.TrimSpace(log.String()))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-done:
			t.Fatalf("%s exited at start: %v\n%s", program, err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v\n%s", program, addr, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
