package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Spans and logs over the API: recorded with their signal, name and the
// sources of their keys, and read back by (signal, name), never by the
// catalog's stored key.

const (
	spanSignal = tallycatv1.Signal_SIGNAL_SPAN
	logSignal  = tallycatv1.Signal_SIGNAL_LOG
	srcSpan    = tallycatv1.FieldSource_FIELD_SOURCE_SPAN
	srcEvent   = tallycatv1.FieldSource_FIELD_SOURCE_EVENT
	srcLink    = tallycatv1.FieldSource_FIELD_SOURCE_LINK
	srcLog     = tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD
	srcBody    = tallycatv1.FieldSource_FIELD_SOURCE_BODY
	srcSev     = tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY
)

func from(src tallycatv1.FieldSource, name string, t tallycatv1.ValueType) *tallycatv1.AttributeKey {
	return &tallycatv1.AttributeKey{Name: name, ValueType: t, Source: src}
}

// signalObs is an observation of spans or log records named name.
func signalObs(sig tallycatv1.Signal, name string, attrs ...*tallycatv1.AttributeKey) *tallycatv1.Observation {
	now := time.Now()
	return &tallycatv1.Observation{
		Signal: sig, Name: name, DataPointAttributes: attrs,
		Producer:       &tallycatv1.ProducerIdentity{ServiceName: "users", ServiceVersion: "1.0.0"},
		ScopeName:      "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
		DataPointCount: 20, FirstObserved: timestamppb.New(now), LastObserved: timestamppb.New(now),
	}
}

func TestSpansAndLogs(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			const route = "GET /users/{id}"
			span := signalObs(spanSignal, route, from(srcSpan, "http.route", String),
				&tallycatv1.AttributeKey{Name: "exception.type", ValueType: String, Source: srcEvent, EventName: "exception"},
				from(srcLink, "peer.service", String))
			span.SpanKind, span.ErrorCount = tallycatv1.SpanKind_SPAN_KIND_SERVER, 4
			login := signalObs(logSignal, "app.login", from(srcLog, "session.id", String), from(srcBody, "body", tallycatv1.ValueType_VALUE_TYPE_MAP),
				from(srcBody, "user.id", String), from(srcSev, "severity_number", Int))
			metric := obs(route, "users", key("http.route", String))
			res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
				Observations: []*tallycatv1.Observation{span, login, metric}})
			if err != nil {
				t.Fatal(err)
			}
			if res.NewSchemas != 3 {
				t.Fatalf("record = %v, want three schemas: a span, a log and a metric", res)
			}

			// Keys: metrics' by default; the span's and the log's by their
			// names when asked for.
			keys, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
			if err != nil || len(keys.SchemaKeys) != 1 || keys.SchemaKeys[0].SchemaKey != route ||
				keys.SchemaKeys[0].Signal != tallycatv1.Signal_SIGNAL_METRIC {
				t.Fatalf("keys without signals = %v, %v; want the metric's alone", keys, err)
			}
			keys, err = c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{spanSignal, logSignal}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range keys.SchemaKeys {
				got = append(got, k.Signal.String()+" "+k.SchemaKey)
				if strings.ContainsRune(k.SchemaKey, 0x1f) {
					t.Errorf("key %q shows the stored key", k.SchemaKey)
				}
				// Spans and logs have their rate, from the count and the
				// times sent (20 in under a minute: 20 a minute), and no
				// series.
				if c := k.Cost; c == nil || c.DataPoints != 20 || c.DataPointsPerMinute != 20 || c.SeriesEstimate != 0 ||
					c.Window != tallycatv1.Window_WINDOW_LAST_HOUR || c.EstimatedMonthlyCost != nil {
					t.Errorf("key %q has cost %v, want 20 a minute over the last hour, no series", k.SchemaKey, k.Cost)
				}
			}
			// By name, byte by byte: "GET" before "app".
			if want := []string{"SIGNAL_SPAN " + route, "SIGNAL_LOG app.login"}; !slices.Equal(got, want) || keys.TotalSize != 2 {
				t.Errorf("span and log keys = %v, want %v", got, want)
			}
			if sk := keys.SchemaKeys[0].SpanKinds; !slices.Equal(sk, []tallycatv1.SpanKind{tallycatv1.SpanKind_SPAN_KIND_SERVER}) {
				t.Errorf("span kinds = %v", sk)
			}

			spans, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: route, Signal: spanSignal})
			if err != nil || len(spans.Schemas) != 1 {
				t.Fatalf("span schemas = %v, %v", spans, err)
			}
			sc := spans.Schemas[0]
			if sc.SchemaId != res.SchemaIds[0] || sc.SchemaKey != route || sc.Signal != spanSignal || sc.SpanKind != tallycatv1.SpanKind_SPAN_KIND_SERVER ||
				sc.ErrorCount != 4 || sc.DataPointCount != 20 || sc.MetricType != 0 {
				t.Errorf("span schema = %v", sc)
			}
			fields := map[string]*tallycatv1.Field{}
			for _, f := range sc.Fields {
				fields[f.Name] = f
			}
			if f := fields["http.route"]; f.GetSource() != srcSpan {
				t.Errorf("http.route = %v, want a SPAN field", f)
			}
			if f := fields["exception.type"]; f.GetSource() != srcEvent || f.GetEventName() != "exception" {
				t.Errorf("exception.type = %v, want the exception EVENT's", f)
			}
			if f := fields["peer.service"]; f.GetSource() != srcLink {
				t.Errorf("peer.service = %v, want a LINK field", f)
			}
			detail, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: sc.SchemaId})
			if err != nil {
				t.Fatal(err)
			}
			// The span's rate on its schema and its release; its fields
			// carry no figures, none having been sent (unknown, not
			// zero), and its event's and link's fields say that their
			// values are not counted.
			if c := detail.Schema.Cost; c == nil || c.DataPoints != 20 || c.DataPointsPerMinute != 20 || c.SeriesEstimate != 0 ||
				slices.ContainsFunc(detail.Schema.Fields, func(f *tallycatv1.Field) bool {
					want := tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_UNSPECIFIED
					if f.Source == srcEvent || f.Source == srcLink {
						want = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED
					}
					return f.ExampleValuesState != want || f.DistinctEstimate != 0
				}) {
				t.Errorf("span schema cost %v, fields %v: want 20 spans a minute, no series, fields without figures", detail.Schema.Cost, detail.Schema.Fields)
			}
			if r := detail.Releases; len(r) != 1 || r[0].Cost.GetDataPointsPerMinute() != 20 || r[0].Cost.GetSeriesEstimate() != 0 {
				t.Errorf("span releases = %v, want users 1.0.0 at 20 spans a minute", r)
			}
			if v := detail.Variants; len(v) != 1 || !slices.ContainsFunc(v[0].Attributes, func(f *tallycatv1.Field) bool {
				return f.Source == srcEvent && f.EventName == "exception" && f.Name == "exception.type"
			}) {
				t.Errorf("variants = %v, want the exception's field in the one variant", v)
			}
			metrics, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: route})
			if err != nil || len(metrics.Schemas) != 1 || metrics.Schemas[0].SchemaId != res.SchemaIds[2] ||
				metrics.Schemas[0].Fields[len(metrics.Schemas[0].Fields)-1].Source != tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
				t.Errorf("the metric of the span's name = %v, %v", metrics, err)
			}

			logs, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.login", Signal: logSignal})
			if err != nil || len(logs.Schemas) != 1 {
				t.Fatalf("log schemas = %v, %v", logs, err)
			}
			var sources []string
			for _, f := range logs.Schemas[0].Fields {
				if f.Source != tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE && f.Source != tallycatv1.FieldSource_FIELD_SOURCE_SCOPE {
					sources = append(sources, f.Source.String()+" "+f.Name)
				}
			}
			slices.Sort(sources)
			if want := []string{"FIELD_SOURCE_BODY body", "FIELD_SOURCE_BODY user.id", "FIELD_SOURCE_LOG_RECORD session.id",
				"FIELD_SOURCE_SEVERITY severity_number"}; !slices.Equal(sources, want) || logs.Schemas[0].Signal != logSignal {
				t.Errorf("log fields = %v, want %v", sources, want)
			}

			// Key-addressed reads by (signal, name).
			events, err := c.catalog.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: route, Signal: spanSignal})
			if err != nil || len(events.Events) != 1 || events.Events[0].SchemaId != sc.SchemaId || events.Events[0].SchemaKey != route ||
				events.Events[0].Signal != spanSignal {
				t.Errorf("span events = %v, %v", events, err)
			}
			producers, err := c.catalog.ListProducers(ctx, &tallycatv1.ListProducersRequest{Filter: &tallycatv1.ListProducersRequest_SchemaKey{SchemaKey: "app.login"}, Signal: logSignal})
			if err != nil || len(producers.Producers) != 1 {
				t.Errorf("log producers = %v, %v", producers, err)
			}
			if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: sc.SchemaId, Version: "1.0.0"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: res.SchemaIds[2], Version: "1.0.0"}); err != nil {
				t.Errorf("the metric's 1.0.0 beside the span's: %v", err)
			}
			versions, err := c.versioning.ListVersions(ctx, &tallycatv1.ListVersionsRequest{
				Filter: &tallycatv1.ListVersionsRequest_SchemaKey{SchemaKey: route}, Signal: spanSignal})
			if err != nil || len(versions.Versions) != 1 || versions.Versions[0].SchemaId != sc.SchemaId {
				t.Errorf("span versions = %v, %v", versions, err)
			}
			if _, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: route, Signal: logSignal}); err == nil ||
				!strings.Contains(err.Error(), `log event "`+route+`"`) {
				t.Errorf("a log of the span's name: %v, want not found, naming the log event", err)
			}
			// The span's attributes are judged against the registry: its
			// link's peer.service is deprecated; its exception event, which
			// the registry defines, carries exception.type, which makes
			// exception.message recommended, and no exception.stacktrace.
			findings, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaId: sc.SchemaId})
			var ids []string
			for _, f := range findings.GetFindings() {
				ids = append(ids, f.FindingId+" "+f.Attribute)
				if f.FindingId == "deprecated" && (f.Replacement != "service.peer.name" || !strings.Contains(f.Message, "peer.service of a link")) {
					t.Errorf("deprecated finding = %v", f)
				}
			}
			if want := []string{"deprecated peer.service", "recommended_attribute_not_present exception.message",
				"recommended_attribute_not_present exception.stacktrace"}; err != nil || !slices.Equal(ids, want) {
				t.Errorf("findings of the span = %v, %v; want %v", ids, err, want)
			}
		})
	}
}
