package schemaid

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// docPath is docs/schema-id.md, the product contract this package implements.
const docPath = "../../docs/schema-id.md"

// docRow is one row of a test vector table of docs/schema-id.md: the tokens
// as encoded (cells), the shape they stand for, and the published id.
type docRow struct {
	line  int
	cells [6]string // name, type, unit, temporality, monotonic, attributes
	attrs [][2]string
	shape Shape
	id    string
}

// TestReferenceImplementation keeps docs/schema-id.md true: it runs the
// document's Python reference implementation over every row of its v2 test
// vector table and requires the table, Python and ID to agree on every id. It
// also holds the table to the Go vectors, and the v1 table to IDv1.
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
	rows := docTable(t, text, "## Test vectors (v2)")
	if len(rows) != len(vectors) {
		t.Errorf("the v2 table has %d rows and the Go vectors %d: they are to be one set", len(rows), len(vectors))
	}
	for i, r := range rows {
		if got := ID(r.shape); got != r.id {
			t.Errorf("%s:%d: the table says %s, ID says %s", docPath, r.line, r.id, got)
		}
		if i < len(vectors) && vectors[i].id != r.id {
			t.Errorf("%s:%d: the table's id %s is not the Go vector %q's %s", docPath, r.line, r.id, vectors[i].name, vectors[i].id)
		}
	}

	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is not on PATH, so the reference implementation of %s cannot be checked: %v", docPath, err)
	}
	var program strings.Builder
	program.WriteString(blocks[0][1])
	program.WriteString("\n")
	for _, r := range rows {
		program.WriteString("print(schema_id(")
		for _, c := range r.cells[:5] {
			program.WriteString(pyString(t, c) + ", ")
		}
		program.WriteString("[")
		for _, a := range r.attrs {
			program.WriteString("(" + pyString(t, a[0]) + ", " + pyString(t, a[1]) + "), ")
		}
		program.WriteString("]))\n")
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
		if id := ID(r.shape); got[i] != id {
			t.Errorf("%s:%d: the Python reference says %s, ID says %s", docPath, r.line, got[i], id)
		}
	}

	old := docTable(t, text, "## Old test vectors (v1")
	if len(old) != len(vectorsV1) {
		t.Errorf("the v1 table has %d rows and the Go v1 vectors %d", len(old), len(vectorsV1))
	}
	for i, r := range old {
		if got := IDv1(r.shape); got != r.id {
			t.Errorf("%s:%d: the v1 table says %s, IDv1 says %s", docPath, r.line, r.id, got)
		}
		if i < len(vectorsV1) && vectorsV1[i].id != r.id {
			t.Errorf("%s:%d: the v1 table's id %s is not the Go v1 vector %q's %s", docPath, r.line, r.id, vectorsV1[i].name, vectorsV1[i].id)
		}
	}
}

// pyString renders s as a Python string literal: a JSON string is one.
func pyString(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docTable parses the first table after the line that starts with heading,
// before the next heading.
func docTable(t *testing.T, text, heading string) []docRow {
	t.Helper()
	lines := strings.Split(text, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, heading) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		t.Fatalf("%s has no heading %q", docPath, heading)
	}
	var rows []docRow
	header := 0
	for i := start; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "#") {
			break
		}
		if !strings.HasPrefix(l, "|") {
			if header > 0 {
				break
			}
			continue
		}
		if header < 2 { // the column names and the |---| line
			header++
			continue
		}
		rows = append(rows, parseDocRow(t, i+1, l))
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no table rows under %q", docPath, heading)
	}
	return rows
}

func parseDocRow(t *testing.T, line int, l string) docRow {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s:%d: "+format, append([]any{docPath, line}, args...)...)
	}
	cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|"), "|")
	if len(cells) != 7 {
		fail("%d cells, want 7", len(cells))
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	r := docRow{line: line, id: strings.Trim(cells[6], "`")}
	copy(r.cells[:], cells)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.id) {
		fail("id %q is not 32 lowercase hex digits", r.id)
	}

	sh := &r.shape
	sh.Name, sh.Unit = cells[0], cells[2]
	sh.Type = token(cells[1], tallycatv1.MetricType_name, MetricTypeToken, fail)
	switch {
	case HasTemporality(sh.Type):
		sh.Temporality = token(cells[3], tallycatv1.Temporality_name, TemporalityToken, fail)
	case cells[3] != "":
		fail("a %s has no temporality, but the cell says %q", cells[1], cells[3])
	}
	switch {
	case HasMonotonic(sh.Type) && (cells[4] == "true" || cells[4] == "false"):
		sh.Monotonic = cells[4] == "true"
	case HasMonotonic(sh.Type) || cells[4] != "":
		fail("monotonic %q for a %s", cells[4], cells[1])
	}
	if cells[5] != "" {
		for _, a := range strings.Split(cells[5], ",") {
			key, typ, ok := cutLast(strings.TrimSpace(a), ":")
			if !ok {
				fail("attribute %q is not key:value type", a)
			}
			r.attrs = append(r.attrs, [2]string{key, typ})
			sh.Attributes = append(sh.Attributes, Attribute{Key: key, Type: token(typ, tallycatv1.ValueType_name, ValueTypeToken, fail)})
		}
	}
	return r
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
