package catalog

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// How a batch of observations becomes writes: PlanBatch folds the batch by
// stream, asks the store (through Holdings, inside the transaction that will
// persist the result) what it holds of those streams and schemas, and
// returns a Plan: every row to write, every producer move, every timeline
// event and every change of the key summaries. A store only persists a Plan;
// the rules live here, once for every store.

// Holdings is what a store answers the planner with. Each method returns
// entries only for what exists.
type Holdings interface {
	// Streams returns each stream's current schema and that schema's data
	// point attributes (the stream's union so far).
	Streams(ctx context.Context, ids []string) (map[string]HeldStream, error)
	// Schemas returns each schema's description, how many streams
	// currently produce it, and the releases those streams belong to.
	Schemas(ctx context.Context, ids []string) (map[string]HeldSchema, error)
	// Pairs returns the fields hash of each stored (schema, producer) pair
	// among pairs, and which of their producers already produce any schema
	// of the pair's key. The planner may change the maps it returns.
	Pairs(ctx context.Context, pairs []PairKey) (HeldPairs, error)
	// Costs returns every cost row of the given buckets (series and
	// fields alike). It is asked only when the batch carries figures.
	Costs(ctx context.Context, buckets []StreamBucket) ([]CostRow, error)
}

// HeldStream is a stored stream.
type HeldStream struct {
	SchemaID    string
	Union       []schemaid.Attribute
	Description string
}

// HeldSchema is a stored schema.
type HeldSchema struct {
	Description    string
	CurrentStreams int
	// NameExamples are a by-scope span schema's span names.
	NameExamples []string
	// Releases are those with a current stream on the schema.
	Releases []ReleaseIdentity
}

// PairKey is a schema, a producer (instance) id, and the schema's key.
type PairKey struct{ SchemaID, ProducerID, Key string }

// KeyProducer is a producer of some schema of a key.
type KeyProducer struct{ Key, ProducerID string }

// HeldPairs is what Holdings.Pairs found.
type HeldPairs struct {
	FieldsHash   map[PairKey]uint64
	KeyProducers map[KeyProducer]bool
}

// streamAgg is one stream of a batch.
type streamAgg struct {
	id       string
	stream   Stream
	union    []schemaid.Attribute // of the batch's variants
	span     Span
	errors   uint64
	examples []string
	desc     Described
	variants map[string]*VariantWrite
	order    []string // variant ids, in first-appearance order
	earliest ProducerIdentity
	target   string
}

// PlanBatch turns a batch into a Plan, reading what the store holds through
// h. It checks and normalizes the observations first (see
// Observation.Validate and Normalize). Spans and logs are planned exactly
// as metrics are, under their stored keys (see StoredKey). It returns
// EINVALID for an observation that is not well formed and for cost figures
// that are not; cfg says how many example values a cost row keeps.
func PlanBatch(ctx context.Context, obs []Observation, h Holdings, cfg CostConfig) (*Plan, error) {
	for i := range obs {
		if err := obs[i].Validate(); err != nil {
			return nil, fmt.Errorf("observations[%d]: %w", i, err)
		}
		obs[i].Normalize()
	}
	streams, order, streamOf := foldStreams(obs)
	held, err := h.Streams(ctx, order)
	if err != nil {
		return nil, fmt.Errorf("read streams: %w", err)
	}
	p := &Plan{CurrentStreams: map[string]int{}}
	var moves []*streamAgg
	touched := map[string]bool{}
	var ids []string
	touch := func(id string) {
		if !touched[id] {
			touched[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range order {
		s := streams[id]
		hs, ok := held[id]
		union, _ := Union(hs.Union, s.union)
		shape := s.stream.Header
		shape.Attributes = union
		s.target = schemaid.ID(shape)
		touch(s.target)
		switch {
		case !ok:
			p.CurrentStreams[s.target]++
		case hs.SchemaID != s.target:
			touch(hs.SchemaID)
			p.CurrentStreams[hs.SchemaID]--
			p.CurrentStreams[s.target]++
			moves = append(moves, s)
		}
	}
	schemas, err := h.Schemas(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}

	// Schemas and memberships, in first-appearance order for stable writes.
	byID := map[string]int{} // index in p.Schemas
	onSchema := map[string][]*streamAgg{}
	for _, id := range order {
		s := streams[id]
		i, ok := byID[s.target]
		if !ok {
			_, existed := schemas[s.target]
			shape := s.stream.Header
			shape.Attributes, _ = Union(held[id].Union, s.union)
			p.Schemas = append(p.Schemas, SchemaWrite{ID: s.target, Key: ShapeKey(&shape), Shape: shape, New: !existed})
			i = len(p.Schemas) - 1
			byID[s.target] = i
			if !existed {
				p.NewSchemas++
			}
		}
		onSchema[s.target] = append(onSchema[s.target], s)
		p.Schemas[i].Span.add(s.span.First, s.span.Last, s.span.Count)
		p.Schemas[i].Description.add(s.desc.Text, s.desc.At)
		p.Schemas[i].NameExamples = MergeNameExamples(p.Schemas[i].NameExamples, s.examples)
		hs, isHeld := held[id]
		onItsSchema := isHeld && hs.SchemaID == s.target
		p.Streams = append(p.Streams, StreamWrite{New: !onItsSchema, ID: id, Key: p.Schemas[i].Key, Stream: s.stream, SchemaID: s.target,
			Union: p.Schemas[i].Shape.Attributes, Description: s.desc, Span: s.span, Errors: s.errors})
		for _, vid := range s.order {
			v := *s.variants[vid]
			v.SchemaID, v.New = s.target, !onItsSchema
			p.Variants = append(p.Variants, v)
		}
	}
	for i, sw := range p.Schemas {
		if len(sw.NameExamples) > 0 { // else the store keeps what it holds
			p.Schemas[i].NameExamples = MergeNameExamples(slices.Clone(schemas[sw.ID].NameExamples), sw.NameExamples)
		}
		p.Events = append(p.Events, arrivalEvents(sw, onSchema[sw.ID], held, schemas[sw.ID])...)
	}
	moved := map[ReleaseIdentity]map[[2]string]bool{}
	for _, id := range order {
		for _, e := range streamEvents(streams[id], held, schemas) {
			// A release moving its streams of several scopes between the
			// same schemas is one move to the people reading the timeline.
			if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
				m := [2]string{e.SchemaID, e.TargetSchemaID}
				if moved[e.Producer.Release()][m] {
					continue
				}
				if moved[e.Producer.Release()] == nil {
					moved[e.Producer.Release()] = map[[2]string]bool{}
				}
				moved[e.Producer.Release()][m] = true
			}
			p.Events = append(p.Events, e)
		}
	}
	for _, s := range moves {
		hs := held[s.id]
		_, added := Union(hs.Union, s.union)
		p.Moves = append(p.Moves, Move{StreamID: s.id, From: hs.SchemaID, To: s.target, Release: s.stream.Release, Added: added, At: s.span.First})
	}
	p.SchemaIDs = make([]string, len(obs))
	for i := range obs {
		p.SchemaIDs[i] = streams[streamOf[i]].target
	}
	newToKey, err := planProducers(ctx, p, obs, streams, streamOf, h)
	if err != nil {
		return nil, err
	}
	keyOf := map[string]string{}
	for _, id := range order {
		key := ShapeKey(&streams[id].stream.Header)
		keyOf[streams[id].target] = key
		if hs, ok := held[id]; ok {
			keyOf[hs.SchemaID] = key
		}
	}
	for i := range p.Events {
		p.Events[i].Signal, p.Events[i].Name = ParseStoredKey(p.Events[i].Key)
	}
	p.Keys = keyWrites(p, schemas, keyOf, newToKey)
	if p.Costs, err = planCosts(ctx, obs, streamOf, h, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// foldStreams groups a batch by stream. streamOf[i] is the stream of obs[i].
func foldStreams(obs []Observation) (map[string]*streamAgg, []string, []string) {
	streams := map[string]*streamAgg{}
	var order []string
	streamOf := make([]string, len(obs))
	// A batch holds many observations of few streams' headers; the id is
	// hashed once per distinct stream.
	ids := map[streamIdent]string{}
	for i := range obs {
		o := &obs[i]
		st := StreamOf(o)
		h := &st.Header
		ident := streamIdent{st.Release, st.ScopeName, st.ScopeVersion, h.Signal, h.Name, h.Type, h.Unit, h.Temporality, h.Monotonic, h.SpanKind, h.ByScope}
		id, ok := ids[ident]
		if !ok {
			id = st.ID()
			ids[ident] = id
		}
		streamOf[i] = id
		first, last := o.FirstObserved.UTC(), o.LastObserved.UTC()
		s := streams[id]
		if s == nil {
			s = &streamAgg{id: id, stream: st, variants: map[string]*VariantWrite{}, earliest: o.Producer}
			streams[id] = s
			order = append(order, id)
		}
		if first.Before(s.span.First) {
			s.earliest = o.Producer
		}
		s.span.add(first, last, o.DataPoints)
		s.errors += o.Errors
		s.examples = MergeNameExamples(s.examples, o.NameExamples)
		s.desc.add(o.Description, last)
		v := s.variants[o.VariantID]
		if v == nil {
			v = &VariantWrite{StreamID: id, VariantID: o.VariantID, Attributes: o.Shape.Attributes}
			s.variants[o.VariantID] = v
			s.order = append(s.order, o.VariantID)
			s.union, _ = Union(s.union, o.Shape.Attributes)
		}
		v.Span.add(first, last, o.DataPoints)
	}
	return streams, order, streamOf
}

// streamIdent is what makes a stream's id (see Stream.ID), as a map key.
type streamIdent struct {
	release       ReleaseIdentity
	scope, scopeV string
	signal        schemaid.Signal
	name          string
	typ           tallycatv1.MetricType
	unit          string
	temporality   tallycatv1.Temporality
	monotonic     bool
	spanKind      schemaid.SpanKind
	byScope       bool
}

// planProducers plans the instances and their (schema, instance) entries
// with resource and scope fields. (A schema's scopes are its streams'.) It returns how
// many instances are new to each key.
func planProducers(ctx context.Context, p *Plan, obs []Observation, streams map[string]*streamAgg, streamOf []string, h Holdings) (map[string]int, error) {
	producerIDs := map[ProducerIdentity]string{}
	producers := map[string]*ProducerWrite{}
	var producerOrder []string
	pairs := map[PairKey]*PairWrite{}
	var pairOrder []PairKey
	fields := map[PairKey]map[PairField]bool{}
	for i := range obs {
		o := &obs[i]
		first, last := o.FirstObserved.UTC(), o.LastObserved.UTC()
		pid, ok := producerIDs[o.Producer]
		if !ok {
			pid = o.Producer.ID()
			producerIDs[o.Producer] = pid
			producers[pid] = &ProducerWrite{ID: pid, Identity: o.Producer}
			producerOrder = append(producerOrder, pid)
		}
		producers[pid].Span.add(first, last, o.DataPoints)
		target := streams[streamOf[i]].target
		pk := PairKey{SchemaID: target, ProducerID: pid, Key: ShapeKey(&o.Shape)}
		pw := pairs[pk]
		if pw == nil {
			pw = &PairWrite{PairKey: pk, Release: o.Producer.Release()}
			pairs[pk] = pw
			pairOrder = append(pairOrder, pk)
			fields[pk] = map[PairField]bool{}
		}
		pw.Span.add(first, last, o.DataPoints)
		for _, a := range o.ResourceAttributes {
			fields[pk][PairField{tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, a.Key, a.Type}] = true
		}
		for _, a := range o.ScopeAttributes {
			fields[pk][PairField{tallycatv1.FieldSource_FIELD_SOURCE_SCOPE, a.Key, a.Type}] = true
		}
	}
	for _, pid := range producerOrder {
		p.Producers = append(p.Producers, *producers[pid])
	}
	held, err := h.Pairs(ctx, pairOrder)
	if err != nil {
		return nil, fmt.Errorf("read producers: %w", err)
	}
	// A move carries the moving release's entries onto its target after
	// the batch's rows are written, so fields written here may exist then.
	movedTo := map[string]map[ReleaseIdentity]bool{}
	for _, m := range p.Moves {
		if movedTo[m.To] == nil {
			movedTo[m.To] = map[ReleaseIdentity]bool{}
		}
		movedTo[m.To][m.Release] = true
	}
	newToKey := map[string]int{}
	for _, pk := range pairOrder {
		pw := pairs[pk]
		for f := range fields[pk] {
			pw.Fields = append(pw.Fields, f)
		}
		pw.FieldsHash = FieldsHash(pw.Fields)
		stored, existed := held.FieldsHash[pk]
		pw.WriteFields = !existed || stored != pw.FieldsHash
		pw.New = !existed // a move's carry comes after, and merges
		pw.FieldsMayExist = existed || movedTo[pk.SchemaID][producers[pk.ProducerID].Identity.Release()]
		p.Pairs = append(p.Pairs, *pw)
		kp := KeyProducer{pk.Key, pk.ProducerID}
		if !held.KeyProducers[kp] {
			if held.KeyProducers == nil {
				held.KeyProducers = map[KeyProducer]bool{}
			}
			held.KeyProducers[kp] = true
			newToKey[pk.Key]++
		}
	}
	return newToKey, nil
}

// keyWrites are the changes of the key summaries: counts of current and
// superseded schemas follow each schema's count of current streams across
// zero, producer counts grow by the instances new to the key, spans widen,
// lists gain members (a span key's kinds too), and type, unit and
// description follow the latest schema.
func keyWrites(p *Plan, held map[string]HeldSchema, keyOf map[string]string, newToKey map[string]int) []KeyWrite {
	byKey := map[string]*KeyWrite{}
	var order []string
	get := func(key string) *KeyWrite {
		k := byKey[key]
		if k == nil {
			k = &KeyWrite{Key: key}
			byKey[key] = k
			order = append(order, key)
		}
		return k
	}
	for _, sw := range p.Schemas {
		sh := sw.Shape
		k := get(sw.Key)
		k.Signal, k.Name = sh.Signal, sh.Name
		if sh.Signal == schemaid.Span && !slices.Contains(k.SpanKinds, sh.SpanKind) {
			k.SpanKinds = append(k.SpanKinds, sh.SpanKind)
		}
		if k.LastSeen.IsZero() || !sw.Span.Last.Before(k.LastSeen) {
			k.Type, k.Unit = sh.Type, sh.Unit
		}
		if k.FirstSeen.IsZero() || sw.Span.First.Before(k.FirstSeen) {
			k.FirstSeen = sw.Span.First
		}
		if sw.Span.Last.After(k.LastSeen) {
			k.LastSeen = sw.Span.Last
		}
		if !slices.Contains(k.Types, sh.Type) {
			k.Types = append(k.Types, sh.Type)
		}
		if !slices.Contains(k.Units, sh.Unit) {
			k.Units = append(k.Units, sh.Unit)
		}
		k.Description.add(sw.Description.Text, sw.Description.At)
	}
	for id, delta := range p.CurrentStreams {
		if delta == 0 {
			continue
		}
		k := get(keyOf[id])
		h, existed := held[id]
		before, after := h.CurrentStreams > 0, h.CurrentStreams+delta > 0
		switch {
		case !existed:
			k.SchemaDelta++
		case before && !after:
			k.SchemaDelta--
			k.SupersededDelta++
		case !before && after:
			k.SchemaDelta++
			k.SupersededDelta--
		}
	}
	for key, n := range newToKey {
		get(key).ProducerDelta += n
	}
	out := make([]KeyWrite, len(order))
	for i, key := range order {
		k := byKey[key]
		slices.Sort(k.Types)
		slices.Sort(k.Units)
		slices.Sort(k.SpanKinds)
		out[i] = *k
	}
	return out
}

// FieldsHash identifies a pair's resource and scope field set, so that a
// store writes the set only when it changed. It is stored, so it must not
// change between releases: FNV-1a over the sorted fields, never 0.
func FieldsHash(set []PairField) uint64 {
	slices.SortFunc(set, func(a, b PairField) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type))
	})
	h := fnv.New64a()
	for _, f := range set {
		fmt.Fprintf(h, "%d\x00%s\x00%d\x00", f.Source, f.Name, f.Type)
	}
	return h.Sum64() | 1
}
