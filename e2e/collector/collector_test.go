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
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

const policy = `
rules:
  - name: no-personal-data
    banned_attributes: ["user.email", "*.password"]
  - name: user-id-cardinality
    max_distinct_values: {attribute: user.id, max: 1000}
  - name: no-debug
    banned_metrics: ["debug.*"]
`

// TestCollectorEnforcesPolicies is the end-to-end case of docs/POLICIES.md: a policy banning
// user.email and capping user.id at 1,000 distinct values gives findings
// for a Go SDK producer sending both; the generated configuration, run in
// a real Collector in front of the ingest, removes both (and drops a
// banned metric) from what reaches the catalog.
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
	before := schemaIDs(t, schemas, "shop.logins")

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

// send records, with the Go SDK, shop.logins with user.email, user.id
// (1,500 users), db.password and region, and a debug.queue gauge, from
// release version of the shop service, to an OTLP/gRPC endpoint.
func send(t *testing.T, endpoint, version string) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"), attribute.String("service.version", version))),
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
