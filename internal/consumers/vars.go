package consumers

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// variables substitutes a dashboard's template variables into a query
// before it is parsed, as Grafana and Perses do before they send it.
//
// What a variable holds when the query runs is not known here, and mostly
// does not matter to what the query reads. Inside a quoted string (a
// matcher's value, `{host_name=~"$host"}`) a reference is left as written:
// it parses, and the matcher then says it filters by the variable. Outside
// strings the text must parse, so a reference becomes the variable's value
// when the dashboard gives one (a constant, a custom list's current value,
// an interval), a fixed duration for the built-in intervals and ranges,
// and otherwise "5m" where a duration goes and "0" elsewhere; a query that
// then does not parse says which variables had no value.
type variables struct {
	values map[string][]string
	// dsTypes are datasource variables' plugin types (`prometheus`), and
	// the plugin ids of an exported dashboard's __inputs.
	dsTypes map[string]string
}

// builtins are Grafana's and Perses' global variables, with values that
// parse where they are used.
var builtins = map[string]string{
	"__rate_interval": "1m", "__interval": "1m", "__auto": "1m", "__range": "1h",
	"__interval_ms": "60000", "__range_s": "3600", "__range_ms": "3600000",
	"__from": "1700000000000", "__to": "1700003600000",
}

// varRef matches the three reference syntaxes: $name, ${name[.field][:format]}
// and the deprecated [[name[:format]]].
var varRef = regexp.MustCompile(`\$(\w+)|\$\{(\w+)(?:\.[^:}]+)?(?::([^}]+))?\}|\[\[(\w+?)(?::(\w+))?\]\]`)

// substitute returns expr with its variables substituted, and the names of
// those that had no value where one was needed.
func (v *variables) substitute(expr string) (string, []string) {
	var out strings.Builder
	var unresolved []string
	quote := byte(0)
	last := 0
	locs := varRef.FindAllStringSubmatchIndex(expr, -1)
	li := 0
	for i := 0; i < len(expr); i++ {
		for li < len(locs) && locs[li][0] < i {
			li++ // a reference an escape or a comment stepped over
		}
		if li < len(locs) && i == locs[li][0] {
			loc := locs[li]
			li++
			if quote != 0 {
				i = loc[1] - 1
				continue
			}
			name, format := refName(expr, loc)
			out.WriteString(expr[last:loc[0]])
			val, ok := v.value(name, format, expr, loc[0], loc[1])
			if !ok && !slices.Contains(unresolved, name) {
				unresolved = append(unresolved, name)
			}
			out.WriteString(val)
			last = loc[1]
			i = loc[1] - 1
			continue
		}
		c := expr[i]
		switch {
		case quote != 0 && c == '\\' && quote != '`':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\'' || c == '`'):
			quote = c
		case quote == 0 && c == '#':
			// A comment runs to the end of its line.
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		}
	}
	out.WriteString(expr[last:])
	return out.String(), unresolved
}

func refName(expr string, loc []int) (name, format string) {
	for g := 1; g < len(loc)/2; g++ {
		if loc[2*g] >= 0 {
			switch g {
			case 1, 2, 4:
				name = expr[loc[2*g]:loc[2*g+1]]
			case 3, 5:
				format = expr[loc[2*g]:loc[2*g+1]]
			}
		}
	}
	return name, format
}

// value is what replaces a reference outside a string, and whether the
// dashboard gave it.
func (v *variables) value(name, format, expr string, start, end int) (string, bool) {
	if b, ok := builtins[name]; ok {
		if (name == "__from" || name == "__to") && strings.Contains(format, "seconds") {
			return b[:len(b)-3], true
		}
		return b, true
	}
	if vals := v.values[name]; len(vals) > 0 {
		if len(vals) > 1 && inList(expr, start) {
			return strings.Join(vals, ","), true
		}
		return vals[0], true
	}
	if inRange(expr, start, end) {
		return "5m", false
	}
	return "0", false
}

// inList reports whether a reference stands in a parenthesised label
// list (`by ($labels)`), where several values join with commas.
func inList(expr string, start int) bool {
	p := strings.TrimRight(expr[:start], " \t\n")
	return strings.HasSuffix(p, "(") || strings.HasSuffix(p, ",")
}

// inRange reports whether a reference stands where a duration goes: in
// a range or subquery's brackets, or after offset.
func inRange(expr string, start, end int) bool {
	before := strings.TrimRight(expr[:start], " \t\n")
	after := strings.TrimLeft(expr[end:], " \t\n")
	return strings.HasSuffix(before, "[") || strings.HasPrefix(after, "]") ||
		strings.HasSuffix(before, ":") || strings.HasSuffix(strings.ToLower(before), "offset")
}

// unresolvedError explains a query that did not parse after variables
// without values were substituted.
func unresolvedError(names []string, err string) string {
	if len(names) == 0 {
		return err
	}
	refs := make([]string, len(names))
	for i, n := range names {
		refs[i] = "$" + n
	}
	return fmt.Sprintf("%s (no value to substitute for %s)", err, strings.Join(refs, ", "))
}

// variableQuery turns a Grafana Prometheus variable query into PromQL and
// the labels it lists the values of: label_values(selector, label),
// query_result(expr), metrics(regex) and label_names(selector). A query
// that reads no metric (label_values(label), label_names()) returns "".
func variableQuery(q string) (expr string, labels []string) {
	q = strings.TrimSpace(q)
	fn, arg, ok := call(q)
	if !ok {
		return q, nil
	}
	switch fn {
	case "label_values":
		i := strings.LastIndex(arg, ",")
		if i < 0 {
			return "", nil
		}
		return strings.TrimSpace(arg[:i]), []string{strings.TrimSpace(arg[i+1:])}
	case "query_result":
		return strings.TrimSpace(arg), nil
	case "metrics":
		return `{__name__=~"` + strings.ReplaceAll(strings.TrimSpace(arg), `"`, `\"`) + `"}`, nil
	case "label_names":
		return strings.TrimSpace(arg), nil
	}
	return q, nil
}

// call splits `fn(arg)` when q is one call of a Grafana variable function.
func call(q string) (fn, arg string, ok bool) {
	for _, f := range []string{"label_values", "query_result", "metrics", "label_names"} {
		if strings.HasPrefix(q, f+"(") && strings.HasSuffix(q, ")") {
			return f, q[len(f)+1 : len(q)-1], true
		}
	}
	return "", "", false
}
