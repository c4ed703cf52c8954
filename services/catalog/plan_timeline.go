package catalog

import tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

// The timeline entries a batch causes.

// arrivalEvents are the timeline entries of streams landing on a schema: a
// new schema is first seen from its earliest producer, and a release that
// did not produce a schema before joins it (a release already on it that
// starts a stream through another scope is no news, nor is a release moving
// in, which its move event tells).
func arrivalEvents(sw SchemaWrite, arriving []*streamAgg, held map[string]HeldStream, sc HeldSchema) []Event {
	var out []Event
	known := map[ReleaseIdentity]bool{}
	for _, r := range sc.Releases {
		known[r] = true
	}
	key := sw.Key
	if sw.New {
		first := arriving[0]
		for _, s := range arriving[1:] {
			if s.span.First.Before(first.span.First) {
				first = s
			}
		}
		out = append(out, Event{Key: key, SchemaID: sw.ID, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN,
			At: first.span.First, Producer: ptr(first.earliest), Description: first.desc.Text})
		known[first.stream.Release] = true
	}
	for _, s := range arriving {
		if _, moved := held[s.id]; moved || known[s.stream.Release] {
			continue
		}
		known[s.stream.Release] = true
		out = append(out, Event{Key: key, SchemaID: sw.ID, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED,
			At: s.span.First, Producer: releaseProducer(s.stream.Release)})
	}
	return out
}

// streamEvents are the timeline entries of one stream of the batch: a
// release moving, and a description that changed (a new stream's
// description is news only on a schema that existed).
func streamEvents(s *streamAgg, held map[string]HeldStream, schemas map[string]HeldSchema) []Event {
	var out []Event
	hs, streamExisted := held[s.id]
	sc, schemaExisted := schemas[s.target]
	release := releaseProducer(s.stream.Release)
	key := ShapeKey(&s.stream.Header)
	switch {
	case !streamExisted:
		if schemaExisted && s.desc.Text != sc.Description {
			out = append(out, Event{Key: key, SchemaID: s.target, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED, At: s.desc.At,
				Producer: release, PreviousDescription: sc.Description, Description: s.desc.Text})
		}
	case hs.SchemaID != s.target:
		_, added := Union(hs.Union, s.union)
		out = append(out, Event{Key: key, SchemaID: hs.SchemaID, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED, At: s.span.First,
			Producer: release, TargetSchemaID: s.target, Added: added})
		fallthrough
	default:
		if s.desc.Text != hs.Description {
			out = append(out, Event{Key: key, SchemaID: s.target, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED, At: s.desc.At,
				Producer: release, PreviousDescription: hs.Description, Description: s.desc.Text})
		}
	}
	return out
}

// releaseProducer names a release in an event: a producer without an
// instance.
func releaseProducer(r ReleaseIdentity) *ProducerIdentity {
	return &ProducerIdentity{ServiceNamespace: r.ServiceNamespace, ServiceName: r.ServiceName, ServiceVersion: r.ServiceVersion}
}

func ptr[T any](v T) *T { return &v }
