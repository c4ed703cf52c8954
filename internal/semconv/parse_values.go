package semconv

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseType reads a type: a name ("int", "template[string]") or an enum (a
// mapping with `members`).
func (p *parser) parseType(n *yaml.Node, key string) (Type, bool) {
	if n.Kind == yaml.ScalarNode {
		name := n.Value
		var t Type
		if inner, ok := strings.CutPrefix(name, "template["); ok && strings.HasSuffix(inner, "]") {
			t.Template, name = true, strings.TrimSuffix(inner, "]")
		}
		if !valueTypes[name] {
			p.fail(n, "attribute %q: unknown type %q", key, n.Value)
			return t, false
		}
		t.Value = name
		return t, true
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "attribute %q: a type is a name or a mapping with `members`", key)
		return Type{}, false
	}
	t := Type{Members: []Member{}}
	var members *yaml.Node
	p.pairs(n, func(k string, kn, v *yaml.Node) {
		switch k {
		case "members":
			members = v
		case "allow_custom_values":
			open, err := strconv.ParseBool(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				p.fail(v, "attribute %q: `allow_custom_values` must be true or false", key)
			}
			t.Closed = !open
		default:
			p.fail(kn, "attribute %q: unknown key %q in an enum type", key, k)
		}
	})
	if members == nil || members.Kind != yaml.SequenceNode || len(members.Content) == 0 {
		p.fail(n, "attribute %q: an enum type needs a non-empty `members` list", key)
		return t, false
	}
	kinds := map[string]bool{}
	for _, mn := range members.Content {
		mn = deref(mn)
		if mn.Kind != yaml.MappingNode {
			p.fail(mn, "attribute %q: an enum member must be a mapping", key)
			continue
		}
		var m Member
		var value *yaml.Node
		p.pairs(mn, func(k string, kn, v *yaml.Node) {
			switch k {
			case "id":
				m.ID, _ = p.text(v, k)
			case "value":
				value = v
			case "stability":
				m.Stability = p.stability(v)
			case "deprecated":
				m.Deprecated = p.deprecated(v)
			}
		})
		if m.ID == "" || value == nil || value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
			p.fail(mn, "attribute %q: an enum member needs an `id` and a `value`", key)
			continue
		}
		switch value.Tag {
		case "!!int":
			i, err := strconv.ParseInt(value.Value, 0, 64)
			if err != nil {
				p.fail(value, "attribute %q: member %q: %v", key, m.ID, err)
				continue
			}
			m.Value, kinds["int"] = strconv.FormatInt(i, 10), true
		case "!!float":
			f, err := strconv.ParseFloat(value.Value, 64)
			if err != nil {
				p.fail(value, "attribute %q: member %q: %v", key, m.ID, err)
				continue
			}
			m.Value, kinds["double"] = strconv.FormatFloat(f, 'g', -1, 64), true
		default:
			m.Value, kinds["string"] = value.Value, true
		}
		if kinds["string"] && (kinds["int"] || kinds["double"]) {
			p.fail(value, "attribute %q: enum members mix text and numbers (member %q)", key, m.ID)
			return t, false
		}
		t.Members = append(t.Members, m)
	}
	switch {
	case kinds["double"]:
		t.Value = "double"
	case kinds["int"]:
		t.Value = "int"
	default:
		t.Value = "string"
	}
	return t, true
}

// level reads a requirement level: a name, or a mapping from a name to the
// prose condition, which is not kept.
func (p *parser) level(n *yaml.Node) RequirementLevel {
	name := n.Value
	if n.Kind == yaml.MappingNode {
		if len(n.Content) != 2 {
			p.fail(n, "a requirement level is a name or a mapping with one key")
			return ""
		}
		name = n.Content[0].Value
		if name == "required" {
			p.fail(n, "`required` takes no condition")
			return ""
		}
	} else if n.Kind != yaml.ScalarNode || name == "conditionally_required" {
		p.fail(n, "`requirement_level` is required, recommended, opt_in or `conditionally_required: <condition>`")
		return ""
	}
	switch l := RequirementLevel(name); l {
	case Required, ConditionallyRequired, Recommended, OptIn:
		return l
	}
	p.fail(n, "unknown requirement level %q", name)
	return ""
}

func (p *parser) instrument(n *yaml.Node) Instrument {
	s, _ := p.text(n, "instrument")
	switch i := Instrument(s); i {
	case Counter, UpDownCounter, Gauge, Histogram:
		return i
	}
	p.fail(n, "unknown instrument %q: counter, updowncounter, gauge or histogram", s)
	return ""
}

func (p *parser) stability(n *yaml.Node) Stability {
	s, ok := stabilities[n.Value]
	if n.Kind != yaml.ScalarNode || !ok {
		p.fail(n, "unknown stability %q: stable, development, alpha, beta or release_candidate", n.Value)
	}
	return s
}

// deprecated reads both forms Weaver accepts: the mapping with a `reason`,
// and the older plain text, which becomes reason "unspecified".
func (p *parser) deprecated(n *yaml.Node) *Deprecation {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" || n.Value == "" {
			return nil
		}
		return &Deprecation{Reason: "unspecified", Note: strings.TrimSpace(n.Value)}
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "`deprecated` is a mapping with a `reason`, or text")
		return nil
	}
	d := &Deprecation{}
	p.pairs(n, func(k string, kn, v *yaml.Node) {
		switch k {
		case "reason":
			d.Reason, _ = p.text(v, k)
		case "renamed_to":
			d.RenamedTo, _ = p.text(v, k)
		case "note":
			d.Note, _ = p.text(v, k)
			d.Note = strings.TrimSpace(d.Note)
		default:
			p.fail(kn, "unknown key %q in `deprecated`: reason, renamed_to or note", k)
		}
	})
	switch d.Reason {
	case "renamed":
		if d.RenamedTo == "" {
			p.fail(n, "a deprecation with reason `renamed` needs `renamed_to`")
		}
	case "obsoleted", "uncategorized":
	default:
		p.fail(n, "unknown deprecation reason %q: renamed, obsoleted or uncategorized", d.Reason)
	}
	return d
}

// text returns a scalar's text and reports any other node as an error.
func (p *parser) text(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, "`%s` must be text", key)
		return "", false
	}
	return n.Value, true
}

// pairs calls fn for each key of a mapping, with aliases resolved, and
// reports a key written twice, which YAML parsers disagree about.
func (p *parser) pairs(n *yaml.Node, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if seen[k.Value] {
			p.fail(k, "key %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k.Value, k, v)
	}
}

// lookup returns the value of a mapping's key, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
