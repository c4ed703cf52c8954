package conformance

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// exportFixture is a catalog of two metrics, a span and a log event: the
// HTTP server duration as a service sends it (in ms, with the deprecated
// http.method), a custom gauge with an enum-like attribute and one
// sometimes present, and those of spanLogFixture.
func exportFixture() []ExportKey {
	return append(metricFixture(), spanLogFixture()...)
}

// spanLogFixture is an HTTP server span with a custom attribute and an
// exception event on a fifth of the spans (exception.type always on it,
// exception.message on half of them), and a log event with an attribute, a
// sometimes present one and a map body of two keys, one nested.
func spanLogFixture() []ExportKey {
	tier := dp("shop.user.tier", String, "free", "paid")
	event := func(name string, ratio float64) catalog.Field {
		f := catalog.Field{Name: name, Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "exception", Type: String, Presence: Sometimes, SeenRatio: ratio}
		if name == "" {
			f.Type = tallycatv1.ValueType_VALUE_TYPE_EMPTY
		}
		return f
	}
	span := catalog.Schema{ID: "s", Key: catalog.StoredKey(schemaid.Span, "GET /users/{id}"), Signal: schemaid.Span, Name: "GET /users/{id}",
		SpanKind: schemaid.SpanKindServer, Fields: []catalog.Field{dp("http.request.method", String, "GET"), tier,
			event("", 0.2), event("exception.type", 0.2), event("exception.message", 0.1),
			{Name: "service.name", Source: Resource, Type: String, Presence: Always, SeenRatio: 1}}}
	body := func(name string, vt tallycatv1.ValueType, p tallycatv1.FieldPresence) catalog.Field {
		return catalog.Field{Name: name, Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY, Type: vt, Presence: p}
	}
	coupon := dp("shop.coupon.code", String)
	coupon.Presence, coupon.SeenRatio = Sometimes, 0.5
	log := catalog.Schema{ID: "l", Key: catalog.StoredKey(schemaid.Log, "shop.checkout.completed"), Signal: schemaid.Log, Name: "shop.checkout.completed",
		Fields: []catalog.Field{dp("shop.order.id", String), coupon, body("body", tallycatv1.ValueType_VALUE_TYPE_MAP, Always),
			body("body.total", Double, Always), body("body.items.count", Int, Sometimes),
			{Name: "severity_number", Source: tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY, Type: Int, Presence: Always}}}
	return []ExportKey{{Key: span.Key, Schemas: []catalog.Judged{{Schema: span}}}, {Key: log.Key, Schemas: []catalog.Judged{{Schema: log}}}}
}

// metricFixture is the metrics of exportFixture.
func metricFixture() []ExportKey {
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
	if strings.Join(paths, " ") != "shop/registry.yaml http/metrics.yaml shop/metrics.yaml exception/events.yaml shop/events.yaml spans.yaml registry_manifest.yaml" {
		t.Errorf("files %v", paths)
	}

	loaded := validateExport(t, files)

	back, err := j.Registry.LoadFiles("export", loaded)
	if err != nil {
		t.Fatalf("the export does not load back: %v", err)
	}
	// Only what the export must not hide is left: http.method is
	// deprecated by the conventions themselves, and the export refers to it
	// rather than redefining it.
	again := Judge{Registry: back}
	for _, k := range exportFixture() {
		judge := again.Key
		switch sig, _ := catalog.ParseStoredKey(k.Key); sig {
		case schemaid.Span:
			judge = again.SpanKey
		case schemaid.Log:
			judge = again.LogKey
		}
		for _, f := range judge(k.Schemas) {
			if f.Level != tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION && !(f.ID == FindingDeprecated && f.Attribute == "http.method") {
				t.Errorf("%s after the round trip: %s %s %s", catalog.DescribeKey(k.Key), f.Level, f.ID, f.Message)
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

// validateExport checks every file of an export but the manifest against
// Weaver's JSON Schema of the format, and returns their contents by path.
func validateExport(t *testing.T, files []RegistryFile) map[string][]byte {
	t.Helper()
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
	return loaded
}

// TestExportSpansAndEvents: a span key becomes a span group of its kind
// with its own attributes and its events' ids, each span event and log
// event an event group with its attributes (required when as often there
// as the event), a log event's map body its keys; by-scope schemas, which
// stand for no one name, are left out. The output validates and loads.
func TestExportSpansAndEvents(t *testing.T) {
	j := builtinJudge(t)
	byScope := func(sig schemaid.Signal, name string) ExportKey {
		s := catalog.Schema{ID: "x" + name, Key: catalog.StoredKey(sig, name), Signal: sig, Name: name, ByScope: true, SpanKind: schemaid.SpanKindServer,
			Fields: []catalog.Field{dp("shop.scoped", String)}}
		return ExportKey{Key: s.Key, Schemas: []catalog.Judged{{Schema: s}}}
	}
	keys := append(spanLogFixture(), byScope(schemaid.Span, "io.opentelemetry.shop"), byScope(schemaid.Log, "shop.logger"))
	files, err := ExportRegistry(keys, j.Registry)
	if err != nil {
		t.Fatal(err)
	}
	loaded := validateExport(t, files)
	if _, err := j.Registry.LoadFiles("export", loaded); err != nil {
		t.Fatalf("the export does not load back: %v", err)
	}
	groups := map[string]yamlGroup{}
	for path, content := range loaded {
		var f yamlFile
		if err := yaml.Unmarshal(content, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, g := range f.Groups {
			groups[path+" "+g.ID] = g
		}
	}
	var ids []string
	for id := range groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if want := []string{"exception/events.yaml event.exception", "shop/events.yaml event.shop.checkout.completed",
		"shop/registry.yaml registry.shop", "spans.yaml span.get_users_id.server"}; !slices.Equal(ids, want) {
		t.Fatalf("groups %v, want %v", ids, want)
	}
	uses := func(g yamlGroup) string {
		var out []string
		for _, a := range g.Attributes {
			out = append(out, a.Ref+"="+a.Requirement)
		}
		return strings.Join(out, " ")
	}

	span := groups["spans.yaml span.get_users_id.server"]
	if span.Type != "span" || span.SpanKind != "server" || span.Stability != "development" || !strings.Contains(span.Brief, `"GET /users/{id}"`) ||
		!slices.Equal(span.Events, []string{"event.exception"}) {
		t.Errorf("span group %+v", span)
	}
	if got := uses(span); got != "http.request.method=required shop.user.tier=required" {
		t.Errorf("span attributes %s", got)
	}

	exc := groups["exception/events.yaml event.exception"]
	if exc.Type != "event" || exc.Name != "exception" || exc.Stability != "development" || exc.Body != nil {
		t.Errorf("exception event group %+v", exc)
	}
	if got := uses(exc); got != "exception.message=recommended exception.type=required" {
		t.Errorf("exception event attributes %s", got)
	}

	logEvent := groups["shop/events.yaml event.shop.checkout.completed"]
	if logEvent.Type != "event" || logEvent.Name != "shop.checkout.completed" {
		t.Errorf("log event group %+v", logEvent)
	}
	if got := uses(logEvent); got != "shop.coupon.code=recommended shop.order.id=required" {
		t.Errorf("log event attributes %s", got)
	}
	b := logEvent.Body
	if b == nil || b.ID != "shop.checkout.completed" || b.Type != "map" || b.Requirement != "required" || b.Fields == nil {
		t.Fatalf("log event body %+v", b)
	}
	var fields []string
	for _, f := range *b.Fields {
		fields = append(fields, f.ID+":"+f.Type+"="+f.Requirement)
	}
	if got := strings.Join(fields, " "); got != "items.count:int=recommended total:double=required" {
		t.Errorf("body fields %s", got)
	}

	var defined []string
	for _, a := range groups["shop/registry.yaml registry.shop"].Attributes {
		defined = append(defined, a.ID)
	}
	if !slices.Equal(defined, []string{"shop.coupon.code", "shop.order.id", "shop.user.tier"}) {
		t.Errorf("defined attributes %v: a built-in one redefined, or a by-scope schema's exported", defined)
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
