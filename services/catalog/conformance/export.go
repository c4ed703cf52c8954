package conformance

import (
	"fmt"
	"github.com/tallycat/tallycat/services/catalog"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Export: the catalog written as a registry in Weaver's YAML format (version
// 1, the one semantic conventions' model/ uses), for a team to commit and
// load back with --registry (GitOps). Each metric key becomes one metric
// group from its current schemas; its attributes are `ref`s, to the built-in
// registry where it defines them and to attribute groups of the export where
// it does not. Requirement levels come from presence (always: required,
// sometimes: recommended), enum members from complete example values.

// RegistryFile is one file of an exported registry.
type RegistryFile struct {
	Path    string
	Content []byte
}

// ExportKey is a metric key and its current schemas, as Judged.
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
		MetricName string     `yaml:"metric_name,omitempty"`
		Brief      string     `yaml:"brief"`
		Instrument string     `yaml:"instrument,omitempty"`
		Unit       *string    `yaml:"unit,omitempty"`
		Stability  string     `yaml:"stability,omitempty"`
		Attributes []yamlAttr `yaml:"attributes,omitempty"`
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

// ExportRegistry writes keys as a registry: a file of metric groups and a
// file of attribute definitions per namespace (the name's first segment),
// and registry_manifest.yaml. builtin is the registry whose attributes are
// referred to rather than defined; nil defines every attribute.
func ExportRegistry(keys []ExportKey, builtin *semconv.Registry) ([]RegistryFile, error) {
	metrics := map[string][]yamlGroup{}
	attrs := map[string]map[string]*exportAttr{}
	for _, k := range keys {
		if len(k.Schemas) == 0 {
			continue
		}
		g, own := metricGroup(k, builtin)
		metrics[namespace(k.Key)] = append(metrics[namespace(k.Key)], g)
		for _, a := range own {
			ns := namespace(a.key)
			if attrs[ns] == nil {
				attrs[ns] = map[string]*exportAttr{}
			}
			if have := attrs[ns][a.key]; have == nil || len(a.members) > len(have.members) {
				attrs[ns][a.key] = a
			}
		}
	}
	var files []RegistryFile
	add := func(path string, v any) error {
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
		files = append(files, RegistryFile{Path: path, Content: append([]byte("# Exported by TallyCat from the metrics it saw; edit and commit.\n"), b...)})
		return nil
	}
	for _, ns := range sortedKeys(attrs) {
		g := yamlGroup{ID: "registry." + ns, Type: "attribute_group", Brief: "Attributes of " + ns + " metrics seen by TallyCat."}
		for _, key := range sortedKeys(attrs[ns]) {
			g.Attributes = append(g.Attributes, attrs[ns][key].yaml())
		}
		if err := add(ns+"/registry.yaml", yamlFile{Groups: []yamlGroup{g}}); err != nil {
			return nil, err
		}
	}
	for _, ns := range sortedKeys(metrics) {
		if err := add(ns+"/metrics.yaml", yamlFile{Groups: metrics[ns]}); err != nil {
			return nil, err
		}
	}
	err := add("registry_manifest.yaml", yamlManifest{Name: "tallycat-export", Description: "Metrics as TallyCat saw them produced.",
		SemconvVersion: "0.1.0", SchemaBaseURL: "https://example.com/schemas/"})
	return files, err
}

// metricGroup is the group of one metric key, and the attributes it uses
// that builtin does not define.
func metricGroup(k ExportKey, builtin *semconv.Registry) (yamlGroup, []*exportAttr) {
	first := k.Schemas[0].Schema
	unit := first.Unit
	g := yamlGroup{ID: "metric." + k.Key, Type: "metric", MetricName: k.Key, Brief: strings.TrimSpace(first.Description),
		Instrument: string(InstrumentOf(first)), Unit: &unit, Stability: string(semconv.Development)}
	if g.Instrument == "summary" {
		g.Instrument = string(semconv.Histogram) // the format has no summary; a histogram is the nearest
	}
	// An attribute is required when every current schema always carries it.
	always, seen := map[string]int{}, map[string]catalog.Field{}
	var order []string
	for _, s := range k.Schemas {
		for _, f := range s.Schema.Fields {
			if f.Source != tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
				continue
			}
			if _, ok := seen[f.Name]; !ok {
				order = append(order, f.Name)
				seen[f.Name] = f
			}
			if f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS {
				always[f.Name]++
			}
		}
	}
	slices.Sort(order)
	var own []*exportAttr
	for _, key := range order {
		level := "recommended"
		if always[key] == len(k.Schemas) {
			level = "required"
		}
		g.Attributes = append(g.Attributes, yamlAttr{Ref: key, Requirement: level})
		if builtin != nil {
			if a, ok := builtin.Attribute(key); ok && a.Key == key {
				continue
			}
		}
		own = append(own, newExportAttr(seen[key]))
	}
	return g, own
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
