package semconv_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
)

// metricGroup is a valid metric group whose attributes each case appends.
const metricGroup = `groups:
  - id: metric.shop.cart.items
    type: metric
    metric_name: shop.cart.items
    brief: Items added to carts.
    instrument: counter
    unit: "{item}"
    stability: development
`

// TestErrors loads broken registries on top of the built-in one and checks
// that the first error names the file, the group and the line a person has
// to open.
func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		file  string
		group string
		line  int
		msg   string
	}{
		{"ref to an unknown attribute", map[string]string{"m.yaml": metricGroup + `    attributes:
      - ref: http.request.method
      - ref: shop.cart.size
`}, "m.yaml", "metric.shop.cart.items", 11, `ref "shop.cart.size": no attribute of that key`},
		{"extends an unknown group", map[string]string{"m.yaml": metricGroup + `    extends: metric_attributes.shop
`}, "m.yaml", "metric.shop.cart.items", 9, `extends "metric_attributes.shop": no group of that id`},
		{"malformed YAML", map[string]string{"m.yaml": metricGroup + `    attributes:
      - ref: http.request.method
     requirement_level: required
`}, "m.yaml", "metric.shop.cart.items", 11, "malformed YAML"},
		{"unterminated string", map[string]string{"m.yaml": `groups:
  - id: registry.shop
    type: attribute_group
    attributes:
      - id: shop.cart.id
        type: string
        brief: "The id of a cart.
`}, "m.yaml", "registry.shop", 7, "malformed YAML"},
		{"unknown requirement level", map[string]string{"m.yaml": metricGroup + `    attributes:
      - ref: http.request.method
        requirement_level: sometimes
`}, "m.yaml", "metric.shop.cart.items", 11, `unknown requirement level "sometimes"`},
		{"unknown instrument", map[string]string{"m.yaml": strings.Replace(metricGroup, "counter", "summary", 1)},
			"m.yaml", "metric.shop.cart.items", 6, `unknown instrument "summary"`},
		{"metric without a unit", map[string]string{"m.yaml": strings.Replace(metricGroup, `    unit: "{item}"`+"\n", "", 1)},
			"m.yaml", "metric.shop.cart.items", 2, "needs `unit`"},
		{"unknown type", map[string]string{"r.yaml": `groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.cart.id
        type: uuid
`}, "r.yaml", "registry.shop", 7, `unknown type "uuid"`},
		{"enum mixing text and numbers", map[string]string{"r.yaml": `groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.tier
        type:
          members:
            - {id: gold, value: gold, stability: development}
            - {id: one, value: 1, stability: development}
`}, "r.yaml", "registry.shop", 10, `mix text and numbers (member "one")`},
		{"a ref that changes the type", map[string]string{"m.yaml": metricGroup + `    attributes:
      - ref: http.request.method
        type: string
`}, "m.yaml", "metric.shop.cart.items", 11, "cannot change the type"},
		{"deprecated renamed without renamed_to", map[string]string{"m.yaml": metricGroup + `    deprecated:
      reason: renamed
`}, "m.yaml", "metric.shop.cart.items", 10, "needs `renamed_to`"},
		{"group id defined twice", map[string]string{"a.yaml": metricGroup, "b.yaml": metricGroup},
			"b.yaml", "metric.shop.cart.items", 2, "group id also defined at a.yaml:2"},
		{"attribute defined twice", map[string]string{"r.yaml": `groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.cart.id
        type: string
      - id: shop.cart.id
        type: int
`}, "r.yaml", "registry.shop", 8, `attribute "shop.cart.id" is also defined at r.yaml:6`},
		{"extends cycle", map[string]string{"g.yaml": `groups:
  - id: shop.a
    type: attribute_group
    brief: A.
    extends: shop.b
  - id: shop.b
    type: attribute_group
    brief: B.
    extends: shop.a
`}, "g.yaml", "shop.b", 9, `extends "shop.a" forms a cycle`},
		{"v2 ref_group to an unknown group", map[string]string{"v2.yaml": `file_format: definition/2
metrics:
  - name: shop.checkout.duration
    brief: Checkout.
    instrument: histogram
    unit: s
    stability: development
    attributes:
      - ref_group: shop.checkout.attributes
`}, "v2.yaml", "metric.shop.checkout.duration", 9, `ref_group "shop.checkout.attributes": no group of that id`},
		{"v2 refinement of an unknown metric", map[string]string{"v2.yaml": `file_format: definition/2
metric_refinements:
  - id: metric.shop.checkout.duration.card
    ref: shop.checkout.duration
`}, "v2.yaml", "metric.shop.checkout.duration.card", 4, `extends "metric.shop.checkout.duration"`},
		{"unknown top-level key", map[string]string{"x.yaml": "metrics:\n  - name: x\n"}, "x.yaml", "", 1, `unknown top-level key "metrics"`},
	}
	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{}
			for name, text := range c.files {
				files[name] = []byte(text)
			}
			r, err := builtin.LoadFiles("team", files)
			if err == nil {
				t.Fatalf("loaded: %d metrics", len(r.Metrics()))
			}
			var e *semconv.Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not a *semconv.Error", err)
			}
			if e.File != c.file || e.Group != c.group || e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got  %s (file %q, group %q, line %d)\nwant file %q, group %q, line %d, a message with %q",
					e, e.File, e.Group, e.Line, c.file, c.group, c.line, c.msg)
			}
		})
	}
}

// TestErrorsAllReported checks that one load reports every broken reference,
// in file and line order, so that a person fixes them in one pass.
func TestErrorsAllReported(t *testing.T) {
	_, err := semconv.Empty().LoadFiles("team", map[string][]byte{
		"b.yaml": []byte(metricGroup + "    attributes:\n      - ref: shop.one\n      - ref: shop.two\n"),
		"a.yaml": []byte("groups:\n  - id: shop.g\n    type: attribute_group\n    brief: G.\n    extends: shop.none\n"),
	})
	if err == nil {
		t.Fatal("loaded")
	}
	want := []string{
		`a.yaml:5: group "shop.g": extends "shop.none"`,
		`b.yaml:10: group "metric.shop.cart.items": ref "shop.one"`,
		`b.yaml:11: group "metric.shop.cart.items": ref "shop.two"`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: %s\nwant it to start with %s", i, lines[i], w)
		}
	}
}

// TestErrorsNameThePath checks that errors from a directory name the file
// by its path, so it can be opened as it reads.
func TestErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "shop"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "shop", "metrics.yaml")
	if err := os.WriteFile(file, []byte(metricGroup+"    attributes:\n      - ref: shop.cart.size\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := semconv.Empty().Load(dir)
	if err == nil || !strings.HasPrefix(err.Error(), file+`:10: group "metric.shop.cart.items": ref "shop.cart.size"`) {
		t.Errorf("error %v, want it to start with %s:10", err, file)
	}
	if _, err := semconv.Empty().Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path loaded")
	}
	if _, err := semconv.Empty().Load(filepath.Join(dir, "registry.json")); err == nil {
		t.Error("a path that is no registry loaded")
	}
}
