package schemaid

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// docPath is docs/schema-id.md, the product contract this package implements.
const docPath = "../../docs/schema-id.md"

// docTableKind is one kind of test vector table of docs/schema-id.md, known by
// its column names: how a row becomes a shape and a call of the Python
// reference, which Go function computes its ids, and which Go vectors it is
// to hold.
type docTableKind struct {
	name    string
	columns []string // the header, in any order
	idCol   string
	vectors []vector
	goID    func(Shape) string
	// row turns the cells of a row, by column name, into the shape they
	// stand for and the Python expression that computes its id.
	row func(cells map[string]string, fail func(string, ...any)) (Shape, string)
}

var docTableKinds = []docTableKind{
	{
		name:    "v2 (metrics)",
		columns: []string{"name", "type", "unit", "temporality", "monotonic", "attributes", "id"},
		idCol:   "id", vectors: vectors, goID: ID,
		row: func(c map[string]string, fail func(string, ...any)) (Shape, string) {
			return metricRow(c, fail, "")
		},
	},
	{
		name:    "v1",
		columns: []string{"name", "type", "unit", "temporality", "monotonic", "attributes", "v1 id"},
		idCol:   "v1 id", vectors: vectorsV1, goID: IDv1,
		row: func(c map[string]string, fail func(string, ...any)) (Shape, string) {
			return metricRow(c, fail, `tag="tallycat.schema.v1"`)
		},
	},
	{
		name:    "spans",
		columns: []string{"name", "kind", "grouped by", "attributes", "id"},
		idCol:   "id", vectors: spanVectors, goID: ID,
		row: func(c map[string]string, fail func(string, ...any)) (Shape, string) {
			sh := Shape{Signal: Span, Name: c["name"]}
			sh.SpanKind = token(c["kind"], spanKindNames, SpanKindToken, fail)
			sh.ByScope = grouping(c["grouped by"], "name", fail)
			attrs := signalAttributes(&sh, c["attributes"], "span", fail)
			return sh, "span_schema_id(" + pyArgs(c["name"], c["kind"], c["grouped by"]) + attrs + ")"
		},
	},
	{
		name:    "logs",
		columns: []string{"name", "grouped by", "attributes", "id"},
		idCol:   "id", vectors: logVectors, goID: ID,
		row: func(c map[string]string, fail func(string, ...any)) (Shape, string) {
			sh := Shape{Signal: Log, Name: c["name"]}
			sh.ByScope = grouping(c["grouped by"], "event", fail)
			attrs := signalAttributes(&sh, c["attributes"], "log", fail)
			return sh, "log_schema_id(" + pyArgs(c["name"], c["grouped by"]) + attrs + ")"
		},
	},
}

// TestReferenceImplementation keeps docs/schema-id.md true. Every table of
// the document with an id column is a test vector table, read by its column
// names; for every row of every one it runs the document's Python reference
// implementation and requires the table, Python and Go to agree on the id. It
// also holds each table to its Go vectors, row for row, and requires every
// kind of table to be there once, so that no table goes unchecked and none
// can be dropped.
func TestReferenceImplementation(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)

	blocks := regexp.MustCompile("(?s)```python\n(.*?)```").FindAllStringSubmatch(text, -1)
	if len(blocks) != 1 {
		t.Fatalf("%s has %d ```python blocks, want exactly one, the reference implementation", docPath, len(blocks))
	}

	type pyRow struct {
		line int
		id   string
		goID string
	}
	var program strings.Builder
	program.WriteString(blocks[0][1])
	program.WriteString("\n")
	var rows []pyRow
	seen := map[string]int{}
	for _, tab := range docTables(text) {
		if !slices.Contains(tab.header, "id") && !slices.Contains(tab.header, "v1 id") {
			continue
		}
		kind := tableKind(tab.header)
		if kind == nil {
			t.Errorf("%s:%d: a table with an id column and the columns %q, which is no known kind of test vector table", docPath, tab.line, tab.header)
			continue
		}
		seen[kind.name]++
		if len(tab.rows) != len(kind.vectors) {
			t.Errorf("%s:%d: the %s table has %d rows and its Go vectors %d: they are to be one set", docPath, tab.line, kind.name, len(tab.rows), len(kind.vectors))
		}
		for i, r := range tab.rows {
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("%s:%d: "+format, append([]any{docPath, r.line}, args...)...)
			}
			if r.n != len(tab.header) {
				fail("%d cells, want %d", r.n, len(tab.header))
			}
			id := strings.Trim(r.cells[kind.idCol], "`")
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
				fail("id %q is not 32 lowercase hex digits", id)
			}
			sh, call := kind.row(r.cells, fail)
			goID := kind.goID(sh)
			if goID != id {
				t.Errorf("%s:%d: the table says %s, Go says %s", docPath, r.line, id, goID)
			}
			if i < len(kind.vectors) && kind.vectors[i].id != id {
				t.Errorf("%s:%d: the table's id %s is not the Go vector %q's %s", docPath, r.line, id, kind.vectors[i].name, kind.vectors[i].id)
			}
			program.WriteString("print(" + call + ")\n")
			rows = append(rows, pyRow{line: r.line, id: id, goID: goID})
		}
	}
	for _, k := range docTableKinds {
		if seen[k.name] != 1 {
			t.Errorf("%s has %d %s test vector tables, want one", docPath, seen[k.name], k.name)
		}
	}

	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is not on PATH, so the reference implementation of %s cannot be checked: %v", docPath, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-I", "-")
	cmd.Stdin = strings.NewReader(program.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 failed: %v\n%s\nprogram:\n%s", err, stderr.Bytes(), program.String())
	}
	got := strings.Fields(string(out))
	if len(got) != len(rows) {
		t.Fatalf("python3 printed %d ids for %d rows:\n%s", len(got), len(rows), out)
	}
	for i, r := range rows {
		if got[i] != r.id {
			t.Errorf("%s:%d: the table says %s, the Python reference says %s", docPath, r.line, r.id, got[i])
		}
		if got[i] != r.goID {
			t.Errorf("%s:%d: the Python reference says %s, Go says %s", docPath, r.line, got[i], r.goID)
		}
	}
}

// tableKind is the kind of test vector table whose columns are header.
func tableKind(header []string) *docTableKind {
	for i, k := range docTableKinds {
		if len(k.columns) == len(header) {
			ok := true
			for _, c := range k.columns {
				ok = ok && slices.Contains(header, c)
			}
			if ok {
				return &docTableKinds[i]
			}
		}
	}
	return nil
}

// metricRow reads a row of the v2 or the v1 table; extra is appended to the
// arguments of the Python call.
func metricRow(c map[string]string, fail func(string, ...any), extra string) (Shape, string) {
	var sh Shape
	sh.Name, sh.Unit = c["name"], c["unit"]
	sh.Type = token(c["type"], tallycatv1.MetricType_name, MetricTypeToken, fail)
	switch {
	case HasTemporality(sh.Type):
		sh.Temporality = token(c["temporality"], tallycatv1.Temporality_name, TemporalityToken, fail)
	case c["temporality"] != "":
		fail("a %s has no temporality, but the cell says %q", c["type"], c["temporality"])
	}
	switch m := c["monotonic"]; {
	case HasMonotonic(sh.Type) && (m == "true" || m == "false"):
		sh.Monotonic = m == "true"
	case HasMonotonic(sh.Type) || m != "":
		fail("monotonic %q for a %s", m, c["type"])
	}
	var py strings.Builder
	py.WriteString("[")
	for _, a := range splitAttributes(c["attributes"]) {
		key, typ, ok := cutLast(a, ":")
		if !ok {
			fail("attribute %q is not key:value type", a)
		}
		py.WriteString("(" + pyArgs(key, typ) + "), ")
		sh.Attributes = append(sh.Attributes, Attribute{Key: key, Type: token(typ, tallycatv1.ValueType_name, ValueTypeToken, fail)})
	}
	py.WriteString("]")
	if extra != "" {
		py.WriteString(", " + extra)
	}
	return sh, "schema_id(" + pyArgs(c["name"], c["type"], c["unit"], c["temporality"], c["monotonic"]) + py.String() + ")"
}

// sourceTokens are the source tokens of the tables other than the own
// one, written here rather than taken from SourceToken so that a wrong token
// in Go shows as a disagreement with Python.
var sourceTokens = map[string]Source{"event": Event, "link": Link, "body": Body, "severity": Severity}

// signalAttributes reads the attributes cell of a span or log table into
// sh.Attributes and returns them as a Python list of (source, event, key,
// value type) tuples. An attribute is "key:type" when it is the item's own,
// whose source token is own, and "source key:type" or "event[name] key:type"
// otherwise.
func signalAttributes(sh *Shape, cell, own string, fail func(string, ...any)) string {
	var py strings.Builder
	py.WriteString("[")
	for _, item := range splitAttributes(cell) {
		a, event := Attribute{Source: Own}, ""
		src, rest, found := strings.Cut(item, " ")
		if !found {
			src, rest = own, item
		} else {
			if name, ok := strings.CutPrefix(src, "event["); ok && strings.HasSuffix(name, "]") {
				src, event = "event", strings.TrimSuffix(name, "]")
				a.Event = MakeEventName(event)
			}
			s, ok := sourceTokens[src]
			if !ok {
				fail("attribute %q: unknown source %q", item, src)
			}
			a.Source = s
		}
		key, typ, ok := cutLast(rest, ":")
		if !ok {
			fail("attribute %q is not key:value type", item)
		}
		a.Key, a.Type = key, token(typ, tallycatv1.ValueType_name, ValueTypeToken, fail)
		sh.Attributes = append(sh.Attributes, a)
		py.WriteString("(" + pyArgs(src, event, key, typ) + "), ")
	}
	if err := sh.Validate(); err != nil {
		fail("%v", err)
	}
	py.WriteString("]")
	return py.String()
}

// grouping reads a "grouped by" cell: byName for a schema of one name, or
// "scope".
func grouping(cell, byName string, fail func(string, ...any)) bool {
	switch cell {
	case byName:
		return false
	case "scope":
		return true
	}
	fail("grouped by %q, want %q or %q", cell, byName, "scope")
	return false
}

func splitAttributes(cell string) []string {
	if cell == "" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(cell, ",") {
		out = append(out, strings.TrimSpace(a))
	}
	return out
}

// pyArgs renders each of args as a Python string literal followed by ", ".
func pyArgs(args ...string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(pyString(a) + ", ")
	}
	return b.String()
}

// pyString renders s as a Python string literal: a JSON string is one.
func pyString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// docTable is one markdown table of the document: its column names, and its
// rows as cells by column name.
type docTable struct {
	line   int
	header []string
	rows   []docRow
}

type docRow struct {
	line  int
	n     int // the number of cells, which is to be the header's
	cells map[string]string
}

// docTables finds every markdown table of text outside code blocks.
func docTables(text string) []docTable {
	var tables []docTable
	var cur *docTable
	fenced := false
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(l, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		switch {
		case cur == nil:
			tables = append(tables, docTable{line: i + 1, header: cells})
			cur = &tables[len(tables)-1]
		case strings.Trim(l, "|-: ") == "": // the |---| line
		default:
			r := docRow{line: i + 1, n: len(cells), cells: map[string]string{}}
			for j, c := range cells {
				if j < len(cur.header) {
					r.cells[cur.header[j]] = c
				}
			}
			cur.rows = append(cur.rows, r)
		}
	}
	return tables
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// token finds the enum value whose token is tok.
func token[E ~int32](tok string, names map[int32]string, token func(E) string, fail func(string, ...any)) E {
	for v := range names {
		if token(E(v)) == tok {
			return E(v)
		}
	}
	fail("unknown token %q", tok)
	return 0
}
