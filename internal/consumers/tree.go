package consumers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"
)

// node is one value of a JSON or YAML document with the line it starts on,
// so that every reader walks one tree and every error can say where.
// encoding/json gives no lines and yaml.v3 refuses some JSON (`\/`), so
// JSON is decoded token by token here and YAML through yaml.v3's nodes.
type node struct {
	kind  nodeKind
	keys  []string // object keys, in document order
	vals  []*node  // object values, by index of keys
	items []*node  // array items
	text  string   // a string's value, a number's or a bool's text
	line  int
}

type nodeKind int

const (
	kindNull nodeKind = iota
	kindObject
	kindArray
	kindString
	kindNumber
	kindBool
)

// get returns an object's value for key, or nil: on a nil node, a
// non-object or a missing key.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// str returns a string's value, or "" for anything else.
func (n *node) str() string {
	if n == nil || n.kind != kindString {
		return ""
	}
	return n.text
}

// scalar returns a string's, a number's or a bool's text.
func (n *node) scalar() string {
	if n == nil || n.kind == kindNull || n.kind == kindObject || n.kind == kindArray {
		return ""
	}
	return n.text
}

// list returns an array's items, or nil.
func (n *node) list() []*node {
	if n == nil || n.kind != kindArray {
		return nil
	}
	return n.items
}

func (n *node) isObject() bool { return n != nil && n.kind == kindObject }

// Line is the node's line, 0 when unknown.
func (n *node) Line() int {
	if n == nil {
		return 0
	}
	return n.line
}

// parseJSON decodes one JSON document.
func parseJSON(b []byte) (*node, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	p := jsonParser{dec: d, src: b}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: data after the document", p.lineAt(int(d.InputOffset())))
	}
	return n, nil
}

type jsonParser struct {
	dec *json.Decoder
	src []byte
	// lines are the offsets of the newlines seen so far, counted lazily.
	counted, line int
}

// lineAt returns the line of the first byte at or after off that is not
// white space or a separator: where the next token starts.
func (p *jsonParser) lineAt(off int) int {
	for off < len(p.src) {
		c := p.src[off]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',' && c != ':' {
			break
		}
		off++
	}
	if off < p.counted {
		p.counted, p.line = 0, 0
	}
	p.line += bytes.Count(p.src[p.counted:off], []byte{'\n'})
	p.counted = off
	return p.line + 1
}

func (p *jsonParser) value() (*node, error) {
	line := p.lineAt(int(p.dec.InputOffset()))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, jsonError(err, line)
	}
	n := &node{line: line}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = kindObject
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, jsonError(err, p.lineAt(int(p.dec.InputOffset())))
				}
				key, _ := kt.(string)
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, v)
			}
		case '[':
			n.kind = kindArray
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, jsonError(err, p.lineAt(int(p.dec.InputOffset())))
		}
	case string:
		n.kind, n.text = kindString, t
	case json.Number:
		n.kind, n.text = kindNumber, t.String()
	case bool:
		n.kind, n.text = kindBool, strconv.FormatBool(t)
	case nil:
		n.kind = kindNull
	}
	return n, nil
}

func jsonError(err error, line int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("line %d: not JSON: %w", line, err)
	}
	return fmt.Errorf("line %d: %w", line, err)
}

// parseYAML decodes the documents of a YAML stream (a rule file may hold
// several, separated by ---).
func parseYAML(b []byte) ([]*node, error) {
	d := yaml.NewDecoder(bytes.NewReader(b))
	var out []*node
	for {
		var y yaml.Node
		err := d.Decode(&y)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not YAML: %w", err)
		}
		out = append(out, fromYAML(&y, 0))
	}
}

func fromYAML(y *yaml.Node, depth int) *node {
	if y == nil || depth > 200 {
		return &node{}
	}
	n := &node{line: y.Line}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return n
		}
		return fromYAML(y.Content[0], depth+1)
	case yaml.AliasNode:
		return fromYAML(y.Alias, depth+1)
	case yaml.MappingNode:
		n.kind = kindObject
		for i := 0; i+1 < len(y.Content); i += 2 {
			n.keys = append(n.keys, y.Content[i].Value)
			n.vals = append(n.vals, fromYAML(y.Content[i+1], depth+1))
		}
	case yaml.SequenceNode:
		n.kind = kindArray
		for _, c := range y.Content {
			n.items = append(n.items, fromYAML(c, depth+1))
		}
	case yaml.ScalarNode:
		n.text = y.Value
		switch y.ShortTag() {
		case "!!null":
			n.kind = kindNull
		case "!!int", "!!float":
			n.kind = kindNumber
		case "!!bool":
			n.kind = kindBool
		default:
			n.kind = kindString
		}
	}
	return n
}
