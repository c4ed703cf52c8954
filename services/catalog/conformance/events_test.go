package conformance

import (
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// logSchema is a log event's schema with attributes always there and some
// on a share of the records.
func logSchema(name string, attrs []string, sometimes map[string]float64) catalog.Schema {
	s := catalog.Schema{ID: "l-" + name, Key: catalog.StoredKey(schemaid.Log, name), Signal: schemaid.Log, Name: name,
		Fields: []catalog.Field{{Name: "body", Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY, Type: String, Presence: Always}}}
	for _, a := range attrs {
		s.Fields = append(s.Fields, dp(a, String))
	}
	for a, ratio := range sometimes {
		f := dp(a, String)
		f.Presence, f.SeenRatio = Sometimes, ratio
		s.Fields = append(s.Fields, f)
	}
	return s
}

// eventFindings renders the findings the event matching adds (not those of
// attributes against the attribute registry).
func eventFindings(fs []Finding) []string {
	var out []Finding
	for _, f := range fs {
		if f.ID == FindingMissingEvent || strings.HasSuffix(f.ID, "_attribute_not_present") || (f.Attribute == "" && f.ID != FindingSpanNameLimit) {
			out = append(out, f)
		}
	}
	return render(out)
}

func TestLogEvents(t *testing.T) {
	j := builtinJudge(t)
	for _, c := range []struct {
		name, event string
		attrs       []string
		sometimes   map[string]float64
		want        []string
	}{
		{"an event no registry defines", "app.login", []string{"user.id"}, nil, []string{"VIOLATION missing_event"}},
		// feature-flags/events.yaml: feature_flag.key required, the event a
		// release candidate.
		{"a required attribute missing", "feature_flag.evaluation", []string{"feature_flag.result.variant", "feature_flag.provider.name"}, nil, []string{
			"IMPROVEMENT recommended_attribute_not_present feature_flag.context.id",
			"IMPROVEMENT recommended_attribute_not_present feature_flag.error.message",
			"IMPROVEMENT recommended_attribute_not_present feature_flag.result.reason",
			"IMPROVEMENT recommended_attribute_not_present feature_flag.set.id",
			"IMPROVEMENT recommended_attribute_not_present feature_flag.version",
			"INFORMATION conditionally_required_attribute_not_present error.type",
			"INFORMATION conditionally_required_attribute_not_present feature_flag.result.value",
			"INFORMATION not_stable",
			"VIOLATION required_attribute_not_present feature_flag.key",
		}},
		// session/events.yaml: session.id required, on half the records.
		{"a required attribute on some records", "session.start", nil, map[string]float64{"session.id": 0.5}, []string{
			"INFORMATION conditionally_required_attribute_not_present session.previous_id",
			"INFORMATION not_stable",
			"VIOLATION required_attribute_not_present session.id",
		}},
		// exceptions/events.yaml: stable; type or message (exception.escaped
		// is deprecated, and not asked for).
		{"an exception with its type", "exception", []string{"exception.type", "exception.stacktrace"}, nil, []string{
			"IMPROVEMENT recommended_attribute_not_present exception.message",
		}},
		// azure/deprecated/events-deprecated.yaml: renamed.
		{"a deprecated event", "az.resource.log", []string{"az.service_request_id", "cloud.resource_id"}, nil, []string{"VIOLATION deprecated"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := logSchema(c.event, c.attrs, c.sometimes)
			found := j.LogKey([]catalog.Judged{{Schema: s}})
			if got := eventFindings(found); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			for _, f := range found {
				switch {
				case f.ID == FindingMissingEvent && (f.Actual != c.event || f.Message != `log event "`+c.event+`" is not defined in the registries`):
					t.Errorf("missing_event: %+v", f)
				case f.ID == FindingRequiredNotPresent && c.sometimes != nil && !strings.Contains(f.Message, "missing from 50 % of the log records"):
					t.Errorf("required on some records: %q", f.Message)
				case f.ID == FindingDeprecated && f.Attribute == "" && f.Replacement != "azure.resource.log":
					t.Errorf("deprecated event: %+v", f)
				}
				if f.SchemaID != s.ID {
					t.Errorf("%s filed on %s", f.ID, f.SchemaID)
				}
			}
		})
	}

	// A logger's schema, records without an event name, is no event.
	logger := logSchema("com.example.checkout", []string{"user.id"}, nil)
	logger.ByScope = true
	if got := eventFindings(j.LogKey([]catalog.Judged{{Schema: logger}})); len(got) != 0 {
		t.Errorf("a logger's schema: %v, want no event finding", got)
	}
	// missing_event takes a configured level like any other id.
	c, err := ParseConfig([]byte("levels:\n  missing_event: none\n"))
	if err != nil {
		t.Fatal(err)
	}
	j.Levels = c.Levels
	if got := eventFindings(j.LogKey([]catalog.Judged{{Schema: logSchema("app.login", nil, nil)}})); len(got) != 0 {
		t.Errorf("missing_event set to none: %v", got)
	}
}

// TestSpanEvents: a span's events matched by name. Shares are of spans:
// the event on a fifth of them, an attribute on a tenth is on half the
// events.
func TestSpanEvents(t *testing.T) {
	j := builtinJudge(t)
	event := func(name, attr string, ratio float64) catalog.Field {
		f := catalog.Field{Name: attr, Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: name, Type: String, Presence: Sometimes, SeenRatio: ratio}
		if attr == "" {
			f.Type = tallycatv1.ValueType_VALUE_TYPE_EMPTY
		}
		return f
	}
	for _, c := range []struct {
		name   string
		fields []catalog.Field
		want   []string
	}{
		// One finding names both of the pair.
		{"an exception without a type or a message", []catalog.Field{event("exception", "", 0.2), event("exception", "exception.stacktrace", 0.2)}, []string{
			"VIOLATION required_attribute_not_present exception.message",
		}},
		{"an exception with a message", []catalog.Field{event("exception", "", 0.2), event("exception", "exception.message", 0.2),
			event("exception", "exception.stacktrace", 0.2)}, []string{
			"IMPROVEMENT recommended_attribute_not_present exception.type",
		}},
		// Without a message, the type is required on every event; sent, it
		// makes the message recommended.
		{"an exception with a type on half of them", []catalog.Field{event("exception", "", 0.2), event("exception", "exception.type", 0.1),
			event("exception", "exception.stacktrace", 0.2)}, []string{
			"IMPROVEMENT recommended_attribute_not_present exception.message",
			"VIOLATION required_attribute_not_present exception.type",
		}},
		{"an event no registry defines", []catalog.Field{event("cache.miss", "", 0.5), event("cache.miss", "cache.key", 0.5)}, []string{
			"VIOLATION missing_event",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := spanSchema("GET /orders", schemaid.SpanKindInternal, []string{"shop.order.id"}, nil)
			s.Fields = append(s.Fields, c.fields...)
			found := j.SpanKey([]catalog.Judged{{Schema: s}})
			if got := eventFindings(found); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			for _, f := range found {
				switch {
				case f.ID == FindingMissingEvent && (f.Actual != "cache.miss" || f.Message != `event cache.miss of span "GET /orders" is not defined in the registries`):
					t.Errorf("missing_event: %+v", f)
				case f.ID == FindingRequiredNotPresent && f.Attribute == "exception.message" &&
					f.Message != `required attribute exception.message is not present on event exception of span "GET /orders", nor is exception.type, which would stand for it`:
					t.Errorf("neither type nor message: %q", f.Message)
				case f.ID == FindingRequiredNotPresent && f.Attribute == "exception.type" && !strings.Contains(f.Message, "missing from 50 % of the events of event exception"):
					t.Errorf("type on half the events: %q", f.Message)
				}
			}
		})
	}
}
