package semconv

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// spanKinds are the span kinds of the format, as both versions write them.
var spanKinds = map[string]SpanKind{
	"client": SpanClient, "server": SpanServer, "producer": SpanProducer,
	"consumer": SpanConsumer, "internal": SpanInternal,
}

func (p *parser) spanKind(n *yaml.Node) SpanKind {
	k, ok := spanKinds[n.Value]
	if n.Kind != yaml.ScalarNode || !ok {
		p.fail(n, "unknown span kind %q: client, server, producer, consumer or internal", n.Value)
	}
	return k
}

// anyValueTypes are the types an event body or one of its fields may have
// (the format's AnyValueType), and "map[]", a list of maps, which the JSON
// Schema omits but Weaver reads and the v1.44.0 model uses (gen_ai.choice's
// tool_calls).
var anyValueTypes = map[string]bool{
	"string": true, "int": true, "double": true, "boolean": true, "string[]": true, "int[]": true,
	"double[]": true, "boolean[]": true, "map": true, "map[]": true, "byte[]": true, "enum": true, "undefined": true,
}

// maxBodyDepth bounds the nesting of a body's fields that the parser
// follows; the format sets no limit, and no registry comes near it.
const maxBodyDepth = 16

// body reads an event's body or one of its fields: an id, a type, a
// requirement level (recommended when not stated), a stability and, for a
// map, its fields. Prose, examples and enum members are not kept: only the
// shape is judged.
func (p *parser) body(n *yaml.Node, key string, depth int) *Body {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "`%s` must be a mapping with an `id` and a `type`", key)
		return nil
	}
	if depth > maxBodyDepth {
		p.fail(n, "a body nests fields more than %d deep", maxBodyDepth)
		return nil
	}
	b := &Body{Requirement: Recommended}
	var typ *yaml.Node
	p.pairs(n, func(k string, kn, v *yaml.Node) {
		switch k {
		case "id":
			b.ID, _ = p.text(v, k)
		case "type":
			typ = v
			b.Type, _ = p.text(v, k)
		case "requirement_level":
			if l := p.level(v); l != "" {
				b.Requirement = l
			}
		case "stability":
			b.Stability = p.stability(v)
		case "fields":
			if v.Kind != yaml.SequenceNode {
				p.fail(v, "`fields` must be a list")
				return
			}
			b.Fields = []Body{}
			for _, f := range v.Content {
				if fb := p.body(deref(f), "fields", depth+1); fb != nil {
					b.Fields = append(b.Fields, *fb)
				}
			}
		}
	})
	switch {
	case b.ID == "":
		p.fail(n, "`%s` needs an `id`", key)
		return nil
	case typ == nil:
		p.fail(n, "`%s` %q needs a `type`", key, b.ID)
		return nil
	case !anyValueTypes[b.Type]:
		p.fail(typ, "`%s` %q: unknown type %q", key, b.ID, b.Type)
		return nil
	}
	return b
}

// eitherRequired is the one condition of a conditionally required attribute
// that conformance reads rather than leaves to people: "Required if
// `exception.message` is not set, recommended otherwise.", which the
// semantic conventions write on exception.type and exception.message (28
// uses in v1.44.0) to say that an exception carries one of the two.
var eitherRequired = regexp.MustCompile("^Required if `([^`]+)` is not set, recommended otherwise\\.?$")

// requiredUnless returns the attribute named by a requirement level of the
// form `conditionally_required: Required if `K` is not set, recommended
// otherwise.`, and "" for any other level or condition.
func requiredUnless(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 || n.Content[0].Value != string(ConditionallyRequired) {
		return ""
	}
	m := eitherRequired.FindStringSubmatch(strings.Join(strings.Fields(n.Content[1].Value), " "))
	if m == nil {
		return ""
	}
	return m[1]
}

// Pinned values. The semantic conventions tell a system's span from the
// general one by a value, and say so in prose: a group's note
// "`db.system.name` MUST be set to `"mongodb"`", or an attribute
// reference's note "MUST be set to `"kafka"`." on messaging.system. Weaver
// cannot express it yet (weaver#479), so the pattern is read here, and
// only it.
var (
	groupPin  = regexp.MustCompile("`([a-z0-9_.]+)` MUST be set to `\"([^\"`]+)\"`")
	attrPinRE = regexp.MustCompile("MUST be set to `\"([^\"`]+)\"`")
)

// notePins records the pins of a group's brief or note.
func (g *rawGroup) notePins(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode {
		return
	}
	for _, m := range groupPin.FindAllStringSubmatch(n.Value, -1) {
		g.pin(m[1], m[2])
	}
}

func (g *rawGroup) pin(key, value string) {
	if g.pins == nil {
		g.pins = map[string]string{}
	}
	g.pins[key] = value
}

// attrPin is the value an attribute reference's brief or note pins it to,
// or "".
func attrPin(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	if m := attrPinRE.FindStringSubmatch(n.Value); m != nil {
		return m[1]
	}
	return ""
}
