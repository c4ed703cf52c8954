package main

import (
	"context"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// logsReceiver is an OTLP/gRPC log receiver that keeps every record it is
// sent with its resource's service name.
type logsReceiver struct {
	collogspb.UnimplementedLogsServiceServer
	mu      sync.Mutex
	records []received
}

type received struct {
	service string
	*logspb.LogRecord
}

func (r *logsReceiver) Export(_ context.Context, req *collogspb.ExportLogsServiceRequest) (*collogspb.ExportLogsServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rl := range req.GetResourceLogs() {
		service := str(rl.GetResource().GetAttributes(), "service.name")
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				r.records = append(r.records, received{service, lr})
			}
		}
	}
	return &collogspb.ExportLogsServiceResponse{}, nil
}

// named returns the records of one event name.
func (r *logsReceiver) named(name string) []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []received
	for _, rec := range r.records {
		if rec.GetEventName() == name {
			out = append(out, rec)
		}
	}
	return out
}

// startReceiver serves a logsReceiver on a free loopback port.
func startReceiver(t *testing.T) (*logsReceiver, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r, srv := &logsReceiver{}, grpc.NewServer()
	collogspb.RegisterLogsServiceServer(srv, r)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return r, ln.Addr().String()
}

// str reads a string attribute; strs a string array one.
func str(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

func strs(kvs []*commonpb.KeyValue, key string) []string {
	var out []string
	for _, kv := range kvs {
		if kv.GetKey() == key {
			for _, v := range kv.GetValue().GetArrayValue().GetValues() {
				out = append(out, v.GetStringValue())
			}
		}
	}
	return out
}

// TestEventsReachAnOTLPReceiver runs the catalog with
// TALLYCAT_EVENTS_OTLP_ENDPOINT set to an in-test OTLP receiver, records a
// schema, judges, records a batch that grows the release's union and adds a
// metric the semantic conventions do not define (twice: the retry tells
// nothing), judges again, stops the catalog (which flushes), and checks the
// schema changes and the findings the receiver got.
func TestEventsReachAnOTLPReceiver(t *testing.T) {
	recv, addr := startReceiver(t)
	t.Setenv("TALLYCAT_EVENTS_OTLP_ENDPOINT", addr)
	m, url, stop := startMainWith(t, "--db", ":memory:")
	if m.Config.EventsEndpoint != addr {
		t.Fatalf("events endpoint = %q, want the environment's %q", m.Config.EventsEndpoint, addr)
	}
	ctx := context.Background()
	// At least one judging is done before anything is recorded: the first
	// is never announced.
	if err := m.findings.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	client := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, url)
	now := time.Now()
	observation := func(name string, typ tallycatv1.MetricType, unit string, attrs ...string) *tallycatv1.Observation {
		o := &tallycatv1.Observation{MetricName: name, MetricType: typ, Unit: unit, Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE,
			Monotonic: typ == tallycatv1.MetricType_METRIC_TYPE_SUM,
			Producer:  &tallycatv1.ProducerIdentity{ServiceName: "shop", ServiceVersion: "1.0.0", ServiceInstanceId: "shop-1"},
			ScopeName: "io.example/shop", DataPointCount: 5, FirstObserved: timestamppb.New(now), LastObserved: timestamppb.New(now)}
		for _, a := range attrs {
			o.DataPointAttributes = append(o.DataPointAttributes, &tallycatv1.AttributeKey{Name: a, ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING})
		}
		return o
	}
	record := func(id string, obs ...*tallycatv1.Observation) *tallycatv1.RecordObservationsResponse {
		t.Helper()
		res, err := client.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: id, Observations: obs})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	const duration, items = "http.server.request.duration", "shop.cart.items"
	histogram := tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM
	first := record(uuid.NewString(), observation(duration, histogram, "ms", "http.request.method")).GetSchemaIds()[0]
	if err := m.findings.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	batch := uuid.NewString()
	grown := record(batch, observation(duration, histogram, "ms", "http.request.method", "error.type"),
		observation(items, tallycatv1.MetricType_METRIC_TYPE_SUM, "{item}")).GetSchemaIds()
	if again := record(batch, observation(duration, histogram, "ms", "http.request.method", "error.type"),
		observation(items, tallycatv1.MetricType_METRIC_TYPE_SUM, "{item}")); !again.GetDuplicate() {
		t.Fatalf("the retried batch = %v, want a duplicate", again)
	}
	if err := m.findings.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	stop() // flushes what is queued

	// Schema changes: the first schema, the union it grew into, the move
	// between them, the new metric; nothing for the retry.
	changes := recv.named("tallycat.schema.change")
	kinds := map[string][]received{}
	for _, c := range changes {
		if c.service != "tallycat-catalog" || c.GetSeverityNumber() != logspb.SeverityNumber_SEVERITY_NUMBER_INFO || c.GetTimeUnixNano() == 0 {
			t.Errorf("schema change from %q at %v, time %d: want the catalog's resource, INFO, a time", c.service, c.GetSeverityNumber(), c.GetTimeUnixNano())
		}
		kind := str(c.GetAttributes(), "tallycat.schema.change.kind")
		kinds[kind] = append(kinds[kind], c)
	}
	if len(changes) != 4 || len(kinds["schema_first_seen"]) != 3 || len(kinds["producer_moved"]) != 1 {
		t.Fatalf("schema changes = %d (%v), want 3 first seen and 1 move", len(changes), changes)
	}
	var seen []string
	for _, c := range kinds["schema_first_seen"] {
		a := c.GetAttributes()
		seen = append(seen, str(a, "tallycat.schema.key")+" "+str(a, "tallycat.schema.id"))
		if str(a, "tallycat.producer.service.name") != "shop" || str(a, "tallycat.producer.service.instance.id") != "shop-1" {
			t.Errorf("first seen from %v, want shop-1", a)
		}
	}
	slices.Sort(seen)
	if want := []string{duration + " " + first, duration + " " + grown[0], items + " " + grown[1]}; !slices.Equal(seen, sortedCopy(want)) {
		t.Errorf("first seen = %v, want %v", seen, want)
	}
	mv := kinds["producer_moved"][0]
	a := mv.GetAttributes()
	if str(a, "tallycat.schema.key") != duration || str(a, "tallycat.schema.id") != first || str(a, "tallycat.schema.change.target_id") != grown[0] ||
		!slices.Equal(strs(a, "tallycat.schema.change.added_attributes"), []string{"error.type"}) ||
		str(a, "tallycat.producer.service.name") != "shop" || str(a, "tallycat.producer.service.version") != "1.0.0" ||
		!strings.Contains(mv.GetBody().GetStringValue(), "shop 1.0.0 moved from "+first[:8]) {
		t.Errorf("move = %v %q", a, mv.GetBody().GetStringValue())
	}

	// Findings: each announced once, by the judging that found it first.
	findings := recv.named("tallycat.finding")
	type key struct{ schema, id, attribute string }
	byKey := map[key]received{}
	severities := map[string]logspb.SeverityNumber{}
	for _, f := range findings {
		a := f.GetAttributes()
		k := key{str(a, "tallycat.schema.id"), str(a, "tallycat.finding.id"), str(a, "tallycat.finding.context.attribute_key")}
		if _, dup := byKey[k]; dup {
			t.Errorf("finding %v announced twice", k)
		}
		byKey[k] = f
		severities[str(a, "tallycat.finding.level")] = f.GetSeverityNumber()
		if f.service != "tallycat-catalog" || str(a, "tallycat.finding.signal.type") != "metric" || f.GetBody().GetStringValue() == "" {
			t.Errorf("finding %v from %q with body %q", a, f.service, f.GetBody().GetStringValue())
		}
		if want := map[logspb.SeverityNumber]string{9: "INFO", 13: "WARN", 17: "ERROR"}[f.GetSeverityNumber()]; f.GetSeverityText() != want {
			t.Errorf("severity text %q for %v", f.GetSeverityText(), f.GetSeverityNumber())
		}
	}
	if want := map[string]logspb.SeverityNumber{"violation": logspb.SeverityNumber_SEVERITY_NUMBER_ERROR,
		"improvement": logspb.SeverityNumber_SEVERITY_NUMBER_WARN, "information": logspb.SeverityNumber_SEVERITY_NUMBER_INFO}; !maps.Equal(severities, want) {
		t.Errorf("severities by level = %v, want %v", severities, want)
	}
	unit, ok := byKey[key{first, "unit_mismatch", ""}]
	if ua := unit.GetAttributes(); !ok || str(ua, "tallycat.finding.level") != "violation" || str(ua, "tallycat.finding.signal.name") != duration ||
		str(ua, "tallycat.finding.context.expected") != "s" || str(ua, "tallycat.finding.context.actual") != "ms" ||
		!slices.Equal(strs(ua, "tallycat.finding.service.names"), []string{"shop"}) || !slices.Equal(strs(ua, "tallycat.finding.producers"), []string{"shop 1.0.0"}) ||
		unit.GetBody().GetStringValue() != "unit of http.server.request.duration: expected s, got ms" {
		t.Errorf("unit_mismatch of the first schema = %v %q", ua, unit.GetBody().GetStringValue())
	}
	scheme, ok := byKey[key{first, "required_attribute_not_present", "url.scheme"}]
	if !ok || scheme.GetSeverityNumber() != logspb.SeverityNumber_SEVERITY_NUMBER_ERROR {
		t.Errorf("url.scheme not present on the first schema = %v", scheme.LogRecord)
	}
	missing, ok := byKey[key{grown[1], "missing_metric", ""}]
	if !ok || missing.GetSeverityNumber() != logspb.SeverityNumber_SEVERITY_NUMBER_ERROR ||
		str(missing.GetAttributes(), "tallycat.finding.signal.name") != items {
		t.Errorf("missing_metric of %s = %v, want it announced at ERROR by the second judging", items, missing.LogRecord)
	}
	if _, ok := byKey[key{grown[0], "unit_mismatch", ""}]; !ok {
		t.Errorf("the union's unit_mismatch was not announced; got %v", byKey)
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestEventsEndpointFlag(t *testing.T) {
	for _, ok := range []string{"", "localhost:4317", "http://collector:4317", "https://collector.example.com:4317"} {
		if err := (&Main{Config: DefaultConfig()}).ParseFlags([]string{"--events-otlp-endpoint", ok}); err != nil {
			t.Errorf("--events-otlp-endpoint %q = %v, want it accepted", ok, err)
		}
	}
	for _, bad := range []string{"collector", "grpc://collector:4317", "https://"} {
		if err := (&Main{Config: DefaultConfig()}).ParseFlags([]string{"--events-otlp-endpoint", bad}); err == nil || !strings.Contains(err.Error(), "--events-otlp-endpoint") {
			t.Errorf("--events-otlp-endpoint %q = %v, want an error naming the flag", bad, err)
		}
	}
}
