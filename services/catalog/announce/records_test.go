package announce_test

import (
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/announce"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// attrs reads a record's attributes by key.
func attrs(r log.Record) map[string]attribute.Value {
	out := map[string]attribute.Value{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		out[string(kv.Key)] = kv.Value
		return true
	})
	return out
}

func TestFindingRecord(t *testing.T) {
	f := conformance.Finding{ID: conformance.FindingDeprecated, Level: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION,
		Message: "attribute http.method is deprecated: use http.request.method", SchemaID: "abc", SchemaKey: "http.server.request.duration",
		Attribute: "http.method", Actual: "http.method", Replacement: "http.request.method",
		Producers: []catalog.ReleaseIdentity{{ServiceName: "shop", ServiceVersion: "1.1.0"}, {ServiceNamespace: "eu", ServiceName: "cart", ServiceVersion: "2.0.0"}, {ServiceName: "shop", ServiceVersion: "1.0.0"}}}
	r := announce.FindingRecord(f)
	if r.EventName() != "tallycat.finding" || r.Severity() != log.SeverityError || r.SeverityText() != "ERROR" || r.Body().AsString() != f.Message {
		t.Errorf("record = %s %v %q %q, want tallycat.finding at ERROR with the message", r.EventName(), r.Severity(), r.SeverityText(), r.Body().AsString())
	}
	a := attrs(r)
	for k, want := range map[string]string{
		"tallycat.finding.id": "deprecated", "tallycat.finding.level": "violation", "tallycat.finding.signal.type": "metric",
		"tallycat.finding.signal.name": "http.server.request.duration", "tallycat.finding.sample.type": "attribute",
		"tallycat.finding.context.attribute_key": "http.method", "tallycat.finding.context.actual": "http.method",
		"tallycat.finding.context.replacement": "http.request.method", "tallycat.schema.id": "abc",
	} {
		if got := a[k].AsString(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := a["tallycat.finding.context.expected"]; ok {
		t.Error("an empty expected is sent; want it left out")
	}
	if got := a["tallycat.finding.service.names"].AsStringSlice(); !slices.Equal(got, []string{"cart", "shop"}) {
		t.Errorf("service names = %v, want each once, sorted", got)
	}
	if got := a["tallycat.finding.producers"].AsStringSlice(); !slices.Equal(got, []string{"eu/cart 2.0.0", "shop 1.0.0", "shop 1.1.0"}) {
		t.Errorf("producers = %v", got)
	}
	for level, want := range map[tallycatv1.FindingLevel]log.Severity{
		tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT: log.SeverityWarn, tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION: log.SeverityInfo,
	} {
		if got := announce.FindingRecord(conformance.Finding{Level: level}); got.Severity() != want || got.SeverityText() != want.String() {
			t.Errorf("level %v gives severity %v %q, want %v", level, got.Severity(), got.SeverityText(), want)
		}
	}
}

func TestSchemaChangeRecord(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	moved := catalog.Event{Key: "cart.items", SchemaID: "aaaaaaaaaaaa", TargetSchemaID: "bbbbbbbbbbbb", At: at,
		Kind:     tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED,
		Producer: &catalog.ProducerIdentity{ServiceName: "cart", ServiceVersion: "1.1.0"},
		Added:    []schemaid.Attribute{{Key: "cart.size_bucket", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}}}
	r, ok := announce.SchemaChangeRecord(moved)
	if !ok || r.EventName() != "tallycat.schema.change" || r.Severity() != log.SeverityInfo || !r.Timestamp().Equal(at) ||
		r.Body().AsString() != "cart 1.1.0 moved from aaaaaaaa to bbbbbbbb: added cart.size_bucket (string)" {
		t.Errorf("move = %v %s %v %v %q", ok, r.EventName(), r.Severity(), r.Timestamp(), r.Body().AsString())
	}
	a := attrs(r)
	for k, want := range map[string]string{
		"tallycat.schema.change.kind": "producer_moved", "tallycat.schema.key": "cart.items", "tallycat.schema.id": "aaaaaaaaaaaa",
		"tallycat.schema.change.target_id": "bbbbbbbbbbbb", "tallycat.producer.service.name": "cart", "tallycat.producer.service.version": "1.1.0",
	} {
		if got := a[k].AsString(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := a["tallycat.schema.change.added_attributes"].AsStringSlice(); !slices.Equal(got, []string{"cart.size_bucket"}) {
		t.Errorf("added = %v", got)
	}
	for _, k := range []string{"tallycat.producer.service.namespace", "tallycat.producer.service.instance.id"} {
		if _, ok := a[k]; ok {
			t.Errorf("%s is sent empty", k)
		}
	}
	first := catalog.Event{Key: "cart.items", SchemaID: "cccc", At: at, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN,
		Producer: &catalog.ProducerIdentity{ServiceName: "cart", ServiceVersion: "1.0.0", ServiceInstanceID: "cart-1"}}
	if r, ok := announce.SchemaChangeRecord(first); !ok || attrs(r)["tallycat.schema.change.kind"].AsString() != "schema_first_seen" ||
		attrs(r)["tallycat.producer.service.instance.id"].AsString() != "cart-1" {
		t.Errorf("first seen = %v, %v", ok, attrs(r))
	}
	for _, k := range []tallycatv1.SchemaEventKind{tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED,
		tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED} {
		if _, ok := announce.SchemaChangeRecord(catalog.Event{Kind: k}); ok {
			t.Errorf("%v is sent; want only first-seen and moved", k)
		}
	}
}
