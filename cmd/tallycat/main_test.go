package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// catalogWith serves an in-memory catalog holding the given observations.
func catalogWith(t *testing.T, obs ...*tallycatv1.Observation) string {
	t.Helper()
	store, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	if len(obs) > 0 {
		client := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, srv.URL)
		if _, err := client.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: obs}); err != nil {
			t.Fatal(err)
		}
	}
	return srv.URL
}

func observation(name string, typ tallycatv1.MetricType, monotonic bool, unit string, attrs ...string) *tallycatv1.Observation {
	now := timestamppb.New(time.Now())
	o := &tallycatv1.Observation{MetricName: name, MetricType: typ, Monotonic: monotonic, Unit: unit,
		Producer: &tallycatv1.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.4.2"}, DataPointCount: 1, FirstObserved: now, LastObserved: now}
	if typ != Gauge {
		o.Temporality = Cumulative
	}
	for _, a := range attrs {
		o.DataPointAttributes = append(o.DataPointAttributes, &tallycatv1.AttributeKey{Name: a, ValueType: String})
	}
	return o
}

func runCLI(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := run(context.Background(), args, &out, &errs)
	return code, out.String(), errs.String()
}

// TestCheckGates: a catalog with violations fails the check (1) and says
// which; one whose metrics conform passes (0) at the default level; an
// unreachable catalog or a wrong flag is trouble (2), said on stderr.
func TestCheckGates(t *testing.T) {
	bad := catalogWith(t, observation("http.server.request.duration", Histogram, false, "ms", "http.request.method"))
	code, out, _ := runCLI("check", "--catalog", bad)
	if code != exitFindings || !strings.Contains(out, "unit_mismatch") || !strings.Contains(out, "expected s, got ms") || !strings.Contains(out, "checkout@1.4.2") {
		t.Errorf("violations: exit %d, output:\n%s", code, out)
	}
	if code, _, _ := runCLI("check", "--catalog", bad, "--fail-on", "none"); code != exitOK {
		t.Errorf("--fail-on none: exit %d, want 0", code)
	}
	code, out, _ = runCLI("check", "--catalog", bad, "--format", "json")
	var findings []map[string]any
	if err := json.Unmarshal([]byte(out), &findings); err != nil || code != exitFindings || len(findings) == 0 || findings[0]["finding_id"] == nil {
		t.Errorf("json: exit %d, %v, output %.200s", code, err, out)
	}

	good := catalogWith(t, observation("http.server.active_requests", Sum, false, "{request}", "http.request.method", "url.scheme"))
	code, out, _ = runCLI("check", "--catalog", good)
	if code != exitOK || !strings.Contains(out, "none at or above violation") {
		t.Errorf("conforming: exit %d, output:\n%s", code, out)
	}
	if code, _, _ := runCLI("check", "--catalog", good, "--fail-on", "information"); code != exitFindings {
		t.Errorf("conforming but development: --fail-on information gives %d, want 1 (not_stable)", code)
	}

	nobody := "http://" + testenv.FreeAddr(t)
	if code, _, errs := runCLI("check", "--catalog", nobody); code != exitTrouble || !strings.Contains(errs, "cannot be reached") {
		t.Errorf("unreachable: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI("check", "--fail-on", "sometimes"); code != exitTrouble || !strings.Contains(errs, "--fail-on") {
		t.Errorf("a wrong level: exit %d, stderr %q", code, errs)
	}
}

// TestExportThenJudgeAgainstIt: after `tallycat registry export`, a catalog
// started with --registry on the export no longer finds the team's own
// metric missing.
func TestExportThenJudgeAgainstIt(t *testing.T) {
	custom := observation("shop.cart.items", Gauge, false, "{item}", "shop.cart.tier")
	url := catalogWith(t, custom)
	code, out, _ := runCLI("check", "--catalog", url)
	if code != exitFindings || !strings.Contains(out, "missing_metric") {
		t.Fatalf("before: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	if code, out, errs := runCLI("registry", "export", "--catalog", url, "--out", dir); code != exitOK || !strings.Contains(out, "shop/metrics.yaml") {
		t.Fatalf("export: exit %d, %s %s", code, out, errs)
	}

	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := builtin.Load(dir)
	if err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	store, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{Findings: &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg}}}))
	t.Cleanup(srv.Close)
	client := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, srv.URL)
	if _, err := client.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{custom}}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI("check", "--catalog", srv.URL)
	if code != exitOK || strings.Contains(out, "missing_metric") || strings.Contains(out, "missing_attribute") {
		t.Errorf("after: exit %d\n%s", code, out)
	}
}

// TestCheckFailsOnAPolicyViolation: the policy gate in CI. A catalog whose team
// bans user.email fails `tallycat check --fail-on violation` when a
// service sends it, and the output names the rule; without the banned
// attribute the same metric passes the policy.
func TestCheckFailsOnAPolicyViolation(t *testing.T) {
	rules, err := conformance.ParsePolicy([]byte("rules:\n  - name: no-personal-data\n    banned_attributes: [\"user.email\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	serve := func(obs *tallycatv1.Observation) string {
		store, err := duckdb.Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		findings := &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg, Policies: rules}}
		srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{Findings: findings}))
		t.Cleanup(srv.Close)
		client := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, srv.URL)
		if _, err := client.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{obs}}); err != nil {
			t.Fatal(err)
		}
		return srv.URL
	}
	logins := func(attrs ...string) *tallycatv1.Observation {
		return observation("shop.logins", Sum, true, "{login}", attrs...)
	}
	code, out, _ := runCLI("check", "--catalog", serve(logins("user.email")), "--fail-on", "violation")
	if code != exitFindings || !strings.Contains(out, "policy_violation") || !strings.Contains(out, "no-personal-data") || !strings.Contains(out, "user.email") {
		t.Errorf("a banned attribute: exit %d, output:\n%s", code, out)
	}
	_, out, _ = runCLI("check", "--catalog", serve(logins("shop.region")), "--fail-on", "violation", "--format", "json")
	if strings.Contains(out, "policy_violation") {
		t.Errorf("no banned attribute, yet a policy violation:\n%s", out)
	}
}
