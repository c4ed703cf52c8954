package semconv

import "sort"

// SpanKind is a span definition's kind, as the format writes it.
type SpanKind string

// The span kinds of the format.
const (
	SpanClient   SpanKind = "client"
	SpanServer   SpanKind = "server"
	SpanProducer SpanKind = "producer"
	SpanConsumer SpanKind = "consumer"
	SpanInternal SpanKind = "internal"
)

// Span is a span definition: a group of type span (a v2 `spans` entry is
// group "span.<type>"), or a v2 span refinement, which narrows the span it
// refines and takes its kind. A span definition names no span: the
// semantic conventions describe span names in prose ("{method} {route}"),
// so nothing in a span as sent says which definition it follows; see
// conformance for how one is picked.
type Span struct {
	// ID is the group's id ("span.http.server").
	ID         string
	Kind       SpanKind
	Stability  Stability
	Deprecated *Deprecation
	// Attributes are sorted by key.
	Attributes []SignalAttribute
	// Pinned are the values the definition's prose says an attribute MUST
	// be set to, by key: span.db.mongodb.client pins db.system.name to
	// "mongodb", a Kafka refinement pins messaging.system to "kafka". They
	// are what tells a system's span from the general one, since the
	// attributes are the same; the format has no field for them yet
	// (weaver#479), so they are read from the one sentence the semantic
	// conventions write for it. Nil when none.
	Pinned map[string]string

	uses []use
}

// Attribute returns the span's attribute for a key as sent, as
// Metric.Attribute does.
func (s *Span) Attribute(key string) (SignalAttribute, bool) { return lookupAttr(s.Attributes, key) }

// Event is an event: a group of type event, which OTLP carries as a log
// record with that event name, or as a span event of that name.
type Event struct {
	Name string
	// Group is the id of the group that defines the event
	// ("event.exception"), for messages.
	Group      string
	Stability  Stability
	Deprecated *Deprecation
	// Attributes are sorted by key.
	Attributes []SignalAttribute
	// Body describes the log record's body, when the registry does.
	Body *Body

	uses []use
}

// Attribute returns the event's attribute for a key as sent, as
// Metric.Attribute does.
func (e *Event) Attribute(key string) (SignalAttribute, bool) { return lookupAttr(e.Attributes, key) }

// Body is an event's body, or one of a map body's fields, as the registry
// describes it (the format's AnyValue): its shape and how much the event
// needs it. Prose, examples and enum members are not kept.
type Body struct {
	ID string
	// Type is "string", "int", "double", "boolean", an array of one of
	// them, "byte[]", "map", "map[]", "enum" or "undefined".
	Type        string
	Requirement RequirementLevel
	Stability   Stability
	// Fields are a map's fields, in registry order.
	Fields []Body
}

// Span returns the span definition of a group id.
func (r *Registry) Span(id string) (*Span, bool) {
	s, ok := r.spans[id]
	return s, ok
}

// Spans lists every span definition, sorted by id.
func (r *Registry) Spans() []*Span { return append([]*Span(nil), r.spanList...) }

// Event returns the event of a name.
func (r *Registry) Event(name string) (*Event, bool) {
	e, ok := r.events[name]
	return e, ok
}

// Events lists every event, sorted by name.
func (r *Registry) Events() []*Event { return append([]*Event(nil), r.eventList...) }

// finishSignals is finish for spans and events.
func (r *Registry) finishSignals() {
	r.spanList = r.spanList[:0]
	for id, s := range r.spans {
		c := *s
		c.Attributes = r.applyAll(c.uses)
		r.spans[id] = &c
		r.spanList = append(r.spanList, &c)
	}
	sort.Slice(r.spanList, func(i, j int) bool { return r.spanList[i].ID < r.spanList[j].ID })
	r.eventList = r.eventList[:0]
	for name, e := range r.events {
		c := *e
		c.Attributes = r.applyAll(c.uses)
		r.events[name] = &c
		r.eventList = append(r.eventList, &c)
	}
	sort.Slice(r.eventList, func(i, j int) bool { return r.eventList[i].Name < r.eventList[j].Name })
}

// spanGroups are the group types that define spans: a v1 span, a v2 span
// (translated to a group of type span) and a v2 span refinement.
var spanGroups = map[string]bool{"span": true, "span_refinement": true}

// spanChain is a span group and the groups it extends, in this layer,
// nearest first, and the span of a layer below that the last one extends,
// if any: what a span's kind and pins are inherited along. A cycle of
// `extends`, which flatten reports, ends the chain.
func (r *resolver) spanChain(g *rawGroup) ([]*rawGroup, *Span) {
	var chain []*rawGroup
	seen := map[string]bool{}
	for g != nil && !seen[g.id] {
		seen[g.id] = true
		chain = append(chain, g)
		if g.extends == "" {
			return chain, nil
		}
		parent, ok := r.local[g.extends]
		if !ok {
			return chain, r.base.spans[g.extends]
		}
		g = parent
	}
	return chain, nil
}

// spanOf is the Span a span group defines: its kind is its own or else the
// nearest one it inherits (a refinement states none); its pins are those
// it inherits with its own on top.
func (r *resolver) spanOf(g *rawGroup, uses []use) *Span {
	chain, below := r.spanChain(g)
	sp := &Span{ID: g.id, Stability: g.stability, Deprecated: g.deprecated, uses: uses}
	if below != nil {
		sp.Kind = below.Kind
		for k, v := range below.Pinned {
			sp.pin(k, v)
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if chain[i].spanKind != "" {
			sp.Kind = chain[i].spanKind
		}
		for k, v := range chain[i].pins {
			sp.pin(k, v)
		}
	}
	return sp
}

func (s *Span) pin(key, value string) {
	if s.Pinned == nil {
		s.Pinned = map[string]string{}
	}
	s.Pinned[key] = value
}
