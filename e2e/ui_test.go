package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog/storetest"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// meterProvider is one instance of a release of a service instrumented
// with the OpenTelemetry Go SDK, exporting to the stack's ingest when
// flushed.
func meterProvider(t *testing.T, s *stack, service, version, instance string, overGRPC bool) *sdkmetric.MeterProvider {
	t.Helper()
	ctx := context.Background()
	var exp sdkmetric.Exporter
	var err error
	if overGRPC {
		exp, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(s.grpcAddr), otlpmetricgrpc.WithInsecure())
	} else {
		exp, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(s.httpAddr), otlpmetrichttp.WithInsecure())
	}
	if err != nil {
		t.Fatal(err)
	}
	return sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", service),
			attribute.String("service.version", version), attribute.String("service.instance.id", instance))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
}

const httpScope = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// emit sends one export from release 2.3.0 of a service. statusAsString
// makes http.response.status_code a string, as a misbehaving service might
// send it; failing adds a failed request, which carries error.type as
// semantic conventions ask; more are more attributes on the active
// requests.
func emit(t *testing.T, s *stack, service string, overGRPC, statusAsString, failing bool, more ...attribute.KeyValue) {
	t.Helper()
	ctx := context.Background()
	mp := meterProvider(t, s, service, "2.3.0", service+"-7f9c", overGRPC)
	defer mp.Shutdown(ctx)
	m := mp.Meter(httpScope, metric.WithInstrumentationVersion("0.61.0"))
	dur, _ := m.Float64Histogram("http.server.request.duration", metric.WithUnit("s"), metric.WithDescription("Duration of HTTP server requests."))
	status := attribute.Int("http.response.status_code", 200)
	if statusAsString {
		status = attribute.String("http.response.status_code", "200")
	}
	dur.Record(ctx, 0.12, metric.WithAttributes(attribute.String("http.request.method", "GET"), status))
	if failing {
		dur.Record(ctx, 0.5, metric.WithAttributes(attribute.String("http.request.method", "POST"), attribute.Int("http.response.status_code", 500),
			attribute.String("error.type", "500")))
	}
	active, _ := m.Int64UpDownCounter("http.server.active_requests", metric.WithUnit("{request}"))
	active.Add(ctx, 2, metric.WithAttributes(append([]attribute.KeyValue{attribute.String("http.request.method", "GET")}, more...)...))
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
}

// emitNextRelease sends one export from checkout 2.4.0, a deploy after
// 2.3.0 whose active requests carry http.route on some points only: an
// optional attribute more, a minor change.
func emitNextRelease(t *testing.T, s *stack) {
	t.Helper()
	ctx := context.Background()
	mp := meterProvider(t, s, "checkout", "2.4.0", "checkout-8a1d", true)
	defer mp.Shutdown(ctx)
	active, _ := mp.Meter(httpScope, metric.WithInstrumentationVersion("0.62.0")).
		Int64UpDownCounter("http.server.active_requests", metric.WithUnit("{request}"))
	active.Add(ctx, 2, metric.WithAttributes(attribute.String("http.request.method", "GET")))
	active.Add(ctx, 1, metric.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("http.route", "/cart")))
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
}

// activeRequests is the metric the UI test versions: checkout's shape of
// it gets 1.0.0 through the API, and its next release's shape a proposal.
const activeRequests = "http.server.active_requests"

// versionCheckoutsActiveRequests gives the active requests' schema that
// checkout 2.3.0 sends (the one without user.email) version 1.0.0, through
// the API as a person would.
func versionCheckoutsActiveRequests(t *testing.T, s *stack) {
	t.Helper()
	ctx := context.Background()
	list, err := s.client().ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: activeRequests})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list.Schemas, func(sc *tallycatv1.Schema) bool {
		return !slices.ContainsFunc(sc.Fields, func(f *tallycatv1.Field) bool { return f.Name == "user.email" })
	})
	if i < 0 {
		t.Fatalf("no schema of %s without user.email among %d", activeRequests, len(list.Schemas))
	}
	ctx, call := connect.NewClientContext(ctx)
	call.RequestHeader().Set("X-TallyCat-Actor", "platform-team")
	req := &tallycatv1.AssignVersionRequest{SchemaId: list.Schemas[i].SchemaId, Version: "1.0.0"}
	if _, err := tallycatv1connect.NewVersioningServiceClient(http.DefaultClient, s.catalogURL).AssignVersion(ctx, req); err != nil {
		t.Fatal(err)
	}
}

// minorProposal checks that the catalog proposes 1.1.0, a minor version, for
// the schema checkout 2.4.0 sends, relative to 1.0.0.
func minorProposal(s *stack) func() error {
	return func() error {
		res, err := tallycatv1connect.NewVersioningServiceClient(http.DefaultClient, s.catalogURL).
			ListProposals(context.Background(), &tallycatv1.ListProposalsRequest{SchemaKey: activeRequests})
		if err != nil {
			return err
		}
		if len(res.Proposals) != 1 {
			return fmt.Errorf("%d proposals: %v", len(res.Proposals), res.Proposals)
		}
		p := res.Proposals[0]
		if p.ProposedVersion != "1.1.0" || p.BaseVersion != "1.0.0" || p.ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR {
			return fmt.Errorf("proposal %v", p)
		}
		return nil
	}
}

// policy bans user.email, which payments sends on its active requests: a
// policy_violation finding.
const policy = `rules:
  - name: no-personal-data
    banned_attributes: ["user.email"]
`

// startStackWithPolicy is startStack with the catalog judging against a
// policy file.
func startStackWithPolicy(t *testing.T, db, policy string) *stack {
	t.Helper()
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	return startStack(t, db, "--policy", file)
}

// methodValuesKept checks that the current schema with error.type (the
// one checkout's release moved to) lists http.request.method's values GET
// and POST: the UI test reads them on that schema's page.
func methodValuesKept(s *stack) func() error {
	return func() error {
		ctx := context.Background()
		list, err := s.client().ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "http.server.request.duration"})
		if err != nil {
			return err
		}
		for _, sc := range list.Schemas {
			if !slices.ContainsFunc(sc.Fields, func(f *tallycatv1.Field) bool { return f.Name == "error.type" }) {
				continue
			}
			res, err := s.client().GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: sc.SchemaId})
			if err != nil {
				return err
			}
			for _, f := range res.GetSchema().GetFields() {
				if f.Name != "http.request.method" {
					continue
				}
				var values []string
				for _, v := range f.ExampleValues {
					values = append(values, v.Value)
				}
				slices.Sort(values)
				if f.ExampleValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT || !slices.Equal(values, []string{"GET", "POST"}) {
					return fmt.Errorf("http.request.method: %v %v", f.ExampleValuesState, values)
				}
				return nil
			}
			return fmt.Errorf("schema %s has no http.request.method", sc.SchemaId)
		}
		return fmt.Errorf("no current schema with error.type among %d", len(list.Schemas))
	}
}

// TestUIInChromium drives the built UI in Debian's Chromium with
// playwright-core against a real catalog and ingest filled by the SDK:
// search, open a metric with two schemas, see a sometimes-present
// attribute and the schema its release moved from, diff them, see a
// field's example values, assign a version and see it kept across a
// reload, see the errors a wrong version gets, find the metric among
// those with the most series on the Cardinality page, accept the minor
// version proposed for a new release's shape of a versioned metric, and
// see the policy violation of an attribute the team's policy bans.
func TestUIInChromium(t *testing.T) {
	for _, need := range []string{filepath.Join(repoRoot, "web/dist/index.html"), filepath.Join(repoRoot, "web/node_modules/playwright-core"), "/usr/bin/chromium"} {
		if _, err := os.Stat(need); err != nil {
			t.Fatalf("%s is missing (%v): run `make build` (and install Debian's chromium) first", need, err)
		}
	}
	// DuckDB, or PostgreSQL when make test runs it again on that engine.
	s := startStackWithPolicy(t, storetest.DB(t), policy)
	schemas := func(want int, superseded bool) func() error {
		return func() error {
			res, err := s.client().ListSchemas(context.Background(), &tallycatv1.ListSchemasRequest{
				SchemaKey: "http.server.request.duration", IncludeSuperseded: superseded})
			if err != nil {
				return err
			}
			if len(res.Schemas) != want {
				return fmt.Errorf("%d schemas", len(res.Schemas))
			}
			return nil
		}
	}
	emit(t, s, "checkout", true, false, false)
	emit(t, s, "payments", false, true, false, attribute.String("user.email", "ana@example.com"))
	testenv.Eventually(t, 10*time.Second, "both schemas reach the catalog", schemas(2, false))
	// Checkout's active requests get a version; its next release adds an
	// optional attribute to them: a minor version is proposed.
	versionCheckoutsActiveRequests(t, s)
	emitNextRelease(t, s)
	testenv.Eventually(t, 10*time.Second, "1.1.0 is proposed for checkout 2.4.0's active requests", minorProposal(s))
	// Checkout then fails a request: its release moves to the schema with
	// error.type, which is sometimes present there.
	emit(t, s, "checkout", true, false, true)
	testenv.Eventually(t, 10*time.Second, "checkout's release moves", schemas(3, true))
	// The cost figures the UI shows: the metric's series among the top
	// metrics, and the methods checkout's current schema carried.
	testenv.Eventually(t, 10*time.Second, "the metric's series are counted", func() error {
		res, err := s.client().ListTopSeries(context.Background(), &tallycatv1.ListTopSeriesRequest{})
		if err != nil {
			return err
		}
		for _, m := range res.Metrics {
			if m.SchemaKey == "http.server.request.duration" && m.GetCost().GetSeriesEstimate() > 0 {
				return nil
			}
		}
		return fmt.Errorf("top metrics: %v", res.Metrics)
	})
	testenv.Eventually(t, 10*time.Second, "http.request.method's values GET and POST are kept", methodValuesKept(s))

	out := os.Getenv("TALLYCAT_E2E_OUT")
	if out == "" {
		out, _ = filepath.Abs(filepath.Join(repoRoot, "web/test-results/e2e"))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e/ui.e2e.mjs", s.catalogURL, out)
	cmd.Dir = filepath.Join(repoRoot, "web")
	output, err := cmd.CombinedOutput()
	t.Logf("browser run:\n%s", output)
	if err != nil {
		t.Fatalf("the UI test in Chromium failed: %v (screenshots in %s)", err, out)
	}
	t.Logf("screenshots in %s", out)
}
