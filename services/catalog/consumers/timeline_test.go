package consumers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// EventBreaks names, by event, the queries a release's change breaks: a
// real move of a release that grew breaks nothing (its schema keeps every
// attribute), a move onto a schema without state breaks the rule grouping
// by state, a new release without state breaks it where its schema is
// first seen, and the other events are not read.
func TestEventBreaks(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	s := cservice.New(store, cservice.Options{})
	syncRules(t, s, rule("cpu_by_state", `sum by (state) (rate(system_cpu_time_seconds_total[5m]))`))
	cpu, state, device := catalogtest.Str("cpu"), catalogtest.Str("state"), catalogtest.Str("system.device")
	at := func(d time.Duration, version string, attrs ...schemaid.Attribute) catalog.Observation {
		o := catalogtest.Observation("system.cpu.time", "host", catalogtest.T0.Add(d), attrs...)
		o.Producer.ServiceVersion = version
		o.Normalize()
		return o
	}
	base := at(0, "1.0.0", cpu, state)
	if _, err := store.RecordObservations(ctx, "a", []catalog.Observation{base}); err != nil {
		t.Fatal(err)
	}
	grown, err := store.RecordObservations(ctx, "b", []catalog.Observation{at(time.Minute, "1.0.0", cpu, state), at(time.Minute, "1.0.0", cpu, state, device)})
	if err != nil {
		t.Fatal(err)
	}
	noState := at(2*time.Minute, "2.0.0", cpu)
	if _, err := store.RecordObservations(ctx, "c", []catalog.Observation{noState}); err != nil {
		t.Fatal(err)
	}

	events, err := store.ListSchemaEvents(ctx, "system.cpu.time", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	moves := 0
	for _, e := range events {
		if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			moves++
			if e.SchemaID != base.VariantID || e.TargetSchemaID != grown.SchemaIDs[1] {
				t.Errorf("move %+v, want release 1.0.0's from %s to %s", e, base.VariantID, grown.SchemaIDs[1])
			}
		}
	}
	if moves != 1 {
		t.Fatalf("timeline %+v: want release 1.0.0's move", events)
	}
	got, err := s.EventBreaks(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, bs := range got {
		if e := events[i]; e.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN || e.SchemaID != noState.VariantID || len(bs) != 1 || bs[0].Label != "state" {
			t.Errorf("EventBreaks of the real timeline: event %+v breaks %+v; want only release 2.0.0's first schema, on state (the move kept state)", e, bs)
		}
	}
	if len(got) != 1 {
		t.Errorf("EventBreaks of the real timeline = %+v, want release 2.0.0's first schema breaking the rule", got)
	}

	release := catalog.ProducerIdentity{ServiceName: "host", ServiceVersion: "1.0.0"}
	ontoNoState := catalog.Event{Key: "system.cpu.time", SchemaID: base.VariantID, TargetSchemaID: noState.VariantID,
		Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED, Producer: &release, At: catalogtest.T0}
	page := append([]catalog.Event{ontoNoState}, events...)
	got, err = s.EventBreaks(ctx, page)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 1 {
		t.Fatalf("EventBreaks = %+v, want the rule broken by the first event and by release 2.0.0's first schema", got)
	}
	if b := got[0][0]; b.Title != "cpu_by_state" || b.Kind != "recording_rule" || b.Label != "state" || b.FindingID != "consumer_missing_attribute" {
		t.Errorf("break %+v, want rule cpu_by_state missing state", b)
	}
	summary := catalog.SummarizeEventBreaks(&page[0], got[0])
	if want := `; breaks recording rule "cpu_by_state" (groups by state)`; !strings.HasSuffix(summary, want) || !strings.HasPrefix(summary, catalog.SummarizeEvent(&page[0])) {
		t.Errorf("summary %q, want the move's followed by %q", summary, want)
	}

	if _, err := s.EventBreaks(ctx, []catalog.Event{{Key: "system.cpu.time", Kind: ontoNoState.Kind, SchemaID: base.VariantID, TargetSchemaID: strings.Repeat("0", 32)}}); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("a move onto an unknown schema = %v, want ENOTFOUND", err)
	}
}
