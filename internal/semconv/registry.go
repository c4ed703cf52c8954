// Package semconv loads semantic convention registries in the YAML format of
// OpenTelemetry Weaver, the one the `model/` folder of
// open-telemetry/semantic-conventions uses, and resolves them into the facts
// that judging live telemetry needs: per metric its instrument, unit,
// stability, deprecation and attributes with their types, enum members and
// requirement levels; per span definition its kind and attributes with
// their requirement levels; per event its name, attributes and body; per
// attribute its type, stability and deprecation.
// Prose (briefs, notes, examples) is dropped on purpose: conformance never
// reads it, and leaving it out keeps the built-in table small.
//
// Files in version 1 of the format (a `groups` list) are read, and so are
// files in version 2 (`file_format: definition/2`), because the semantic
// conventions v1.44.0 already mix the two: see parse_v2.go.
//
// Resolution follows Weaver: an attribute `ref` takes the definition from the
// attribute registry and the referring group's overrides (requirement level,
// stability, deprecation); `extends` (and v2's `ref_group`) brings in the
// other group's resolved attributes, transitively, and the group's own
// entries override the inherited ones field by field. A reference that
// resolves to nothing, a cycle, or a malformed file is an error that names
// the file, the group and the line.
//
// Registries layer. Builtin returns the semantic conventions compiled into
// the binary; Load puts a team's registry on top of another registry. The
// rule for a later layer is replacement, whole definition by whole
// definition:
//
//   - an attribute that a later layer defines replaces the earlier
//     definition of that key, and every metric that refers to the key, in
//     any layer, sees the new type, members, stability and deprecation (its
//     own overrides, such as its requirement level, still apply);
//   - a metric whose name a later layer defines replaces the earlier metric
//     of that name as a whole, and so do a span definition of the same id
//     and an event of the same name;
//   - an attribute group or metric group whose id a later layer defines
//     replaces the earlier group for the `extends` of that layer and of the
//     ones after it; metrics already resolved in earlier layers keep the
//     attribute list they had.
//
// A later layer's `ref` and `extends` may name any attribute, and any
// attribute group or metric group, in its own files or in the layers below
// it. Within one layer, a group id, an attribute key, a metric name or an
// event name defined twice is an error, as in Weaver.
//
// A Registry, and everything it returns, is read-only once built, so one
// value can be shared by every goroutine.
package semconv

import (
	"sort"
	"strings"
)

// Stability is a stability level as the registry writes it: "stable",
// "development", "alpha", "beta", "release_candidate" or the older
// "deprecated". The older "experimental" is read as "development", as Weaver
// does. Empty means the registry does not say.
type Stability string

// The stability levels conformance distinguishes; any level but Stable is
// "not stable".
const (
	Stable      Stability = "stable"
	Development Stability = "development"
)

// Instrument is the instrument a metric is recorded with. OTLP carries no
// instrument, only a data type and, for sums, monotonicity: a monotonic sum
// is a counter, a non-monotonic sum an updowncounter.
type Instrument string

// The instruments of the format.
const (
	Counter       Instrument = "counter"
	UpDownCounter Instrument = "updowncounter"
	Gauge         Instrument = "gauge"
	Histogram     Instrument = "histogram"
)

// RequirementLevel says how much a metric needs an attribute. A
// conditionally required attribute's condition is prose for people and is
// not kept.
type RequirementLevel string

// The requirement levels of the format; an attribute whose level nobody
// states is Recommended.
const (
	Required              RequirementLevel = "required"
	ConditionallyRequired RequirementLevel = "conditionally_required"
	Recommended           RequirementLevel = "recommended"
	OptIn                 RequirementLevel = "opt_in"
)

// Deprecation says why a metric, attribute or enum member is deprecated and
// what replaces it.
type Deprecation struct {
	// Reason is "renamed", "obsoleted" or "uncategorized"; "unspecified"
	// when the registry uses the older plain-string form.
	Reason string
	// RenamedTo is the replacement's name when Reason is "renamed".
	RenamedTo string
	// Note is the registry's short explanation, kept because for
	// "uncategorized" deprecations it is the only place that names the
	// replacement ("Replaced by `http.request.header.content-length`.").
	Note string
}

// Type is an attribute's value type.
type Type struct {
	// Value is the type of the values OTLP carries: "string", "int",
	// "double", "boolean", "any", or an array "string[]", "int[]",
	// "double[]", "boolean[]". For an enum it is its members' value type.
	Value string
	// Template marks a `template[...]` type: the attribute's key is a
	// prefix, and the keys sent are the key, a dot and any suffix
	// (`http.request.header.content-type` for `http.request.header`).
	Template bool
	// Members lists an enum's members, in registry order; nil when the
	// type is not an enum.
	Members []Member
	// Closed is true when the registry forbids values outside Members (the
	// older `allow_custom_values: false`). Semantic convention enums are
	// open by default: a value that is not a member is worth reporting,
	// not a type error.
	Closed bool
}

// IsEnum reports whether the type is an enum.
func (t Type) IsEnum() bool { return t.Members != nil }

// String writes the type as the registry does: "enum", "template[string]",
// "int" and so on.
func (t Type) String() string {
	if t.IsEnum() {
		return "enum"
	}
	if t.Template {
		return "template[" + t.Value + "]"
	}
	return t.Value
}

// Member returns the enum member with the given value, as OTLP would carry
// it written as text ("GET", "0").
func (t Type) Member(value string) (Member, bool) {
	for _, m := range t.Members {
		if m.Value == value {
			return m, true
		}
	}
	return Member{}, false
}

// Member is one value of an enum.
type Member struct {
	ID string
	// Value is the member's value written as text; Type.Value says whether
	// it is a string, an int or a double.
	Value      string
	Stability  Stability
	Deprecated *Deprecation
}

// Attribute is an attribute as the registry defines it.
type Attribute struct {
	Key        string
	Type       Type
	Stability  Stability
	Deprecated *Deprecation
}

// SignalAttribute is an attribute as one metric, span definition or event
// uses it: the registry's definition with the signal's overrides applied,
// and how much the signal needs it.
type SignalAttribute struct {
	Attribute
	Requirement RequirementLevel
	// RequiredUnless is set on a conditionally required attribute whose
	// condition is "Required if `K` is not set, recommended otherwise.":
	// it is K. The semantic conventions say so of exception.type and
	// exception.message, so that an exception carries at least one of
	// them; every other condition is prose and is not kept.
	RequiredUnless string
}

// MetricAttribute is the name SignalAttribute had when only metrics were
// resolved.
type MetricAttribute = SignalAttribute

// Metric is a metric the registry defines.
type Metric struct {
	Name string
	// Group is the id of the group that defines the metric
	// ("metric.http.server.request.duration"), for messages.
	Group      string
	Instrument Instrument
	// Unit is the UCUM unit ("s", "By", "{request}"); "1" and "" are
	// different units to the registry, and are kept as written.
	Unit       string
	Stability  Stability
	Deprecated *Deprecation
	// Attributes are sorted by key.
	Attributes []SignalAttribute

	// uses are the resolved references behind Attributes, kept so that a
	// later layer that redefines an attribute can re-resolve them.
	uses []use
}

// Attribute returns the metric's attribute for a key as sent: the attribute
// of that key, or else the template attribute whose key, followed by a dot,
// is the longest prefix of it.
func (m *Metric) Attribute(key string) (SignalAttribute, bool) { return lookupAttr(m.Attributes, key) }

// lookupAttr finds a key as sent in a signal's attributes, sorted by key:
// the attribute of that key, or else the template attribute whose key,
// followed by a dot, is the longest prefix of it.
func lookupAttr(attrs []SignalAttribute, key string) (SignalAttribute, bool) {
	i := sort.Search(len(attrs), func(i int) bool { return attrs[i].Key >= key })
	if i < len(attrs) && attrs[i].Key == key && !attrs[i].Type.Template {
		return attrs[i], true
	}
	best := -1
	for j, a := range attrs {
		if a.Type.Template && templateMatches(a.Key, key) && (best < 0 || len(a.Key) > len(attrs[best].Key)) {
			best = j
		}
	}
	if best < 0 {
		return SignalAttribute{}, false
	}
	return attrs[best], true
}

// templateMatches reports whether key is an instance of the template
// attribute prefix: the prefix, a dot and a non-empty suffix.
func templateMatches(prefix, key string) bool {
	return len(key) > len(prefix)+1 && key[len(prefix)] == '.' && strings.HasPrefix(key, prefix)
}

// Source names one layer of a registry.
type Source struct {
	// Name is the path the layer was loaded from, or "builtin".
	Name string
	// SchemaURL is the layer's manifest `schema_url`, when it has one
	// ("https://opentelemetry.io/schemas/1.44.0").
	SchemaURL string
}

// Registry is a resolved registry: one layer or several.
type Registry struct {
	sources    []Source
	attrs      map[string]*attrDef
	groups     map[string]*group
	metrics    map[string]*Metric
	metricList []*Metric
	spans      map[string]*Span // by id
	spanList   []*Span
	events     map[string]*Event // by name
	eventList  []*Event
	attrList   []*Attribute
	templates  []*Attribute // template attributes, for lookups by prefix
}

// Sources lists the layers, bottom first.
func (r *Registry) Sources() []Source { return append([]Source(nil), r.sources...) }

// Metric returns the metric of a name.
func (r *Registry) Metric(name string) (*Metric, bool) {
	m, ok := r.metrics[name]
	return m, ok
}

// Metrics lists every metric, sorted by name.
func (r *Registry) Metrics() []*Metric { return append([]*Metric(nil), r.metricList...) }

// Attribute returns the registry's attribute for a key as sent: the
// attribute of that key, or else the template attribute whose key, followed
// by a dot, is the longest prefix of it.
func (r *Registry) Attribute(key string) (*Attribute, bool) {
	if d, ok := r.attrs[key]; ok && !d.Type.Template {
		return &d.Attribute, true
	}
	var best *Attribute
	for _, t := range r.templates {
		if templateMatches(t.Key, key) && (best == nil || len(t.Key) > len(best.Key)) {
			best = t
		}
	}
	return best, best != nil
}

// Attributes lists every attribute the registry defines, sorted by key.
func (r *Registry) Attributes() []*Attribute { return append([]*Attribute(nil), r.attrList...) }

// attrDef is an attribute definition and the requirement level it states,
// which is the level of every reference that does not state its own.
type attrDef struct {
	Attribute
	level  RequirementLevel
	unless string // see SignalAttribute.RequiredUnless
}

// use is one attribute of a resolved group: a key and the overrides that the
// group, or a group it extends, puts on the definition. Empty fields take
// the definition's value.
type use struct {
	key        string
	level      RequirementLevel
	unless     string // goes with level: see SignalAttribute.RequiredUnless
	stability  Stability
	deprecated *Deprecation
}

// group is a resolved group: its attributes with `extends` flattened.
type group struct {
	id   string
	typ  string
	uses []use // sorted by key
}

// finish fills what a Registry derives from its definitions: the
// attribute lists of metrics, spans and events, and the sorted listings. It
// copies every metric, span and event, so that a registry built on top of
// another never changes the one below.
func (r *Registry) finish() {
	r.metricList = r.metricList[:0]
	for name, m := range r.metrics {
		c := *m
		c.Attributes = r.applyAll(c.uses)
		r.metrics[name] = &c
		r.metricList = append(r.metricList, &c)
	}
	sort.Slice(r.metricList, func(i, j int) bool { return r.metricList[i].Name < r.metricList[j].Name })
	r.finishSignals()
	r.attrList, r.templates = r.attrList[:0], r.templates[:0]
	for _, d := range r.attrs {
		r.attrList = append(r.attrList, &d.Attribute)
		if d.Type.Template {
			r.templates = append(r.templates, &d.Attribute)
		}
	}
	sort.Slice(r.attrList, func(i, j int) bool { return r.attrList[i].Key < r.attrList[j].Key })
	sort.Slice(r.templates, func(i, j int) bool { return r.templates[i].Key < r.templates[j].Key })
}

// applyAll resolves a signal's uses, in order.
func (r *Registry) applyAll(uses []use) []SignalAttribute {
	out := make([]SignalAttribute, 0, len(uses))
	for _, u := range uses {
		out = append(out, r.apply(u))
	}
	return out
}

// apply resolves one use against the attribute definitions, as Weaver
// resolves a `ref`: the use's overrides where it has them, the definition's
// fields elsewhere, and recommended when neither states a level.
func (r *Registry) apply(u use) SignalAttribute {
	d := r.attrs[u.key] // present: resolution checked every key
	a := SignalAttribute{Attribute: d.Attribute, Requirement: d.level, RequiredUnless: d.unless}
	if u.level != "" {
		a.Requirement, a.RequiredUnless = u.level, u.unless
	}
	if a.Requirement == "" {
		a.Requirement = Recommended
	}
	if u.stability != "" {
		a.Stability = u.stability
	}
	if u.deprecated != nil {
		a.Deprecated = u.deprecated
	}
	return a
}
