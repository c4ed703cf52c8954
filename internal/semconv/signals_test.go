package semconv_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
)

// The counts were read from the YAML with grep and awk:
//
//	spans: `grep -rh '^    type: span$'` gives 66 groups in v1 files; the
//	  `spans:` lists of the definition/2 files (faas/spans.yaml,
//	  messaging/spans.yaml) hold 12 entries and their `span_refinements:`
//	  lists (messaging/*.yaml) 35: 113.
//	events: `grep -rh '^    type: event$'` gives 32, all in v1 files, each
//	  with its own name.
func TestBuiltinSignalCounts(t *testing.T) {
	for name, r := range registries(t) {
		t.Run(name, func(t *testing.T) {
			if n := len(r.Spans()); n != 113 {
				t.Errorf("%d span definitions, want 113", n)
			}
			if n := len(r.Events()); n != 32 {
				t.Errorf("%d events, want 32", n)
			}
			for _, s := range r.Spans() {
				if s.Kind == "" {
					t.Errorf("%s has no kind", s.ID)
				}
			}
		})
	}
}

// Each spot check cites the YAML it was read from.
func TestBuiltinSpans(t *testing.T) {
	type attr struct {
		key   string
		level semconv.RequirementLevel
	}
	cases := []struct {
		id        string
		kind      semconv.SpanKind
		stability semconv.Stability
		attrs     []attr
		pinned    map[string]string
	}{
		// http/spans.yaml: extends attributes.http.server (http/common.yaml),
		// which makes url.scheme required; url.path required in the span.
		{"span.http.server", semconv.SpanServer, semconv.Stable, []attr{
			{"http.request.method", semconv.Required}, {"url.path", semconv.Required}, {"url.scheme", semconv.Required},
			{"http.route", semconv.ConditionallyRequired}, {"server.address", semconv.Recommended},
			{"user_agent.original", semconv.Recommended}, {"client.port", semconv.OptIn},
			{"http.response.status_code", semconv.ConditionallyRequired},
		}, nil},
		// attributes.http.client makes server.address and server.port
		// required and url.scheme opt_in, which the span's bare ref keeps;
		// the span makes url.full required.
		{"span.http.client", semconv.SpanClient, semconv.Stable, []attr{
			{"http.request.method", semconv.Required}, {"url.full", semconv.Required},
			{"server.address", semconv.Required}, {"server.port", semconv.Required},
			{"url.scheme", semconv.OptIn}, {"network.transport", semconv.OptIn},
		}, nil},
		// db/spans.yaml: trace.db.common.full makes db.system.name required.
		{"span.db.client", semconv.SpanClient, semconv.Stable, []attr{{"db.system.name", semconv.Required}}, nil},
		// db/spans.yaml: "`db.system.name` MUST be set to `"mongodb"`" in
		// the group's note, which the attributes cannot say.
		{"span.db.mongodb.client", semconv.SpanClient, semconv.Development, []attr{
			{"db.operation.name", semconv.Required}, {"db.collection.name", semconv.Required},
		}, map[string]string{"db.system.name": "mongodb"}},
		// faas/spans.yaml, a definition/2 file: `kind: server`, and
		// faas.trigger required through a ref_group.
		{"span.faas.server", semconv.SpanServer, semconv.Development, []attr{{"faas.trigger", semconv.Required}}, nil},
		// messaging/kafka.yaml: a span refinement of
		// messaging.send.producer; it states no kind and takes the refined
		// span's; messaging.system's note pins "kafka".
		{"span.messaging.kafka.send.producer", semconv.SpanProducer, semconv.Development, []attr{
			{"messaging.system", semconv.Required}, {"messaging.operation.name", semconv.Required},
			{"messaging.kafka.message.key", semconv.Recommended},
		}, map[string]string{"messaging.system": "kafka"}},
	}
	for name, r := range registries(t) {
		for _, c := range cases {
			t.Run(name+"/"+c.id, func(t *testing.T) {
				s, ok := r.Span(c.id)
				if !ok {
					t.Fatalf("no span %s", c.id)
				}
				if s.Kind != c.kind || s.Stability != c.stability || s.Deprecated != nil {
					t.Errorf("%s %s deprecated=%v, want %s %s", s.Kind, s.Stability, s.Deprecated, c.kind, c.stability)
				}
				for _, want := range c.attrs {
					if a, ok := s.Attribute(want.key); !ok || a.Requirement != want.level {
						t.Errorf("%s: %+v, want %s", want.key, a, want.level)
					}
				}
				if !maps.Equal(s.Pinned, c.pinned) {
					t.Errorf("pinned %v, want %v", s.Pinned, c.pinned)
				}
			})
		}
		// gen-ai/deprecated/spans-deprecated.yaml: moved out of the
		// semantic conventions.
		if s, ok := r.Span("span.gen_ai.inference.client"); !ok || s.Deprecated == nil {
			t.Errorf("%s: span.gen_ai.inference.client %+v, want deprecated", name, s)
		}
	}
}

func TestBuiltinEvents(t *testing.T) {
	for name, r := range registries(t) {
		t.Run(name, func(t *testing.T) {
			// exceptions/events.yaml: exception.type and exception.message
			// are each "Required if `the other` is not set, recommended
			// otherwise."
			e, ok := r.Event("exception")
			if !ok || e.Group != "event.exception" || e.Stability != semconv.Stable || e.Body != nil {
				t.Fatalf("exception: %+v", e)
			}
			for key, other := range map[string]string{"exception.type": "exception.message", "exception.message": "exception.type"} {
				if a, _ := e.Attribute(key); a.Requirement != semconv.ConditionallyRequired || a.RequiredUnless != other {
					t.Errorf("%s: %+v, want conditionally required unless %s", key, a, other)
				}
			}
			if a, _ := e.Attribute("exception.stacktrace"); a.Requirement != semconv.Recommended || a.RequiredUnless != "" {
				t.Errorf("exception.stacktrace: %+v", a)
			}
			// feature-flags/events.yaml: feature_flag.key required; the
			// other conditions are prose and are not read.
			f, _ := r.Event("feature_flag.evaluation")
			if a, _ := f.Attribute("feature_flag.key"); f == nil || a.Requirement != semconv.Required {
				t.Errorf("feature_flag.evaluation feature_flag.key: %+v", a)
			}
			if a, _ := f.Attribute("error.type"); a.Requirement != semconv.ConditionallyRequired || a.RequiredUnless != "" {
				t.Errorf("feature_flag.evaluation error.type: %+v", a)
			}
			// azure/events.yaml: a map body with its fields.
			az, _ := r.Event("azure.resource.log")
			if az == nil || az.Body == nil || az.Body.Type != "map" || len(az.Body.Fields) != 11 ||
				az.Body.Fields[0].ID != "category" || az.Body.Fields[10].Requirement != semconv.ConditionallyRequired {
				t.Errorf("azure.resource.log body: %+v", az)
			}
			// rpc/deprecated/events-deprecated.yaml.
			if m, _ := r.Event("rpc.message"); m == nil || m.Deprecated == nil {
				t.Errorf("rpc.message: %+v, want deprecated", m)
			}
			if _, ok := r.Event("event.exception"); ok {
				t.Error("an event is found by its group id")
			}
		})
	}
}

// TestSignalLayers layers a team's spans and events on the built-in ones,
// in both versions of the format.
func TestSignalLayers(t *testing.T) {
	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r, err := builtin.LoadFiles("shop", map[string][]byte{
		"spans.yaml": []byte(`groups:
  - id: span.shop.checkout.server
    type: span
    brief: A checkout request, an HTTP server span with the shop's cart.
    extends: span.http.server
    attributes:
      - ref: shop.cart.id
        requirement_level: required
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.cart.id
        type: string
        brief: The cart.
        stability: development
  - id: event.exception
    type: event
    name: exception
    brief: The shop's exception wants its type.
    body:
      id: exception
      type: map
      requirement_level: opt_in
      stability: development
      fields: []
    attributes:
      - ref: exception.type
        requirement_level: required
`),
		"v2.yaml": []byte(`file_format: definition/2
events:
  - name: shop.order.placed
    brief: An order.
    stability: development
    attributes:
      - ref: shop.cart.id
        requirement_level: required
spans:
  - type: shop.payment.client
    kind: client
    brief: A payment.
    note: '` + "`shop.provider` MUST be set to `\"stripe\"`" + `.'
    stability: development
    attributes:
      - ref: shop.cart.id
`),
	})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := r.Span("span.shop.checkout.server")
	if !ok || s.Kind != semconv.SpanServer {
		t.Fatalf("span.shop.checkout.server: %+v, want the server kind of the span it extends", s)
	}
	for key, want := range map[string]semconv.RequirementLevel{"shop.cart.id": semconv.Required, "url.path": semconv.Required, "server.address": semconv.Recommended} {
		if a, _ := s.Attribute(key); a.Requirement != want {
			t.Errorf("span.shop.checkout.server %s: %s, want %s", key, a.Requirement, want)
		}
	}
	if p, ok := r.Span("span.shop.payment.client"); !ok || p.Kind != semconv.SpanClient || p.Pinned["shop.provider"] != "stripe" {
		t.Errorf("span.shop.payment.client: %+v", p)
	}
	if e, ok := r.Event("shop.order.placed"); !ok || e.Group != "event.shop.order.placed" {
		t.Errorf("shop.order.placed: %+v", e)
	}
	// The shop's exception replaces the built-in one, whole.
	e, _ := r.Event("exception")
	if a, _ := e.Attribute("exception.type"); a.Requirement != semconv.Required || e.Body == nil || e.Body.Fields == nil {
		t.Errorf("exception: %+v %+v, want the shop's", a, e.Body)
	}
	if _, ok := e.Attribute("exception.stacktrace"); ok {
		t.Error("the shop's exception kept a built-in attribute")
	}
	if b, _ := builtin.Event("exception"); b.Body != nil {
		t.Error("the built-in exception changed")
	}
	back, err := semconv.DecodeTable(must(r.EncodeTable()))
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := back.Event("exception"); e == nil || e.Body == nil || e.Body.Fields == nil || len(e.Attributes) != 1 {
		t.Errorf("exception after a round trip: %+v", e)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestSignalErrors(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"an event without a name", "groups:\n  - id: event.x\n    type: event\n    brief: x\n", "an event group needs a `name`"},
		{"a span without a kind", "groups:\n  - id: span.x\n    type: span\n    brief: x\n    attributes:\n      - ref: url.path\n", "a span needs a `span_kind`"},
		{"an unknown kind", "groups:\n  - id: span.x\n    type: span\n    span_kind: sideways\n    brief: x\n", `unknown span kind "sideways"`},
		{"an event named twice", "groups:\n  - id: event.a\n    type: event\n    name: x\n    brief: x\n  - id: event.b\n    type: event\n    name: x\n    brief: x\n", `event "x" is also defined by group "event.a"`},
		{"a body's type", "groups:\n  - id: event.x\n    type: event\n    name: x\n    brief: x\n    body:\n      id: x\n      type: uuid\n", `unknown type "uuid"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := semconv.Empty().LoadFiles("team", map[string][]byte{"x.yaml": []byte(c.yaml)})
			var e *semconv.Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) || e.File != "x.yaml" || e.Line == 0 {
				t.Errorf("error %v, want %q at a line of x.yaml", err, c.want)
			}
		})
	}
}
