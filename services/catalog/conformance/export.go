package conformance

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Export: the catalog written as a registry in Weaver's YAML format (version
// 1, the one semantic conventions' model/ uses), for a team to commit and
// load back with --registry (GitOps). Each metric key becomes one metric
// group from its current schemas, each span key one span group per span
// kind, and each span event and log event one event group; their
// attributes are `ref`s, to the built-in registry where it defines them and
// to attribute groups of the export where it does not. Requirement levels
// come from presence (always: required, sometimes: recommended), enum
// members from complete example values.

// RegistryFile is one file of an exported registry.
type RegistryFile struct {
	Path    string
	Content []byte
}

// ExportKey is a stored key (a metric's, a span's or a log's; see
// catalog.StoredKey) and its current schemas, as Judged.
type ExportKey struct {
	Key     string
	Schemas []catalog.Judged
}

// The YAML the export writes, in the order Weaver's own files use.
type (
	yamlFile struct {
		Groups []yamlGroup `yaml:"groups"`
	}
	yamlGroup struct {
		ID         string     `yaml:"id"`
		Type       string     `yaml:"type"`
		SpanKind   string     `yaml:"span_kind,omitempty"`
		Name       string     `yaml:"name,omitempty"`
		MetricName string     `yaml:"metric_name,omitempty"`
		Brief      string     `yaml:"brief"`
		Instrument string     `yaml:"instrument,omitempty"`
		Unit       *string    `yaml:"unit,omitempty"`
		Stability  string     `yaml:"stability,omitempty"`
		Attributes []yamlAttr `yaml:"attributes,omitempty"`
		// Events are the ids of a span group's event groups.
		Events []string   `yaml:"events,omitempty"`
		Body   *yamlValue `yaml:"body,omitempty"`
	}
	// yamlValue is an event body or one of its fields (the format's
	// AnyValue). Fields is set on a map, which the format requires to
	// list them, even none.
	yamlValue struct {
		ID          string       `yaml:"id"`
		Type        string       `yaml:"type"`
		Brief       string       `yaml:"brief,omitempty"`
		Stability   string       `yaml:"stability"`
		Requirement string       `yaml:"requirement_level"`
		Fields      *[]yamlValue `yaml:"fields,omitempty"`
	}
	yamlAttr struct {
		ID          string `yaml:"id,omitempty"`
		Ref         string `yaml:"ref,omitempty"`
		Type        any    `yaml:"type,omitempty"`
		Brief       string `yaml:"brief,omitempty"`
		Stability   string `yaml:"stability,omitempty"`
		Requirement string `yaml:"requirement_level,omitempty"`
	}
	yamlEnum struct {
		Members []yamlMember `yaml:"members"`
	}
	yamlMember struct {
		ID        string `yaml:"id"`
		Value     string `yaml:"value"`
		Stability string `yaml:"stability"`
	}
	yamlManifest struct {
		Name           string `yaml:"name"`
		Description    string `yaml:"description"`
		SemconvVersion string `yaml:"semconv_version"`
		SchemaBaseURL  string `yaml:"schema_base_url"`
	}
)

// exportAttr is an attribute of the export's own registry.
type exportAttr struct {
	key     string
	typ     tallycatv1.ValueType
	members []string // when enum-like and complete
}

// ExportRegistry writes keys as a registry. Per namespace (a name's first
// segment) it writes metrics.yaml with the metric groups, events.yaml with
// the event groups of span events and log events, and registry.yaml with the
// definitions of the attributes builtin lacks; spans.yaml holds every span
// group, since a span's name is free-form and names no namespace; and
// registry_manifest.yaml. builtin is the registry whose attributes are
// referred to rather than defined; nil defines every attribute. Schemas that
// group a scope's spans or log records (ByScope) are left out: they stand
// for no one name.
func ExportRegistry(keys []ExportKey, builtin *semconv.Registry) ([]RegistryFile, error) {
	x := &exporter{builtin: builtin, attrs: map[string]map[string]*exportAttr{}, metrics: map[string][]yamlGroup{},
		events: map[string]*eventUses{}, ids: map[string]bool{}}
	for _, k := range keys {
		if len(k.Schemas) == 0 {
			continue
		}
		schemas := make([]catalog.Schema, 0, len(k.Schemas))
		for _, j := range k.Schemas {
			if !j.Schema.ByScope {
				schemas = append(schemas, j.Schema)
			}
		}
		if len(schemas) == 0 {
			continue
		}
		switch sig, name := catalog.ParseStoredKey(k.Key); sig {
		case schemaid.Metric:
			x.metric(name, schemas)
		case schemaid.Span:
			x.span(name, schemas)
		case schemaid.Log:
			x.logEvent(name, schemas)
		}
	}
	events := map[string][]yamlGroup{}
	for _, name := range sortedKeys(x.events) {
		e := x.events[name]
		g := yamlGroup{ID: e.id, Type: "event", Name: name, Brief: fmt.Sprintf("Events named %q, as TallyCat saw them.", name),
			Stability: string(semconv.Development), Attributes: x.uses(e.occs), Body: eventBody(name, e.bodies)}
		events[namespace(name)] = append(events[namespace(name)], g)
	}

	var files []RegistryFile
	add := func(path string, v any) error {
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
		files = append(files, RegistryFile{Path: path, Content: append([]byte("# Exported by TallyCat from the telemetry it saw; edit and commit.\n"), b...)})
		return nil
	}
	for _, ns := range sortedKeys(x.attrs) {
		g := yamlGroup{ID: "registry." + ns, Type: "attribute_group", Brief: "Attributes of the " + ns + " namespace seen by TallyCat."}
		for _, key := range sortedKeys(x.attrs[ns]) {
			g.Attributes = append(g.Attributes, x.attrs[ns][key].yaml())
		}
		if err := add(ns+"/registry.yaml", yamlFile{Groups: []yamlGroup{g}}); err != nil {
			return nil, err
		}
	}
	for _, ns := range sortedKeys(x.metrics) {
		if err := add(ns+"/metrics.yaml", yamlFile{Groups: x.metrics[ns]}); err != nil {
			return nil, err
		}
	}
	for _, ns := range sortedKeys(events) {
		if err := add(ns+"/events.yaml", yamlFile{Groups: events[ns]}); err != nil {
			return nil, err
		}
	}
	if len(x.spans) > 0 {
		if err := add("spans.yaml", yamlFile{Groups: x.spans}); err != nil {
			return nil, err
		}
	}
	err := add("registry_manifest.yaml", yamlManifest{Name: "tallycat-export", Description: "Metrics, spans and events as TallyCat saw them produced.",
		SemconvVersion: "0.1.0", SchemaBaseURL: "https://example.com/schemas/"})
	return files, err
}

// exporter gathers the groups of an export and the attributes they use.
type exporter struct {
	builtin *semconv.Registry
	attrs   map[string]map[string]*exportAttr // namespace -> key -> definition
	metrics map[string][]yamlGroup            // namespace -> metric groups
	spans   []yamlGroup
	events  map[string]*eventUses // event name -> where it was seen
	ids     map[string]bool       // the span and event group ids taken
}

// eventUses is an event as the export saw it: on spans and as log records,
// one occurrence per schema that carried it, and per log schema its body
// fields.
type eventUses struct {
	id     string
	occs   []occurrence
	bodies [][]catalog.Field
}

// occurrence is the attributes of one group's item (a metric's data point,
// a span, an event, a log record) in one schema; always says which of them
// the item always carries.
type occurrence struct {
	fields []catalog.Field
	always func(catalog.Field) bool
}

// metric adds the group of one metric key.
func (x *exporter) metric(name string, schemas []catalog.Schema) {
	first := schemas[0]
	unit := first.Unit
	g := yamlGroup{ID: "metric." + name, Type: "metric", MetricName: name, Brief: strings.TrimSpace(first.Description),
		Instrument: string(InstrumentOf(first)), Unit: &unit, Stability: string(semconv.Development)}
	if g.Instrument == "summary" {
		g.Instrument = string(semconv.Histogram) // the format has no summary; a histogram is the nearest
	}
	g.Attributes = x.uses(ownOccurrences(schemas))
	x.metrics[namespace(name)] = append(x.metrics[namespace(name)], g)
}

// span adds the groups of one span key, one per span kind, and records the
// events its schemas carry. A span group without attributes is left out:
// the format requires a span group to have attributes or to extend one,
// and the export has nothing to extend.
func (x *exporter) span(name string, schemas []catalog.Schema) {
	byKind := map[schemaid.SpanKind][]catalog.Schema{}
	for _, s := range schemas {
		byKind[s.SpanKind] = append(byKind[s.SpanKind], s)
	}
	kinds := make([]schemaid.SpanKind, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		ss := byKind[kind]
		var eventIDs []string
		for _, s := range ss {
			for _, ev := range x.spanEvents(s) {
				if !slices.Contains(eventIDs, ev) {
					eventIDs = append(eventIDs, ev)
				}
			}
		}
		attrs := x.uses(ownOccurrences(ss))
		if len(attrs) == 0 {
			continue
		}
		slices.Sort(eventIDs)
		token := schemaid.SpanKindToken(kind)
		x.spans = append(x.spans, yamlGroup{ID: x.uniqueID("span." + groupID(name) + "." + token), Type: "span", SpanKind: spanKindSpec(kind),
			Brief: fmt.Sprintf("Spans named %q of kind %s, as TallyCat saw them.", name, token), Stability: string(semconv.Development),
			Attributes: attrs, Events: eventIDs})
	}
}

// spanEvents records the events of a span schema, each with the attributes
// it carried, and returns their group ids. An event's attribute is always
// there when it was as often as the event itself.
func (x *exporter) spanEvents(s catalog.Schema) []string {
	ratio := map[string]float64{}
	fields := map[string][]catalog.Field{}
	var names []string
	for _, f := range s.Fields {
		if f.Source != tallycatv1.FieldSource_FIELD_SOURCE_EVENT || f.Event == "" {
			continue
		}
		if _, ok := fields[f.Event]; !ok {
			names = append(names, f.Event)
			fields[f.Event] = nil
		}
		if f.Name == "" { // the event itself
			ratio[f.Event] = f.SeenRatio
			continue
		}
		fields[f.Event] = append(fields[f.Event], f)
	}
	var ids []string
	for _, ev := range names {
		r, known := ratio[ev]
		e := x.event(ev)
		e.occs = append(e.occs, occurrence{fields: fields[ev], always: func(f catalog.Field) bool {
			return f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS || (known && r > 0 && f.SeenRatio >= r)
		}})
		ids = append(ids, e.id)
	}
	return ids
}

// logEvent records a log event key's schemas: its own attributes and its
// body fields.
func (x *exporter) logEvent(name string, schemas []catalog.Schema) {
	e := x.event(name)
	e.occs = append(e.occs, ownOccurrences(schemas)...)
	for _, s := range schemas {
		var body []catalog.Field
		for _, f := range s.Fields {
			if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_BODY {
				body = append(body, f)
			}
		}
		e.bodies = append(e.bodies, body)
	}
}

// event is the event named name, recorded on first use with a group id of
// its own.
func (x *exporter) event(name string) *eventUses {
	e := x.events[name]
	if e == nil {
		e = &eventUses{id: x.uniqueID("event." + groupID(name))}
		x.events[name] = e
	}
	return e
}

// ownOccurrences is the own (data point) attributes of each schema, always
// there when their presence says so.
func ownOccurrences(schemas []catalog.Schema) []occurrence {
	occs := make([]occurrence, 0, len(schemas))
	for _, s := range schemas {
		var own []catalog.Field
		for _, f := range s.Fields {
			if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
				own = append(own, f)
			}
		}
		occs = append(occs, occurrence{fields: own, always: func(f catalog.Field) bool {
			return f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS
		}})
	}
	return occs
}

// uses is a group's attributes from its occurrences: every attribute one of
// them carried, as a `ref`, required when every occurrence always carried
// it and recommended otherwise. The attributes builtin does not define are
// added to the export's own definitions.
func (x *exporter) uses(occs []occurrence) []yamlAttr {
	always, seen := map[string]int{}, map[string]catalog.Field{}
	for _, o := range occs {
		for _, f := range o.fields {
			if _, ok := seen[f.Name]; !ok {
				seen[f.Name] = f
			}
			if o.always(f) {
				always[f.Name]++
			}
		}
	}
	var out []yamlAttr
	for _, key := range sortedKeys(seen) {
		level := "recommended"
		if always[key] == len(occs) {
			level = "required"
		}
		out = append(out, yamlAttr{Ref: key, Requirement: level})
		x.define(seen[key])
	}
	return out
}

// define adds a field's attribute to the export's own definitions unless
// builtin defines it; of two definitions of a key, the one with more enum
// members is kept.
func (x *exporter) define(f catalog.Field) {
	if x.builtin != nil {
		if a, ok := x.builtin.Attribute(f.Name); ok && a.Key == f.Name {
			return
		}
	}
	a := newExportAttr(f)
	ns := namespace(a.key)
	if x.attrs[ns] == nil {
		x.attrs[ns] = map[string]*exportAttr{}
	}
	if have := x.attrs[ns][a.key]; have == nil || len(a.members) > len(have.members) {
		x.attrs[ns][a.key] = a
	}
}

// uniqueID is base, or base with a number when another group took it.
func (x *exporter) uniqueID(base string) string {
	id := base
	for n := 2; x.ids[id]; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	x.ids[id] = true
	return id
}

// eventBody is an event's body as its log schemas saw it, nil when none
// carried one: its type (undefined when the schemas disagree), and for a
// map its keys as fields, nested keys dotted as semantic conventions'
// own event bodies write them. A body or a key is required when every
// schema always carried it. No values are written: the catalog keeps none
// of a body's.
func eventBody(name string, bodies [][]catalog.Field) *yamlValue {
	types, keyTypes := map[string]bool{}, map[string]map[string]bool{}
	always, keyAlways := 0, map[string]int{}
	for _, fs := range bodies {
		for _, f := range fs {
			isAlways := f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS
			if f.Name == "body" {
				types[anyValueType(f.Type)] = true
				if isAlways {
					always++
				}
				continue
			}
			key, ok := strings.CutPrefix(f.Name, "body.")
			if !ok {
				continue
			}
			if keyTypes[key] == nil {
				keyTypes[key] = map[string]bool{}
			}
			keyTypes[key][anyValueType(f.Type)] = true
			if isAlways {
				keyAlways[key]++
			}
		}
	}
	if len(types) == 0 {
		return nil
	}
	level := func(n int) string {
		if n == len(bodies) {
			return "required"
		}
		return "recommended"
	}
	v := value(name, types, level(always))
	v.Brief = "The body of the event, as TallyCat saw it."
	if v.Fields != nil {
		for _, key := range sortedKeys(keyTypes) {
			*v.Fields = append(*v.Fields, *value(key, keyTypes[key], level(keyAlways[key])))
		}
	}
	return v
}

// value is a body or body field of id whose values had types: its type
// when they agree, undefined when not; a map lists its fields.
func value(id string, types map[string]bool, level string) *yamlValue {
	v := &yamlValue{ID: id, Type: "undefined", Stability: string(semconv.Development), Requirement: level}
	if len(types) == 1 {
		v.Type = sortedKeys(types)[0]
	}
	if v.Type == "map" {
		v.Fields = &[]yamlValue{}
	}
	return v
}

// anyValueType is the format's AnyValue type of a value type. An array's
// element type is not kept, so it is undefined, as is an empty value.
func anyValueType(t tallycatv1.ValueType) string {
	switch t {
	case tallycatv1.ValueType_VALUE_TYPE_STRING:
		return "string"
	case tallycatv1.ValueType_VALUE_TYPE_INT:
		return "int"
	case tallycatv1.ValueType_VALUE_TYPE_DOUBLE:
		return "double"
	case tallycatv1.ValueType_VALUE_TYPE_BOOL:
		return "boolean"
	case tallycatv1.ValueType_VALUE_TYPE_BYTES:
		return "byte[]"
	case tallycatv1.ValueType_VALUE_TYPE_MAP:
		return "map"
	}
	return "undefined"
}

// spanKindSpec is the format's span_kind of a kind. An unspecified kind is
// written as internal, which is what OTLP says a receiver may take it for;
// its group id keeps "unspecified".
func spanKindSpec(k schemaid.SpanKind) string {
	if k == schemaid.SpanKindUnspecified {
		return "internal"
	}
	return schemaid.SpanKindToken(k)
}

var notGroupIDChar = regexp.MustCompile(`[^a-z0-9_.]+`)

// groupID makes a part of a group id of a span's or an event's name: lower
// case, dots kept, runs of other characters as one underscore.
func groupID(name string) string {
	id := strings.Trim(notGroupIDChar.ReplaceAllString(strings.ToLower(name), "_"), "_.")
	if id == "" {
		return "unnamed"
	}
	return id
}

// newExportAttr is the definition of a field the built-in registry lacks;
// an enum when its example values are complete and strings.
func newExportAttr(f catalog.Field) *exportAttr {
	a := &exportAttr{key: f.Name, typ: f.Type}
	if f.Type == tallycatv1.ValueType_VALUE_TYPE_STRING && f.ExamplesState == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT && len(f.Examples) > 0 {
		for _, v := range f.Examples {
			a.members = append(a.members, v.Value)
		}
		slices.Sort(a.members)
	}
	return a
}

func (a *exportAttr) yaml() yamlAttr {
	y := yamlAttr{ID: a.key, Brief: "Seen by TallyCat.", Stability: string(semconv.Development)}
	if len(a.members) > 0 {
		e := yamlEnum{}
		used := map[string]bool{}
		for _, v := range a.members {
			id := memberID(v, used)
			e.Members = append(e.Members, yamlMember{ID: id, Value: v, Stability: string(semconv.Development)})
		}
		y.Type = e
		return y
	}
	y.Type = map[tallycatv1.ValueType]string{
		tallycatv1.ValueType_VALUE_TYPE_INT: "int", tallycatv1.ValueType_VALUE_TYPE_DOUBLE: "double",
		tallycatv1.ValueType_VALUE_TYPE_BOOL: "boolean", tallycatv1.ValueType_VALUE_TYPE_ARRAY: "string[]",
	}[a.typ]
	if y.Type == "" {
		y.Type = "string"
	}
	return y
}

var notIDChar = regexp.MustCompile(`[^a-z0-9_]+`)

// memberID makes an enum member id of a value: lower case, other characters
// as underscores, unique within the enum.
func memberID(v string, used map[string]bool) string {
	id := strings.Trim(notIDChar.ReplaceAllString(strings.ToLower(v), "_"), "_")
	if id == "" || (id[0] >= '0' && id[0] <= '9') {
		id = "v_" + id
	}
	base := id
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	used[id] = true
	return id
}

// namespace is a name's first dot-separated segment, which names its file.
func namespace(name string) string {
	ns, _, _ := strings.Cut(name, ".")
	ns = notIDChar.ReplaceAllString(strings.ToLower(ns), "_")
	if ns == "" {
		return "other"
	}
	return ns
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
