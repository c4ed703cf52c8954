package semconv

import "gopkg.in/yaml.v3"

// Version 2 of Weaver's format (`file_format: definition/2`) sits beside
// version 1 in the same registry: the semantic conventions v1.44.0 already
// write 32 of their files in it (the hardware metrics among them). Weaver
// reads a v2 file by translating it into v1 groups; parseV2 does the same,
// with the same group ids, so that `extends` and `ref_group` can cross
// between the two versions:
//
//   - `attributes` define attributes by `key` (no group holds them);
//   - `attribute_groups` keep their id; `ref_group` includes another group;
//   - `metrics` become group "metric.<name>" of type metric; spans, events
//     and entities become "span.<type>", "event.<name>", "entity.<type>";
//   - a refinement (`metric_refinements` and the like) is a group of its own
//     id that extends the refined signal's group. A metric refinement is a
//     narrower use of the same metric name, not a new metric, so it is
//     resolved (and its errors reported) but not listed among the metrics.
var v2Signals = map[string]struct{ typ, nameKey, prefix string }{
	"attribute_groups": {"attribute_group", "id", ""},
	"metrics":          {"metric", "name", "metric."},
	"spans":            {"span", "type", "span."},
	"events":           {"event", "name", "event."},
	"entities":         {"entity", "type", "entity."},
}

var v2Refinements = map[string]struct{ typ, prefix string }{
	"metric_refinements": {"metric_refinement", "metric."},
	"span_refinements":   {"span_refinement", "span."},
	"event_refinements":  {"event_refinement", "event."},
	"entity_refinements": {"entity_refinement", "entity."},
}

func (p *parser) parseV2(root *yaml.Node, f *rawFile) {
	p.pairs(root, func(key string, k, v *yaml.Node) {
		if s, ok := v2Signals[key]; ok {
			p.eachMapping(v, key, func(n *yaml.Node) {
				if g := p.parseV2Signal(n, s.typ, s.nameKey, s.prefix); g != nil {
					f.groups = append(f.groups, g)
				}
			})
			return
		}
		if s, ok := v2Refinements[key]; ok {
			p.eachMapping(v, key, func(n *yaml.Node) {
				if g := p.parseV2Refinement(n, s.typ, s.prefix); g != nil {
					f.groups = append(f.groups, g)
				}
			})
			return
		}
		switch key {
		case "file_format":
			if v.Value != "definition/2" {
				p.fail(v, "unknown file_format %q: this loader reads definition/2 and files with a `groups` list", v.Value)
			}
		case "imports":
			// As in version 1: every layer below is visible already.
		case "attributes":
			g := &rawGroup{file: p.file, line: v.Line, typ: "attribute_group", synthetic: true}
			p.parseAttrs(v, g, "key")
			for _, a := range g.attrs {
				if a.def == nil {
					p.fail(v, "top-level `attributes` define attributes by `key`; ref %q belongs in a group", a.ref)
				}
			}
			if len(g.includes) > 0 {
				p.fail(v, "top-level `attributes` define attributes by `key`; `ref_group` belongs in a group")
			}
			f.groups = append(f.groups, g)
		default:
			p.fail(k, "unknown top-level key %q in a definition/2 file", key)
		}
	})
}

// eachMapping calls fn for each entry of a list of mappings.
func (p *parser) eachMapping(v *yaml.Node, key string, fn func(*yaml.Node)) {
	if v.Kind != yaml.SequenceNode {
		p.fail(v, "`%s` must be a list", key)
		return
	}
	for _, n := range v.Content {
		p.group = ""
		if n = deref(n); n.Kind != yaml.MappingNode {
			p.fail(n, "each entry of `%s` must be a mapping", key)
			continue
		}
		fn(n)
	}
	p.group = ""
}

// parseV2Signal reads an attribute group, metric, span, event or entity.
func (p *parser) parseV2Signal(n *yaml.Node, typ, nameKey, prefix string) *rawGroup {
	g := &rawGroup{file: p.file, line: n.Line, typ: typ}
	var name string
	if nn := lookup(n, nameKey); nn != nil && nn.Kind == yaml.ScalarNode {
		name = nn.Value
		g.id = prefix + name
		p.group = g.id
	} else {
		p.fail(n, "a %s needs a `%s`", typ, nameKey)
		return nil
	}
	var instrument, unit *yaml.Node
	p.pairs(n, func(key string, k, v *yaml.Node) {
		switch key {
		case "attributes", "identity", "description":
			if key == "description" && v.Kind != yaml.SequenceNode {
				return // a group's description is prose; an entity's is a list
			}
			p.parseAttrs(v, g, "id")
		case "instrument":
			instrument = v
			g.instrument = p.instrument(v)
		case "unit":
			unit = v
			g.unit, _ = p.text(v, key)
		case "kind":
			if typ == "span" {
				g.spanKind = p.spanKind(v)
			}
		case "brief", "note":
			g.notePins(v)
		case "stability":
			g.stability = p.stability(v)
		case "deprecated":
			g.deprecated = p.deprecated(v)
		}
	})
	if typ == "event" {
		g.eventName = name
	}
	if typ == "metric" {
		g.metricName = name
		if instrument == nil || unit == nil {
			p.fail(n, "a metric needs an `instrument` and a `unit`")
		}
	}
	return g
}

// parseV2Refinement reads a refinement: a group that extends the refined
// signal's.
func (p *parser) parseV2Refinement(n *yaml.Node, typ, prefix string) *rawGroup {
	g := &rawGroup{file: p.file, line: n.Line, typ: typ}
	if idn := lookup(n, "id"); idn != nil && idn.Kind == yaml.ScalarNode {
		g.id = idn.Value
		p.group = g.id
	} else {
		p.fail(n, "a refinement needs an `id`")
		return nil
	}
	ref := lookup(n, "ref")
	if ref == nil || ref.Kind != yaml.ScalarNode || ref.Value == "" {
		p.fail(n, "a refinement needs a `ref` naming the signal it refines")
		return nil
	}
	g.extends, g.extendsLine = prefix+ref.Value, ref.Line
	p.pairs(n, func(key string, k, v *yaml.Node) {
		switch key {
		case "brief", "note":
			g.notePins(v)
		case "attributes":
			p.parseAttrs(v, g, "id")
		case "stability":
			g.stability = p.stability(v)
		case "deprecated":
			g.deprecated = p.deprecated(v)
		}
	})
	return g
}
