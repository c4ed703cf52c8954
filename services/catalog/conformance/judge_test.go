package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

func builtinJudge(t *testing.T) Judge {
	t.Helper()
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return Judge{Registry: reg}
}

func dp(name string, vt tallycatv1.ValueType, values ...string) catalog.Field {
	f := catalog.Field{Name: name, Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, Type: vt, Presence: tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS, SeenRatio: 1}
	if values != nil {
		f.ExamplesState = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT
		for _, v := range values {
			f.Examples = append(f.Examples, cardinality.Share{Value: v, DataPoints: 1})
		}
	}
	return f
}

// render lists findings as "level id attribute", sorted.
func render(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", strings.TrimPrefix(f.Level.String(), "FINDING_LEVEL_"), f.ID, f.Attribute)))
	}
	slices.Sort(out)
	return out
}

// TestHTTPServerDurationInMilliseconds is the common case: the HTTP server duration in ms
// with the deprecated http.method, http.request.method carrying FOO and no
// url.scheme; active requests as a monotonic counter; a custom metric.
func TestHTTPServerDurationInMilliseconds(t *testing.T) {
	j := builtinJudge(t)
	duration := catalog.Schema{ID: "d", Key: "http.server.request.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "ms",
		Fields: []catalog.Field{dp("http.method", String, "GET"), dp("http.request.method", String, "GET", "FOO"), dp("http.response.status_code", Int)}}
	got := render(j.Key([]catalog.Judged{{Schema: duration}}))
	want := []string{
		"IMPROVEMENT recommended_attribute_not_present network.protocol.version",
		"INFORMATION conditionally_required_attribute_not_present error.type",
		"INFORMATION conditionally_required_attribute_not_present http.route",
		"INFORMATION conditionally_required_attribute_not_present network.protocol.name",
		"INFORMATION opt_in_attribute_not_present server.address",
		"INFORMATION opt_in_attribute_not_present server.port",
		"INFORMATION opt_in_attribute_not_present user_agent.synthetic.type",
		"INFORMATION undefined_enum_variant http.request.method",
		"VIOLATION deprecated http.method",
		"VIOLATION required_attribute_not_present url.scheme",
		"VIOLATION unit_mismatch",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, f := range j.Key([]catalog.Judged{{Schema: duration}}) {
		switch f.ID {
		case FindingUnitMismatch:
			if f.Expected != "s" || f.Actual != "ms" || !strings.Contains(f.Message, "expected s, got ms") {
				t.Errorf("unit_mismatch: %+v", f)
			}
		case FindingDeprecated:
			if f.Replacement != "http.request.method" {
				t.Errorf("deprecated: replacement %q, want http.request.method", f.Replacement)
			}
		case FindingUndefinedEnumVariant:
			if f.Actual != "FOO" {
				t.Errorf("undefined_enum_variant names %q, want FOO alone", f.Actual)
			}
		}
	}

	active := catalog.Schema{ID: "a", Key: "http.server.active_requests", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Monotonic: true, Unit: "{request}",
		Fields: []catalog.Field{dp("http.request.method", String), dp("url.scheme", String)}}
	if got := render(j.Key([]catalog.Judged{{Schema: active}})); !slices.Contains(got, "VIOLATION unexpected_instrument") || !slices.Contains(got, "INFORMATION not_stable") {
		t.Errorf("a monotonic active_requests: %v, want unexpected_instrument and not_stable", got)
	}
	custom := catalog.Schema{ID: "c", Key: "shop.cart.items", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Fields: []catalog.Field{dp("shop.cart.id", String)}}
	if got := render(j.Key([]catalog.Judged{{Schema: custom}})); strings.Join(got, ",") != "VIOLATION missing_attribute shop.cart.id,VIOLATION missing_metric" {
		t.Errorf("a custom metric: %v", got)
	}
}

// TestWhatWeaverCannotSee: producers of one metric disagreeing on unit and
// instrument, a key with two types in one release, an exploding attribute;
// and levels configured away. The metric is one no registry defines: where
// one does, it settles who is right and the conflicts are not raised (see
// TestTheConventionsSettleAUnitConflict), which this test asserted of
// http.server.request.duration before.
func TestWhatWeaverCannotSee(t *testing.T) {
	j := builtinJudge(t)
	code := dp("http.response.status_code", tallycatv1.ValueType_VALUE_TYPE_INT)
	code.TypeConflict = true
	user := dp("user.id", tallycatv1.ValueType_VALUE_TYPE_STRING)
	user.HighCardinality, user.Distinct = true, 5000
	a := catalog.Schema{ID: "a", Key: "shop.checkout.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s", Fields: []catalog.Field{code, user}}
	b := catalog.Schema{ID: "b", Key: "shop.checkout.duration", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Monotonic: true, Unit: "ms"}
	got := render(j.Key([]catalog.Judged{{Schema: a}, {Schema: b}}))
	for _, want := range []string{"VIOLATION unit_conflict", "VIOLATION instrument_conflict", "VIOLATION type_conflict http.response.status_code", "IMPROVEMENT high_cardinality user.id"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, got)
		}
	}
	j.Levels = map[string]tallycatv1.FindingLevel{FindingHighCardinality: tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED, FindingUnitConflict: tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION}
	got = render(j.Key([]catalog.Judged{{Schema: a}, {Schema: b}}))
	if slices.Contains(got, "IMPROVEMENT high_cardinality user.id") || !slices.Contains(got, "INFORMATION unit_conflict") {
		t.Errorf("configured levels not applied: %v", got)
	}
}

func TestConformanceConfig(t *testing.T) {
	c, err := ParseConfig([]byte("levels:\n  not_stable: none\n  high_cardinality: violation\nignore:\n  - metric: \"shop.*\"\n    finding: missing_attribute\n"))
	if err != nil {
		t.Fatal(err)
	}
	j := builtinJudge(t)
	j.Levels, j.Ignore = c.Levels, c.Ignore
	custom := catalog.Schema{ID: "c", Key: "shop.cart.items", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Fields: []catalog.Field{dp("shop.cart.id", String)}}
	if got := render(j.Key([]catalog.Judged{{Schema: custom}})); strings.Join(got, ",") != "VIOLATION missing_metric" {
		t.Errorf("with the config: %v, want missing_metric alone", got)
	}
	for name, bad := range map[string]string{
		"unknown finding": "levels:\n  not_a_finding: none\n",
		"unknown level":   "levels:\n  not_stable: loud\n",
		"empty rule":      "ignore:\n  - {}\n",
		"unknown key":     "ignored:\n  - metric: x\n",
		"bad pattern":     "ignore:\n  - metric: \"[\"\n",
	} {
		if _, err := ParseConfig([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSpanAndLogAttributes judges the attributes of a span and a log event
// by the rules that need no definition of either: the deprecated
// http.method, http.request.method sent as an int, an event's attribute
// named with its event, a log record's deprecated and development
// attributes. The span, of no kind and without the attributes that
// identify a definition, matches none and gets no requirement level of its
// own; its exception event, which the registry defines, is judged by the
// event's levels (exception.type sent, so exception.message is
// recommended); app.login is an event no registry defines (see
// spans_test.go and events_test.go for the matching itself).
func TestSpanAndLogAttributes(t *testing.T) {
	j := builtinJudge(t)
	exception := catalog.Field{Name: "exception.type", Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "exception", Type: Int}
	span := catalog.Schema{ID: "s", Key: catalog.StoredKey(schemaid.Span, "GET /users"), Signal: schemaid.Span, Name: "GET /users",
		Fields: []catalog.Field{
			dp("http.method", String), dp("http.request.method", Int), dp("shop.cart.id", String),
			{Name: "", Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "exception"}, exception,
			{Name: "http.method", Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, Type: String},
		}}
	found := j.SpanKey([]catalog.Judged{{Schema: span}})
	got := render(found)
	want := []string{"IMPROVEMENT recommended_attribute_not_present exception.message", "IMPROVEMENT recommended_attribute_not_present exception.stacktrace",
		"VIOLATION deprecated http.method", "VIOLATION type_mismatch exception.type", "VIOLATION type_mismatch http.request.method"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("span findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, f := range found {
		switch {
		case f.ID == FindingDeprecated && (f.Replacement != "http.request.method" || f.Actual != "http.method"):
			t.Errorf("deprecated: %+v", f)
		case f.ID == FindingTypeMismatch && f.Attribute == "http.request.method" && (f.Expected != "string" || f.Actual != "int" || !strings.Contains(f.Message, `span "GET /users"`)):
			t.Errorf("type_mismatch: %+v", f)
		case f.ID == FindingTypeMismatch && f.Attribute == "exception.type" && !strings.Contains(f.Message, "exception.type of event exception"):
			t.Errorf("the event attribute's message does not name the event: %q", f.Message)
		}
		if f.SchemaID != "s" || f.Signal() != schemaid.Span {
			t.Errorf("filed on %s (%s), want the span schema", f.SchemaID, f.Signal())
		}
	}

	logEvent := catalog.Schema{ID: "l", Key: catalog.StoredKey(schemaid.Log, "app.login"), Signal: schemaid.Log, Name: "app.login",
		Fields: []catalog.Field{
			dp("code.filepath", String), dp("user.id", String), dp("shop.cart.id", String),
			{Name: "body.http.method", Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY, Type: String},
			{Name: "severity_number", Source: tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY, Type: Int},
		}}
	got = render(j.LogKey([]catalog.Judged{{Schema: logEvent}}))
	want = []string{"INFORMATION not_stable user.id", "VIOLATION deprecated code.filepath", "VIOLATION missing_event"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
