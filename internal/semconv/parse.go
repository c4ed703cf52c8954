package semconv

import (
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// rawFile is one parsed file: its groups with nothing resolved, or, for a
// manifest, the schema URL it declares.
type rawFile struct {
	name      string
	groups    []*rawGroup
	schemaURL string
}

// rawGroup is a group as written, with the lines that errors point at.
type rawGroup struct {
	file, id, typ string
	line          int
	extends       string
	extendsLine   int
	includes      []include // v2 `ref_group` entries
	attrs         []rawAttr
	metricName    string
	instrument    Instrument
	unit          string
	stability     Stability
	deprecated    *Deprecation
	// spanKind is a span's `span_kind` (v2: `kind`); empty on a span
	// refinement, which takes the refined span's. eventName is an event's
	// `name`, and body its `body`, when it has one.
	spanKind  SpanKind
	eventName string
	body      *Body
	// pins are the values the group's prose says an attribute MUST be
	// set to (see Span.Pinned): from its brief and note, and from the
	// notes of its own attribute references.
	pins map[string]string
	// synthetic marks the holder of a v2 file's `attributes` definitions,
	// which belong to no group anyone can name.
	synthetic bool
}

// include is a v2 `ref_group`: the group's attributes are brought in, as
// `extends` brings in a parent's.
type include struct {
	id   string
	line int
}

// rawAttr is one entry of a group's attributes: a definition (def set) or a
// reference with its overrides (ref set, over holding them).
type rawAttr struct {
	line int
	ref  string
	def  *attrDef
	over use
	pin  string // the value the reference's prose says it MUST be set to
}

// groupTypes are the group types Weaver's version 1 format knows, including
// older ones a team's registry may still use. Metrics, spans and events end
// up in a Registry; every other group is resolved too, so a broken one is
// reported as Weaver would report it.
var groupTypes = map[string]bool{
	"attribute_group": true, "metric": true, "span": true, "event": true, "entity": true,
	"resource": true, "scope": true, "metric_group": true, "undefined": true,
}

var valueTypes = map[string]bool{
	"string": true, "int": true, "double": true, "boolean": true, "any": true,
	"string[]": true, "int[]": true, "double[]": true, "boolean[]": true,
}

var stabilities = map[string]Stability{
	"stable": Stable, "development": Development, "experimental": Development,
	"alpha": "alpha", "beta": "beta", "release_candidate": "release_candidate", "deprecated": "deprecated",
}

// parser collects the errors of one file, so that a person fixing a
// registry sees every problem of a file in one run.
type parser struct {
	file  string
	group string
	errs  []*Error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Group: p.group, Msg: fmt.Sprintf(format, args...)})
}

// parseFile reads one file of a registry. Files named manifest.yaml or
// registry_manifest.yaml without groups are manifests: only their
// `schema_url` is read.
func parseFile(name string, data []byte) (*rawFile, []*Error) {
	p := &parser{file: name}
	f := &rawFile{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := syntaxLine(data)
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
		return nil, []*Error{{File: name, Line: line, Group: groupAt(data, line), Msg: "malformed YAML: " + msg}}
	}
	if len(doc.Content) == 0 {
		return f, nil // an empty file defines nothing
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.fail(root, "a registry file is a mapping with a `groups` list")
		return nil, p.errs
	}
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	if (base == "manifest.yaml" || base == "registry_manifest.yaml") && lookup(root, "groups") == nil {
		if n := lookup(root, "schema_url"); n != nil {
			f.schemaURL, _ = p.text(n, "schema_url")
		}
		return f, p.errs
	}
	if ff := lookup(root, "file_format"); ff != nil {
		p.parseV2(root, f)
		return f, p.errs
	}
	p.pairs(root, func(key string, k, v *yaml.Node) {
		switch key {
		case "groups":
			if v.Kind != yaml.SequenceNode {
				p.fail(v, "`groups` must be a list")
				return
			}
			for _, g := range v.Content {
				if rg := p.parseGroup(deref(g)); rg != nil {
					f.groups = append(f.groups, rg)
				}
			}
		case "imports":
			// Imports pick signals out of a dependency. Every layer below is
			// visible to this one, so there is nothing to pick.
		default:
			p.fail(k, "unknown top-level key %q: a registry file has a `groups` list, or a `file_format: definition/2` and that version's lists", key)
		}
	})
	return f, p.errs
}

func (p *parser) parseGroup(n *yaml.Node) *rawGroup {
	p.group = ""
	defer func() { p.group = "" }()
	if n.Kind != yaml.MappingNode {
		p.fail(n, "a group must be a mapping")
		return nil
	}
	g := &rawGroup{file: p.file, line: n.Line}
	if idn := lookup(n, "id"); idn != nil {
		g.id, _ = p.text(idn, "id")
		p.group = g.id
	}
	if g.id == "" {
		p.fail(n, "a group needs an `id`")
	}
	var metricName, instrument, unit, eventName, body *yaml.Node
	p.pairs(n, func(key string, k, v *yaml.Node) {
		switch key {
		case "span_kind":
			g.spanKind = p.spanKind(v)
		case "brief", "note":
			g.notePins(v)
		case "name":
			eventName = v
		case "body":
			body = v
		case "type":
			g.typ, _ = p.text(v, key)
			if g.typ != "" && !groupTypes[g.typ] {
				p.fail(v, "unknown group type %q", g.typ)
			}
		case "extends":
			g.extends, _ = p.text(v, key)
			g.extendsLine = v.Line
		case "attributes":
			p.parseAttrs(v, g, "id")
		case "metric_name":
			metricName = v
			g.metricName, _ = p.text(v, key)
		case "instrument":
			instrument = v
			g.instrument = p.instrument(v)
		case "unit":
			unit = v
			g.unit = v.Value
			if v.Kind != yaml.ScalarNode {
				p.fail(v, "`unit` must be text")
			}
		case "stability":
			g.stability = p.stability(v)
		case "deprecated":
			g.deprecated = p.deprecated(v)
		case "prefix":
			if v.Value != "" {
				p.fail(v, "`prefix` is no longer part of the format: write each attribute's full key")
			}
		}
	})
	if g.typ == "" {
		p.fail(n, "a group needs a `type`")
	}
	if g.typ == "event" { // an entity's `name` is not an event's
		if eventName == nil {
			p.fail(n, "an event group needs a `name`")
		} else {
			g.eventName, _ = p.text(eventName, "name")
		}
		if body != nil {
			g.body = p.body(body, "body", 0)
		}
	}
	if g.typ == "metric" {
		for _, req := range []struct {
			n    *yaml.Node
			name string
		}{{metricName, "metric_name"}, {instrument, "instrument"}, {unit, "unit"}} {
			if req.n == nil {
				p.fail(n, "a metric group needs `%s`", req.name)
			}
		}
	}
	return g
}

// parseAttrs reads a list of attributes into g: definitions, whose key is
// under idKey ("id" in version 1 of the format, "key" in version 2),
// references, and v2 `ref_group` entries.
func (p *parser) parseAttrs(v *yaml.Node, g *rawGroup, idKey string) {
	if v.Kind != yaml.SequenceNode {
		p.fail(v, "`attributes` must be a list")
		return
	}
	for _, n := range v.Content {
		n = deref(n)
		if n.Kind == yaml.MappingNode {
			if rg := lookup(n, "ref_group"); rg != nil {
				if id, ok := p.text(rg, "ref_group"); ok {
					g.includes = append(g.includes, include{id: id, line: rg.Line})
				}
				continue
			}
		}
		if a, ok := p.parseAttr(n, idKey); ok {
			g.attrs = append(g.attrs, a)
			if a.ref != "" && a.pin != "" {
				g.pin(a.ref, a.pin)
			}
		}
	}
}

func (p *parser) parseAttr(n *yaml.Node, idKey string) (rawAttr, bool) {
	a := rawAttr{line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "an attribute must be a mapping with an `%s` or a `ref`", idKey)
		return a, false
	}
	var id string
	var typ *yaml.Node
	ok := true
	p.pairs(n, func(key string, k, v *yaml.Node) {
		switch key {
		case idKey:
			id, _ = p.text(v, key)
		case "ref":
			a.ref, _ = p.text(v, key)
		case "type":
			typ = v
		case "requirement_level":
			a.over.level, a.over.unless = p.level(v), requiredUnless(v)
		case "stability":
			a.over.stability = p.stability(v)
		case "deprecated":
			a.over.deprecated = p.deprecated(v)
		case "brief", "note":
			a.pin = attrPin(v)
		}
	})
	switch {
	case id == "" && a.ref == "":
		p.fail(n, "an attribute needs an `%s` (a definition) or a `ref` (a use of one)", idKey)
		ok = false
	case id != "" && a.ref != "":
		p.fail(n, "an attribute has an `%s` or a `ref`, not both", idKey)
		ok = false
	case a.ref != "" && typ != nil:
		p.fail(typ, "attribute %q: a `ref` cannot change the type of the attribute it refers to", a.ref)
		ok = false
	case id != "":
		if typ == nil {
			p.fail(n, "attribute %q needs a `type`", id)
			return a, false
		}
		t, tok := p.parseType(typ, id)
		a.def = &attrDef{Attribute: Attribute{Key: id, Type: t, Stability: a.over.stability, Deprecated: a.over.deprecated}, level: a.over.level, unless: a.over.unless}
		a.over = use{key: id}
		ok = tok
	default:
		a.over.key = a.ref
	}
	return a, ok
}
