package semconv

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a registry's files. Registries are configuration
// that a person edits, so every error says where to look: the file, the line
// and the group.
type Error struct {
	File  string
	Line  int    // 0 when the problem has no line, such as an unreadable file
	Group string // the id of the group, when the problem is inside one
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Group != "" {
		fmt.Fprintf(&b, ": group %q", e.Group)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

var (
	yamlLine = regexp.MustCompile(`^line \d+: `)
	idLine   = regexp.MustCompile(`^(\s*)-\s+(?:id|name|key|type):\s*['"]?([^'"#\s]+)`)
)

// syntaxLine finds the line of a syntax error. The YAML parser reports the
// line where the enclosing block starts, often far above the mistake (line
// 1 for a bad indentation on line 11), so this looks for the first line
// that makes the file unparseable: the shortest prefix of lines that fails,
// by bisection from the empty prefix (which parses) to the whole file
// (which does not). A construct spanning lines, such as a quoted string,
// fails while cut in half; when the prefix parses again within a few lines,
// the search goes on past it.
func syntaxLine(data []byte) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	parses := func(n int) bool {
		var doc yaml.Node
		return yaml.Unmarshal(bytes.Join(lines[:n], nil), &doc) == nil
	}
	lo, hi := 0, len(lines)
	for {
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; parses(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		next := -1
		for n := hi + 1; n < len(lines) && n <= hi+50; n++ {
			if parses(n) {
				next = n
				break
			}
		}
		if next < 0 {
			return hi
		}
		lo, hi = next, len(lines)
	}
}

// groupAt guesses which group a line that YAML could not parse is in: the
// last list entry with an id at the indentation of the file's first one.
// A syntax error leaves no tree to ask, and naming the group saves a person
// counting lines in a long file.
func groupAt(data []byte, line int) string {
	indent, group := -1, ""
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 > line {
			break
		}
		m := idLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if indent < 0 {
			indent = len(m[1])
		}
		if len(m[1]) == indent {
			group = m[2]
		}
	}
	return group
}

// maxErrors bounds how many errors one load reports: enough to fix a
// registry in a few passes, few enough to read.
const maxErrors = 50

// joinErrors sorts errors by file and line and joins at most maxErrors of
// them, saying how many more there were.
func joinErrors(errs []*Error) error {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	var out []error
	for i, e := range errs {
		if i == maxErrors {
			out = append(out, fmt.Errorf("and %d more errors", len(errs)-maxErrors))
			break
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}
