package catalog_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// The planner's rules (docs/schema-id.md), checked without a database: a fake
// Holdings keeps what a store would, and apply persists a Plan into it so a
// sequence of batches can be planned.

const (
	evFirstSeen = tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN
	evAdded     = tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED
	evMoved     = tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED

	metricKey = "http.server.request.duration"
)

var (
	method    = schemaid.Attribute{Key: "http.request.method", Type: String}
	errorType = schemaid.Attribute{Key: "error.type", Type: String}
	route     = schemaid.Attribute{Key: "http.route", Type: String}
	statusInt = schemaid.Attribute{Key: "status", Type: Int}
	statusStr = schemaid.Attribute{Key: "status", Type: String}
	hostName  = schemaid.Attribute{Key: "host.name", Type: String}
	podName   = schemaid.Attribute{Key: "k8s.pod.name", Type: String}

	header = schemaid.Shape{Name: metricKey, Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE}
	t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

func minute(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// schemaOf is the id of the schema whose union is attrs.
func schemaOf(attrs ...schemaid.Attribute) string {
	s := header
	s.Attributes = slices.Clone(attrs)
	return schemaid.ID(s)
}

// ob is one variant of checkout at version from instance, seen for a minute
// from minute at.
func ob(version, instance string, at int, attrs ...schemaid.Attribute) catalog.Observation {
	s := header
	s.Attributes = slices.Clone(attrs)
	return catalog.Observation{Shape: s, Description: "Duration of HTTP server requests.",
		Producer:  catalog.ProducerIdentity{ServiceName: "checkout", ServiceVersion: version, ServiceInstanceID: instance},
		ScopeName: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", ScopeVersion: "0.60.0",
		DataPoints: 10, FirstObserved: minute(at), LastObserved: minute(at).Add(time.Minute)}
}

func withScope(o catalog.Observation, name string) catalog.Observation { o.ScopeName = name; return o }

type fakeHoldings struct {
	streams      map[string]catalog.HeldStream
	schemas      map[string]catalog.HeldSchema
	fields       map[catalog.PairKey]uint64
	keyProducers map[catalog.KeyProducer]bool
	costs        map[catalog.StreamBucket][]catalog.CostRow
}

func newFake() *fakeHoldings {
	return &fakeHoldings{streams: map[string]catalog.HeldStream{}, schemas: map[string]catalog.HeldSchema{},
		fields: map[catalog.PairKey]uint64{}, keyProducers: map[catalog.KeyProducer]bool{},
		costs: map[catalog.StreamBucket][]catalog.CostRow{}}
}

func (f *fakeHoldings) Costs(_ context.Context, buckets []catalog.StreamBucket) ([]catalog.CostRow, error) {
	var out []catalog.CostRow
	for _, b := range buckets {
		out = append(out, f.costs[b]...)
	}
	return out, nil
}

func (f *fakeHoldings) Streams(_ context.Context, ids []string) (map[string]catalog.HeldStream, error) {
	return pick(f.streams, ids), nil
}

func (f *fakeHoldings) Schemas(_ context.Context, ids []string) (map[string]catalog.HeldSchema, error) {
	return pick(f.schemas, ids), nil
}

func pick[V any](m map[string]V, ids []string) map[string]V {
	out := map[string]V{}
	for _, id := range ids {
		if v, ok := m[id]; ok {
			out[id] = v
		}
	}
	return out
}

func (f *fakeHoldings) Pairs(_ context.Context, pairs []catalog.PairKey) (catalog.HeldPairs, error) {
	out := catalog.HeldPairs{FieldsHash: map[catalog.PairKey]uint64{}, KeyProducers: map[catalog.KeyProducer]bool{}}
	for _, pk := range pairs {
		if h, ok := f.fields[pk]; ok {
			out.FieldsHash[pk] = h
		}
		if kp := (catalog.KeyProducer{Key: pk.Key, ProducerID: pk.ProducerID}); f.keyProducers[kp] {
			out.KeyProducers[kp] = true
		}
	}
	return out, nil
}

// apply persists p as a store would, as far as the planner reads it back
// (a move's carrying of pairs onto its target is left out).
func (f *fakeHoldings) apply(p *catalog.Plan) {
	union := map[string][]schemaid.Attribute{}
	for _, sw := range p.Schemas {
		union[sw.ID] = sw.Shape.Attributes
		s := f.schemas[sw.ID]
		s.Description = sw.Description.Text
		f.schemas[sw.ID] = s
	}
	for id, d := range p.CurrentStreams {
		s := f.schemas[id]
		s.CurrentStreams += d
		f.schemas[id] = s
	}
	desc := map[string]string{}
	for _, m := range p.Streams {
		desc[m.ID] = m.Description.Text
	}
	for _, sw := range p.Streams {
		f.streams[sw.ID] = catalog.HeldStream{SchemaID: sw.SchemaID, Union: slices.Clone(union[sw.SchemaID]), Description: desc[sw.ID]}
	}
	for _, pw := range p.Pairs {
		if pw.WriteFields {
			f.fields[pw.PairKey] = pw.FieldsHash
		}
		f.keyProducers[catalog.KeyProducer{Key: pw.Key, ProducerID: pw.ProducerID}] = true
	}
	for _, c := range p.Costs {
		rows := f.costs[c.StreamBucket]
		i := slices.IndexFunc(rows, func(r catalog.CostRow) bool { return r.Field == c.Field })
		if c.New != (i < 0) {
			panic("a cost row's New does not say whether the store holds it")
		}
		if i < 0 {
			f.costs[c.StreamBucket] = append(rows, c.CostRow)
		} else {
			rows[i] = c.CostRow
		}
	}
}

// planAll plans and applies each batch in turn.
func planAll(t *testing.T, f *fakeHoldings, batches ...[]catalog.Observation) []*catalog.Plan {
	t.Helper()
	var plans []*catalog.Plan
	for i, b := range batches {
		p, err := catalog.PlanBatch(context.Background(), b, f, catalog.DefaultCostConfig())
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		f.apply(p)
		plans = append(plans, p)
	}
	return plans
}

type ev struct {
	Kind   tallycatv1.SchemaEventKind
	Schema string
}

func checkKey(t *testing.T, p *catalog.Plan, want [3]int) {
	t.Helper()
	if len(p.Keys) != 1 || p.Keys[0].Key != metricKey {
		t.Fatalf("keys = %+v, want one for %s", p.Keys, metricKey)
	}
	if k := p.Keys[0]; [3]int{k.SchemaDelta, k.SupersededDelta, k.ProducerDelta} != want {
		t.Errorf("key deltas (schemas, superseded, producers) = (%d, %d, %d), want %v", k.SchemaDelta, k.SupersededDelta, k.ProducerDelta, want)
	}
}

func checkCurrent(t *testing.T, p *catalog.Plan, want map[string]int) {
	t.Helper()
	got := maps.Clone(p.CurrentStreams)
	maps.DeleteFunc(got, func(_ string, d int) bool { return d == 0 })
	if !maps.Equal(got, want) {
		t.Errorf("current stream changes = %v, want %v", got, want)
	}
}

func checkList[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func checkEvents(t *testing.T, p *catalog.Plan, want ...ev) {
	t.Helper()
	got := []ev{}
	for _, e := range p.Events {
		got = append(got, ev{e.Kind, e.SchemaID})
	}
	checkList(t, "events", got, want)
}

func TestPlanBatchRules(t *testing.T) {
	small, big, withRoute, onlyRoute := schemaOf(method), schemaOf(method, errorType), schemaOf(method, route), schemaOf(route)
	release := func(v string) catalog.ProducerIdentity {
		return catalog.ProducerIdentity{ServiceName: "checkout", ServiceVersion: v}
	}
	for _, tc := range []struct {
		name    string
		batches [][]catalog.Observation
		// of the last batch
		ids     []string
		new     int
		events  []ev
		current map[string]int
		key     [3]int // schema, superseded and producer deltas
		check   func(t *testing.T, f *fakeHoldings, p *catalog.Plan)
	}{{
		name:    "otelhttp: one release, two instances, one schema of the union",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), ob("1.2.0", "pod-b", 1, method, errorType)}},
		ids:     []string{big, big}, new: 1, events: []ev{{evFirstSeen, big}}, current: map[string]int{big: 1}, key: [3]int{1, 0, 2},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if len(p.Schemas) != 1 || len(p.Streams) != 1 || len(p.Variants) != 2 {
				t.Errorf("schemas, streams, variants = %d, %d, %d, want 1, 1, 2", len(p.Schemas), len(p.Streams), len(p.Variants))
			}
			if e := p.Events[0]; e.Producer == nil || e.Producer.ServiceInstanceID != "pod-a" || !e.At.Equal(minute(0)) {
				t.Errorf("first seen from %+v at %v, want pod-a at %v", e.Producer, e.At, minute(0))
			}
		},
	}, {
		name: "the union only grows: fewer attributes later keep the schema",
		batches: [][]catalog.Observation{
			{ob("1.2.0", "pod-a", 0, method), ob("1.2.0", "pod-a", 0, method, errorType)},
			{ob("1.2.0", "pod-a", 10, method)},
		},
		ids: []string{big}, events: []ev{},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if len(p.Moves) != 0 || len(p.Schemas) != 1 || p.Schemas[0].New {
				t.Errorf("moves = %+v, schemas = %+v, want the old schema, no move", p.Moves, p.Schemas)
			}
		},
	}, {
		name:    "growth moves the release to the schema of the larger union",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method)}, {ob("1.2.0", "pod-a", 10, method, errorType)}},
		ids:     []string{big}, new: 1, events: []ev{{evFirstSeen, big}, {evMoved, small}},
		current: map[string]int{small: -1, big: 1}, key: [3]int{0, 1, 0},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			want := []catalog.Move{{StreamID: p.Streams[0].ID, From: small, To: big, Release: release("1.2.0").Release(),
				Added: []schemaid.Attribute{errorType}, At: minute(10)}}
			if !reflect.DeepEqual(p.Moves, want) {
				t.Errorf("moves = %+v, want %+v", p.Moves, want)
			}
			moved := p.Events[1]
			if moved.TargetSchemaID != big || moved.Producer == nil || *moved.Producer != release("1.2.0") {
				t.Errorf("moved event = %+v, want target %.8s naming the release", moved, big)
			}
			want2 := "checkout 1.2.0 moved from " + small[:8] + " to " + big[:8] + ": added error.type (string)"
			if got := catalog.SummarizeEvent(&moved); got != want2 {
				t.Errorf("summary = %q, want %q", got, want2)
			}
			if f.schemas[small].CurrentStreams != 0 || f.schemas[big].CurrentStreams != 1 {
				t.Errorf("streams on old, new = %d, %d, want 0, 1", f.schemas[small].CurrentStreams, f.schemas[big].CurrentStreams)
			}
		},
	}, {
		name:    "two releases with different unions make two schemas",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), ob("1.3.0", "pod-b", 1, method, route)}},
		ids:     []string{small, withRoute}, new: 2, events: []ev{{evFirstSeen, small}, {evFirstSeen, withRoute}},
		current: map[string]int{small: 1, withRoute: 1}, key: [3]int{2, 0, 2},
	}, {
		name:    "two releases with the same union share a schema (one batch)",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), ob("1.3.0", "pod-b", 1, method)}},
		ids:     []string{small, small}, new: 1, events: []ev{{evFirstSeen, small}, {evAdded, small}},
		current: map[string]int{small: 2}, key: [3]int{1, 0, 2},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if e := p.Events[1]; e.Producer == nil || *e.Producer != release("1.3.0") {
				t.Errorf("producer added = %+v, want the release 1.3.0", e.Producer)
			}
		},
	}, {
		name:    "two releases with the same union share a schema (later batch)",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method)}, {ob("1.3.0", "pod-b", 10, method)}},
		ids:     []string{small}, events: []ev{{evAdded, small}}, current: map[string]int{small: 1}, key: [3]int{0, 0, 1},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if e := p.Events[0]; e.Producer == nil || *e.Producer != release("1.3.0") {
				t.Errorf("producer added = %+v, want the release 1.3.0", e.Producer)
			}
		},
	}, {
		name:    "a new version that drops an attribute gets its own schema; the old stays current",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method, errorType)}, {ob("1.3.0", "pod-b", 10, method)}},
		ids:     []string{small}, new: 1, events: []ev{{evFirstSeen, small}}, current: map[string]int{small: 1}, key: [3]int{1, 0, 1},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if len(p.Moves) != 0 || f.schemas[big].CurrentStreams != 1 {
				t.Errorf("moves = %+v, old schema's current streams = %d, want none and 1", p.Moves, f.schemas[big].CurrentStreams)
			}
		},
	}, {
		name: "a release joining a superseded schema revives it",
		batches: [][]catalog.Observation{
			{ob("1.2.0", "pod-a", 0, method)}, {ob("1.2.0", "pod-a", 10, method, errorType)}, {ob("1.3.0", "pod-b", 20, method)},
		},
		ids: []string{small}, events: []ev{{evAdded, small}}, current: map[string]int{small: 1}, key: [3]int{1, -1, 1},
	}, {
		// One instance produced both schemas of the key: it counts once.
		name:    "a scope of its own is a stream of its own",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), withScope(ob("1.2.0", "pod-a", 1, route), "custom")}},
		ids:     []string{small, onlyRoute}, new: 2, events: []ev{{evFirstSeen, small}, {evFirstSeen, onlyRoute}},
		current: map[string]int{small: 1, onlyRoute: 1}, key: [3]int{2, 0, 1},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if len(p.Streams) != 2 || p.Streams[0].ID == p.Streams[1].ID {
				t.Errorf("streams = %+v, want two", p.Streams)
			}
		},
	}, {
		name:    "instances of a release are pooled into one stream",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), ob("1.2.0", "pod-b", 1, method), ob("1.2.0", "pod-c", 2, method)}},
		ids:     []string{small, small, small}, new: 1, events: []ev{{evFirstSeen, small}}, current: map[string]int{small: 1}, key: [3]int{1, 0, 3},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			if len(p.Streams) != 1 || len(p.Variants) != 1 || p.Variants[0].Span.Count != 30 {
				t.Errorf("streams = %d, variants = %+v, want one stream with one variant of 30 points", len(p.Streams), p.Variants)
			}
			if len(p.Producers) != 3 || len(p.Pairs) != 3 {
				t.Errorf("producers, pairs = %d, %d, want 3 each", len(p.Producers), len(p.Pairs))
			}
		},
	}, {
		name: "the producer count grows by instances new to the key only",
		batches: [][]catalog.Observation{
			{ob("1.2.0", "pod-a", 0, method)},
			{ob("1.2.0", "pod-a", 10, method, errorType), ob("1.2.0", "pod-b", 10, method), ob("1.2.0", "pod-c", 11, method)},
		},
		ids: []string{big, big, big}, new: 1, events: []ev{{evFirstSeen, big}, {evMoved, small}},
		current: map[string]int{small: -1, big: 1}, key: [3]int{0, 1, 2},
	}, {
		// The release already produces the schema: the timeline must not say
		// the schema gained it.
		name:    "a second scope of a release is no new producer",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), withScope(ob("1.2.0", "pod-a", 1, method), "custom")}},
		ids:     []string{small, small}, new: 1, events: []ev{{evFirstSeen, small}}, current: map[string]int{small: 2}, key: [3]int{1, 0, 1},
	}, {
		// Whatever their order in the batch, first seen names the release
		// seen first, at the schema's first sight.
		name:    "two releases making a schema in one batch: first seen is the earliest",
		batches: [][]catalog.Observation{{ob("1.3.0", "pod-b", 5, method), ob("1.2.0", "pod-a", 0, method)}},
		ids:     []string{small, small}, new: 1, events: []ev{{evFirstSeen, small}, {evAdded, small}},
		current: map[string]int{small: 2}, key: [3]int{1, 0, 2},
		check: func(t *testing.T, f *fakeHoldings, p *catalog.Plan) {
			first, added := p.Events[0], p.Events[1]
			if !first.At.Equal(minute(0)) || first.Producer == nil || first.Producer.ServiceVersion != "1.2.0" {
				t.Errorf("first seen from %+v at %v, want 1.2.0 at %v", first.Producer, first.At, minute(0))
			}
			if added.At.Before(first.At) {
				t.Errorf("producer added at %v precedes first seen at %v", added.At, first.At)
			}
		},
	}, {
		name:    "schema ids follow observation order",
		batches: [][]catalog.Observation{{ob("1.2.0", "pod-a", 0, method), ob("1.3.0", "pod-b", 0, route), ob("1.2.0", "pod-a", 1, method, errorType)}},
		ids:     []string{big, onlyRoute, big}, new: 2, events: []ev{{evFirstSeen, big}, {evFirstSeen, onlyRoute}},
		current: map[string]int{big: 1, onlyRoute: 1}, key: [3]int{2, 0, 2},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			plans := planAll(t, f, tc.batches...)
			p := plans[len(plans)-1]
			checkList(t, "schema ids", p.SchemaIDs, tc.ids)
			if p.NewSchemas != tc.new {
				t.Errorf("new schemas = %d, want %d", p.NewSchemas, tc.new)
			}
			checkEvents(t, p, tc.events...)
			checkCurrent(t, p, tc.current)
			checkKey(t, p, tc.key)
			if tc.check != nil && !t.Failed() {
				tc.check(t, f, p)
			}
		})
	}
}

func TestPlanBatchTypeConflict(t *testing.T) {
	p := planAll(t, newFake(), []catalog.Observation{ob("1.2.0", "pod-a", 0, statusInt), ob("1.2.0", "pod-a", 1, statusStr)})[0]
	id := schemaOf(statusInt, statusStr)
	checkList(t, "schema ids", p.SchemaIDs, []string{id, id})
	if len(p.Schemas) != 1 || !slices.Equal(p.Schemas[0].Shape.Attributes, []schemaid.Attribute{statusInt, statusStr}) {
		t.Fatalf("schemas = %+v, want one holding status as int and as string", p.Schemas)
	}
	var variants []catalog.Variant
	for _, v := range p.Variants {
		variants = append(variants, catalog.Variant{ID: v.VariantID, Attributes: v.Attributes, DataPoints: v.Span.Count, FirstSeen: v.Span.First, LastSeen: v.Span.Last})
	}
	fields := sqlstore.DataPointFields(p.Schemas[0].Shape.Attributes, variants)
	if !sqlstore.SortFields(fields) {
		t.Error("SortFields reported no conflict")
	}
	for _, f := range fields {
		if !f.TypeConflict || f.SeenRatio != 0.5 {
			t.Errorf("field %s %v: conflict %v, ratio %v, want a conflict seen half the time", f.Name, f.Type, f.TypeConflict, f.SeenRatio)
		}
	}
}

func TestPlanBatchPairFields(t *testing.T) {
	f := newFake()
	host, pod := ob("1.2.0", "pod-a", 0, method), ob("1.2.0", "pod-a", 0, method)
	host.ResourceAttributes, pod.ResourceAttributes = []schemaid.Attribute{hostName}, []schemaid.Attribute{hostName, podName}
	for i, step := range []struct {
		obs                   catalog.Observation
		writeFields, mayExist bool
	}{
		{host, true, false},
		{host, false, true},
		{pod, true, true},
	} {
		p := planAll(t, f, []catalog.Observation{step.obs})[0]
		if len(p.Pairs) != 1 {
			t.Fatalf("batch %d: pairs = %+v, want one", i, p.Pairs)
		}
		if pw := p.Pairs[0]; pw.WriteFields != step.writeFields || pw.FieldsMayExist != step.mayExist {
			t.Errorf("batch %d: write fields %v, may exist %v, want %v, %v", i, pw.WriteFields, pw.FieldsMayExist, step.writeFields, step.mayExist)
		}
	}
}

func TestObservationNormalize(t *testing.T) {
	for _, tc := range []struct {
		typ         tallycatv1.MetricType
		temporality tallycatv1.Temporality
		monotonic   bool
	}{
		{tallycatv1.MetricType_METRIC_TYPE_GAUGE, 0, false},
		{tallycatv1.MetricType_METRIC_TYPE_SUM, tallycatv1.Temporality_TEMPORALITY_DELTA, true},
		{tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, tallycatv1.Temporality_TEMPORALITY_DELTA, false},
		{tallycatv1.MetricType_METRIC_TYPE_SUMMARY, 0, false},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			o := catalog.Observation{Shape: schemaid.Shape{Name: "m", Type: tc.typ, Unit: "1",
				Temporality: tallycatv1.Temporality_TEMPORALITY_DELTA, Monotonic: true,
				Attributes: []schemaid.Attribute{route, method, route, statusStr, statusInt}},
				ResourceAttributes: []schemaid.Attribute{podName, hostName, podName}}
			o.Normalize()
			if o.Shape.Temporality != tc.temporality || o.Shape.Monotonic != tc.monotonic {
				t.Errorf("temporality, monotonic = %v, %v, want %v, %v", o.Shape.Temporality, o.Shape.Monotonic, tc.temporality, tc.monotonic)
			}
			if want := []schemaid.Attribute{method, route, statusInt, statusStr}; !slices.Equal(o.Shape.Attributes, want) {
				t.Errorf("attributes = %v, want %v", o.Shape.Attributes, want)
			}
			if want := []schemaid.Attribute{hostName, podName}; !slices.Equal(o.ResourceAttributes, want) {
				t.Errorf("resource attributes = %v, want %v", o.ResourceAttributes, want)
			}
			if o.VariantID != schemaid.ID(o.Shape) {
				t.Errorf("variant id = %s, want the id of the shape %s", o.VariantID, schemaid.ID(o.Shape))
			}
		})
	}
	// A gauge's stray temporality does not split its stream or its schema.
	a, b := ob("1.2.0", "pod-a", 0, method), ob("1.2.0", "pod-a", 0, method)
	a.Shape.Type, b.Shape.Type = tallycatv1.MetricType_METRIC_TYPE_GAUGE, tallycatv1.MetricType_METRIC_TYPE_GAUGE
	b.Shape.Temporality = tallycatv1.Temporality_TEMPORALITY_DELTA
	p := planAll(t, newFake(), []catalog.Observation{a, b})[0]
	if len(p.Streams) != 1 || p.SchemaIDs[0] != p.SchemaIDs[1] {
		t.Errorf("streams = %d, schema ids = %v, want one stream on one schema", len(p.Streams), p.SchemaIDs)
	}
}

// TestPlanBatchSpansEveryStreamOfASchema: streams of one schema that are
// not next to each other in a batch (another schema's stream between them)
// all widen its span and add to its count.
func TestPlanBatchSpansEveryStreamOfASchema(t *testing.T) {
	other := ob("1.2.0", "pod-x", 1, route)
	other.Shape.Name = "http.server.active_requests"
	batch := []catalog.Observation{ob("1.2.0", "pod-a", 0, method), other, ob("1.3.0", "pod-b", 9, method),
		func() catalog.Observation { o := other; o.Shape.Name = "third.metric"; return o }()}
	p, err := catalog.PlanBatch(context.Background(), batch, newFake(), catalog.DefaultCostConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, sw := range p.Schemas {
		if sw.ID == schemaOf(method) && (sw.Span.Count != 20 || !sw.Span.Last.Equal(minute(10)) || !sw.Span.First.Equal(minute(0))) {
			t.Errorf("schema of both releases = %+v, want 20 points from minute 0 to 10", sw.Span)
		}
	}
}
