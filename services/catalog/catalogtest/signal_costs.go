package catalogtest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// The cost figures of span and log fields, and a log's bytes, as users read
// them: a span or a log record is a data point of its shape, and its
// counted fields get what a metric's data point fields get.

const (
	notCounted = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED
	spanSource = tallycatv1.FieldSource_FIELD_SOURCE_SPAN
	logSource  = tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD
)

// values is a distinct set of the values and their kept counts.
func values(counts map[string]uint64) (cardinality.Distinct, []catalog.ValueCount) {
	var d cardinality.Distinct
	var out []catalog.ValueCount
	for _, v := range slices.Sorted(maps.Keys(counts)) {
		d.Add(cardinality.HashString(str, v))
		out = append(out, catalog.ValueCount{Value: v, DataPoints: counts[v]})
	}
	return d, out
}

// testSpanAndLogFieldFigures: a span's own attributes, reported by two
// ingest replicas, show their distinct values, examples and high
// cardinality on its schema as a metric's data point fields do; its
// event's field is not counted. A log's severity values are examples, its
// attributes counted, its body not counted, and its records' bytes add up
// into its cost and its rate, on its schema and its key, across a restart.
// Figures of a body are refused.
func testSpanAndLogFieldFigures(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	at := time.Now().UTC().Add(-4 * time.Minute)
	exception := EventAttr("exception", "exception.type", str)
	span := func(from, to int, when time.Time) catalog.Observation {
		o := SpanObservation("GET /users/{id}", schemaid.SpanKindServer, "users", when, Str("http.route"), Str("user.id"), exception)
		var users cardinality.Distinct
		for i := from; i < to; i++ {
			users.Add(cardinality.HashString(str, fmt.Sprint("user-", i)))
		}
		routes, listed := values(map[string]uint64{"/users/{id}": uint64(to-from) * 3 / 4, "/users": uint64(to-from) / 4})
		o.DataPoints = uint64(to - from)
		o.Fields = []catalog.FieldFigures{
			{Source: spanSource, Key: "http.route", Type: str, Distinct: routes, State: kept, Values: listed},
			{Source: spanSource, Key: "user.id", Type: str, Distinct: users, State: withheld},
		}
		return o
	}
	a, b := span(0, 800, at), span(600, 1600, at.Add(time.Second))
	record(t, s, "span-replica-a", a)
	record(t, s, "span-replica-b", b)

	logs := LogObservation("app.login", false, "users", at, From(schemaid.Body, "body", str), From(schemaid.Own, "code.function.name", str),
		From(schemaid.Severity, "severity_text", str))
	logs.FirstObserved, logs.LastObserved, logs.DataPoints, logs.RecordBytes = at, at.Add(4*time.Minute), 40, 40*250
	sev, sevKept := values(map[string]uint64{"INFO": 30, "WARN": 10})
	fn, _ := values(map[string]uint64{"auth.Login": 40})
	logs.Fields = []catalog.FieldFigures{
		{Source: tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY, Key: "severity_text", Type: str, Distinct: sev, State: kept, Values: sevKept},
		{Source: logSource, Key: "code.function.name", Type: str, Distinct: fn, State: withheld},
	}
	record(t, s, "logs", logs)

	check := func(when string, s catalog.Store) {
		d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, a.VariantID, lastHour))
		route, user, exc := field(d.Schema, dataPoint, "http.route"), field(d.Schema, dataPoint, "user.id"), field(d.Schema, eventSource, "exception.type")
		if route == nil || route.ExamplesState != kept || route.Distinct != 2 || len(route.Examples) != 2 || route.Examples[0].Value != "/users/{id}" ||
			math.Abs(route.Examples[0].Share-0.75) > 0.01 || route.HighCardinality {
			t.Errorf("%s: span http.route = %+v, want two kept values, /users/{id} 75 %%", when, route)
		}
		if user == nil || !user.HighCardinality || !near(user.Distinct, 1600, 0.03) || user.ExamplesState != withheld || len(user.Examples) != 0 {
			t.Errorf("%s: span user.id = %+v, want about 1,600 values across both replicas, high cardinality, none shown", when, user)
		}
		if exc == nil || exc.ExamplesState != notCounted || exc.Distinct != 0 {
			t.Errorf("%s: span event field = %+v, want not counted", when, exc)
		}
		if c := d.Schema.Cost; c == nil || c.Series != 0 || c.DataPoints != 1800 || c.LogBytes != 0 {
			t.Errorf("%s: span cost = %+v, want 1,800 spans, no series, no bytes", when, c)
		}
		l := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, logs.VariantID, lastHour))
		wantSev := []cardinality.Share{{Value: "INFO", DataPoints: 30, Share: 0.75}, {Value: "WARN", DataPoints: 10, Share: 0.25}}
		if f := field(l.Schema, severitySource, "severity_text"); f == nil || f.ExamplesState != kept || !slices.Equal(f.Examples, wantSev) {
			t.Errorf("%s: severity_text = %+v, want INFO 75 %% and WARN 25 %%", when, f)
		}
		if f := field(l.Schema, dataPoint, "code.function.name"); f == nil || f.Distinct != 1 || f.ExamplesState != withheld {
			t.Errorf("%s: code.function.name = %+v, want one value counted", when, f)
		}
		if f := field(l.Schema, bodySource, "body"); f == nil || f.ExamplesState != notCounted || f.Distinct != 0 || len(f.Examples) != 0 {
			t.Errorf("%s: body = %+v, want not counted", when, f)
		}
		// 10,000 bytes over the four minutes the 40 records came in.
		if c := l.Schema.Cost; c == nil || c.LogBytes != 10000 || math.Abs(c.LogBytesPerMinute-2500) > 1 || c.DataPoints != 40 {
			t.Errorf("%s: log cost = %+v, want 10,000 bytes at 2,500 a minute", when, c)
		}
		keys, _ := must2(t)(s.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: []schemaid.Signal{schemaid.Log}, Window: lastDay}))
		if len(keys) != 1 || keys[0].Cost.LogBytes != 10000 || math.Abs(keys[0].Cost.LogBytesPerMinute-2500) > 1 {
			t.Errorf("%s: log keys = %+v, want its 10,000 bytes", when, keys)
		}
	}
	check("as recorded", s)
	s = h.Reopen(t, s)
	check("after a restart", s)

	body := logs
	body.Fields = []catalog.FieldFigures{{Source: bodySource, Key: "body", Type: str, State: kept, Values: []catalog.ValueCount{{Value: "card 4111", DataPoints: 1}}}}
	if _, err := s.RecordObservations(ctx, "body-figures", []catalog.Observation{body}); catalog.ErrorCode(err) != catalog.EINVALID {
		t.Errorf("a body's figures: %v, want EINVALID", err)
	}
}
