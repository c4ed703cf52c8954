package conformance

import (
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// spanSchema is a span schema of a kind whose own attributes are always
// there; sometimes lists those on a share of the spans.
func spanSchema(name string, kind schemaid.SpanKind, attrs []string, sometimes map[string]float64) catalog.Schema {
	s := catalog.Schema{ID: "s-" + name, Key: catalog.StoredKey(schemaid.Span, name), Signal: schemaid.Span, Name: name, SpanKind: kind}
	for _, a := range attrs {
		s.Fields = append(s.Fields, dp(a, String))
	}
	for a, ratio := range sometimes {
		f := dp(a, String)
		f.Presence, f.SeenRatio = Sometimes, ratio
		s.Fields = append(s.Fields, f)
	}
	return s
}

// What the OpenTelemetry Go instrumentations send (otelhttp v0.72, a
// database and a gRPC client, a Kafka producer, a CLI), and near misses.
var (
	otelhttpServer = []string{"http.request.method", "url.path", "url.scheme", "http.response.status_code", "server.address", "server.port",
		"network.protocol.version", "network.peer.address", "network.peer.port", "client.address", "user_agent.original", "http.route"}
	otelhttpClient = []string{"http.request.method", "url.full", "server.address", "server.port", "http.response.status_code", "network.protocol.version"}
	dbClient       = []string{"db.system.name", "db.namespace", "db.query.text", "db.operation.name", "db.collection.name", "server.address", "server.port"}
	grpcClient     = []string{"rpc.system.name", "rpc.method", "server.address", "server.port", "rpc.response.status_code"}
	kafkaSend      = []string{"messaging.system", "messaging.operation.name", "messaging.operation.type", "messaging.destination.name",
		"server.address", "server.port", "network.peer.address", "messaging.kafka.message.key"}
)

func TestMatchSpan(t *testing.T) {
	j := builtinJudge(t)
	without := func(attrs []string, drop string) []string {
		var out []string
		for _, a := range attrs {
			if a != drop {
				out = append(out, a)
			}
		}
		return out
	}
	for _, c := range []struct {
		name      string
		kind      schemaid.SpanKind
		attrs     []string
		sometimes map[string]float64
		want      string // "" for no match
	}{
		{"otelhttp server", schemaid.SpanKindServer, otelhttpServer, nil, "span.http.server"},
		{"otelhttp server without a route or a user agent", schemaid.SpanKindServer, without(without(otelhttpServer, "http.route"), "user_agent.original"), nil, "span.http.server"},
		{"url.scheme on some spans still matches", schemaid.SpanKindServer, without(otelhttpServer, "url.scheme"), map[string]float64{"url.scheme": 0.6}, "span.http.server"},
		{"otelhttp client", schemaid.SpanKindClient, otelhttpClient, nil, "span.http.client"},
		// connect_rpc's client requires only server.address, but pins
		// rpc.system.name to "connectrpc": an HTTP client span that lacks
		// url.full is not made an RPC.
		{"HTTP client without url.full", schemaid.SpanKindClient, without(otelhttpClient, "url.full"), nil, ""},
		{"server attributes on a client span", schemaid.SpanKindClient, otelhttpServer, nil, ""},
		{"client attributes on a server span", schemaid.SpanKindServer, otelhttpClient, nil, ""},
		// mongodb's span requires db.operation.name and db.collection.name,
		// more than span.db.client, but is mongodb's by a value.
		{"database client", schemaid.SpanKindClient, dbClient, nil, "span.db.client"},
		{"database client without db.system.name", schemaid.SpanKindClient, without(dbClient, "db.system.name"), nil, ""},
		{"gRPC client", schemaid.SpanKindClient, grpcClient, nil, "span.rpc.call.client"},
		{"gRPC server", schemaid.SpanKindServer, []string{"rpc.system.name", "rpc.method", "rpc.response.status_code"}, nil, "span.rpc.call.server"},
		{"a function run by a timer", schemaid.SpanKindServer, []string{"faas.trigger", "faas.invocation_id", "faas.time", "faas.cron"}, nil, "span.faas.timer.server"},
		{"Kafka send", schemaid.SpanKindProducer, kafkaSend, nil, "span.messaging.send.producer"},
		// create and send producer spans differ by messaging.operation.type's
		// value; without the network attributes only send has, the smaller
		// create definition asks nothing the span may rightly lack.
		{"producer without network attributes", schemaid.SpanKindProducer, without(kafkaSend, "network.peer.address"), nil, "span.messaging.create.producer"},
		{"a CLI run, of no kind", schemaid.SpanKindUnspecified, []string{"process.executable.name", "process.exit.code", "process.pid"}, nil, "span.cli.internal"},
		{"a span of the application's own", schemaid.SpanKindInternal, []string{"shop.cart.id"}, nil, ""},
		// graphql.server requires nothing: it would match every server span.
		{"GraphQL", schemaid.SpanKindServer, []string{"graphql.operation.name", "graphql.operation.type"}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := MatchSpan(j.Registry, spanSchema("op", c.kind, c.attrs, c.sometimes))
			if id := idOf(got); id != c.want {
				t.Errorf("matched %q, want %q", id, c.want)
			}
		})
	}
	byScope := spanSchema("io.opentelemetry.http", schemaid.SpanKindServer, otelhttpServer, nil)
	byScope.ByScope = true
	if got := MatchSpan(j.Registry, byScope); got != nil {
		t.Errorf("a scope's spans matched %s", got.ID)
	}
}

// TestSpanRequirements judges an otelhttp server span by the HTTP server
// span definition's levels: url.scheme on 60 % of the spans is required on
// all of them, user_agent.original is recommended, and the opt-in and
// conditionally required attributes it lacks are information.
func TestSpanRequirements(t *testing.T) {
	j := builtinJudge(t)
	attrs := []string{"http.request.method", "url.path", "http.response.status_code", "server.address", "server.port", "network.protocol.version",
		"network.peer.address", "network.peer.port", "client.address", "http.route"}
	s := spanSchema("GET /orders", schemaid.SpanKindServer, attrs, map[string]float64{"url.scheme": 0.6})
	var reqs []Finding
	for _, f := range j.SpanKey([]catalog.Judged{{Schema: s}}) {
		if strings.HasSuffix(f.ID, "_attribute_not_present") {
			reqs = append(reqs, f)
		}
	}
	want := []string{
		"IMPROVEMENT recommended_attribute_not_present user_agent.original",
		"INFORMATION conditionally_required_attribute_not_present error.type",
		"INFORMATION conditionally_required_attribute_not_present http.request.method_original",
		"INFORMATION conditionally_required_attribute_not_present network.protocol.name",
		"INFORMATION conditionally_required_attribute_not_present url.query",
		"INFORMATION opt_in_attribute_not_present client.port",
		"INFORMATION opt_in_attribute_not_present http.request.body.size",
		"INFORMATION opt_in_attribute_not_present http.request.size",
		"INFORMATION opt_in_attribute_not_present http.response.body.size",
		"INFORMATION opt_in_attribute_not_present http.response.size",
		"INFORMATION opt_in_attribute_not_present network.local.address",
		"INFORMATION opt_in_attribute_not_present network.local.port",
		"INFORMATION opt_in_attribute_not_present network.transport",
		"INFORMATION opt_in_attribute_not_present user_agent.synthetic.type",
		"VIOLATION required_attribute_not_present url.scheme",
	}
	if got := render(reqs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requirement findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, f := range reqs {
		if !strings.Contains(f.Message, `span "GET /orders", which matches span.http.server`) || f.SchemaID != s.ID {
			t.Errorf("%s: %q on %s, want the span and its definition named", f.ID, f.Message, f.SchemaID)
		}
		if f.ID == FindingRequiredNotPresent && (f.Expected != "on every span" || f.Actual != "on 60 % of them" ||
			!strings.Contains(f.Message, "missing from 40 % of the spans")) {
			t.Errorf("url.scheme: %+v", f)
		}
	}

	// A span matching no definition gets no requirement finding at all.
	none := spanSchema("checkout", schemaid.SpanKindInternal, []string{"shop.cart.id"}, nil)
	for _, f := range j.SpanKey([]catalog.Judged{{Schema: none}}) {
		if strings.HasSuffix(f.ID, "_attribute_not_present") {
			t.Errorf("an unmatched span has %s %s", f.ID, f.Attribute)
		}
	}
	// Levels configured for metrics apply to spans: information ignored.
	j.Levels = map[string]tallycatv1.FindingLevel{FindingOptInNotPresent: tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED,
		FindingConditionallyNotPresent: tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED}
	for _, f := range j.SpanKey([]catalog.Judged{{Schema: s}}) {
		if f.ID == FindingOptInNotPresent || f.ID == FindingConditionallyNotPresent {
			t.Errorf("%s not ignored", f.ID)
		}
	}
}

func idOf(s *semconv.Span) string {
	if s == nil {
		return ""
	}
	return s.ID
}
