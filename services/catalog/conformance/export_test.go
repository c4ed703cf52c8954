package conformance

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// exportFixture is a catalog of two metrics: the HTTP server duration as a
// service sends it (in ms, with the deprecated http.method), and a custom
// gauge with an enum-like attribute and one sometimes present.
func exportFixture() []ExportKey {
	duration := catalog.Schema{ID: "d", Key: "http.server.request.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "ms",
		Description: "Duration of HTTP server requests.", Fields: []catalog.Field{dp("http.method", String, "GET"), dp("http.request.method", String, "GET", "POST")}}
	coupon := dp("shop.coupon.code", String)
	coupon.Presence, coupon.SeenRatio = tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES, 0.3
	items := catalog.Schema{ID: "c", Key: "shop.cart.items", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "{item}",
		Fields: []catalog.Field{dp("shop.cart.tier", String, "gold", "silver", "Gold Plus"), coupon}}
	return []ExportKey{{Key: duration.Key, Schemas: []catalog.Judged{{Schema: duration}}}, {Key: items.Key, Schemas: []catalog.Judged{{Schema: items}}}}
}

// TestExportValidatesAndRoundTrips: the export validates against Weaver's
// JSON Schema of the format, and loaded back on top of the built-in
// conventions it makes every exported metric conform.
func TestExportValidatesAndRoundTrips(t *testing.T) {
	j := builtinJudge(t)
	files, err := ExportRegistry(exportFixture(), j.Registry)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, " ") != "shop/registry.yaml http/metrics.yaml shop/metrics.yaml registry_manifest.yaml" {
		t.Errorf("files %v", paths)
	}

	schemaFile, err := os.Open("../../../third_party/weaver/semconv.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer schemaFile.Close()
	doc, err := jsonschema.UnmarshalJSON(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("semconv.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("semconv.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	loaded := map[string][]byte{}
	for _, f := range files {
		if f.Path == "registry_manifest.yaml" {
			continue
		}
		var v any
		if err := yaml.Unmarshal(f.Content, &v); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if err := sch.Validate(toJSONTypes(v)); err != nil {
			t.Errorf("%s does not validate: %v\n%s", f.Path, err, f.Content)
		}
		loaded[f.Path] = f.Content
	}

	back, err := j.Registry.LoadFiles("export", loaded)
	if err != nil {
		t.Fatalf("the export does not load back: %v", err)
	}
	// Only what the export must not hide is left: http.method is
	// deprecated by the conventions themselves, and the export refers to it
	// rather than redefining it.
	again := Judge{Registry: back}
	for _, k := range exportFixture() {
		for _, f := range again.Key(k.Schemas) {
			if f.Level != tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION && !(f.ID == FindingDeprecated && f.Attribute == "http.method") {
				t.Errorf("%s after the round trip: %s %s %s", k.Key, f.Level, f.ID, f.Message)
			}
		}
	}
	m, _ := back.Metric("shop.cart.items")
	var tier []string
	for _, a := range m.Attributes {
		if a.Key == "shop.cart.tier" {
			for _, mem := range a.Type.Members {
				tier = append(tier, mem.Value)
			}
			if a.Requirement != "required" {
				t.Errorf("shop.cart.tier is always there, exported %s", a.Requirement)
			}
		}
		if a.Key == "shop.coupon.code" && a.Requirement != "recommended" {
			t.Errorf("shop.coupon.code is sometimes there, exported %s", a.Requirement)
		}
	}
	if !slices.Equal(tier, []string{"Gold Plus", "gold", "silver"}) {
		t.Errorf("shop.cart.tier members %v", tier)
	}
	if http := string(loaded["http/metrics.yaml"]); !strings.Contains(http, "ref: http.request.method") || strings.Contains(http, "id: http.request.method") ||
		!bytes.Contains(loaded["shop/registry.yaml"], []byte("id: shop.cart.tier")) {
		t.Errorf("built-in attributes are not referred to, or custom ones not defined:\n%s\n%s", http, loaded["shop/registry.yaml"])
	}
}

// toJSONTypes turns what yaml.v3 decodes into what a JSON decoder would:
// maps keyed by strings, numbers as float64.
func toJSONTypes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = toJSONTypes(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = toJSONTypes(e)
		}
		return x
	case int:
		return float64(x)
	}
	return v
}
