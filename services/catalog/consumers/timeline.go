package consumers

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// EventBreaks returns, by their index in events, the queries each change
// of a release on the timeline breaks, between the schema the release sent
// before and the one it sends now:
//   - a move (SCHEMA_EVENT_KIND_PRODUCER_MOVED): the schema the release
//     left and the one it moved to;
//   - a schema first seen from a new release of a service
//     (SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN): the schema of the key that
//     another release of the same service sent, the last first seen
//     before it. This is how an upgrade that stops sending an attribute or
//     changes a unit shows: a new release, a new schema.
//
// The timeline calls it with one page of events of one key, so it reads
// that key's schemas once; events without breaks are left out.
func (s *Service) EventBreaks(ctx context.Context, events []catalog.Event) (map[int][]catalog.ConsumerBreak, error) {
	pairs := map[int][2]string{}
	var schemas map[string]catalog.Schema
	var keySchemas []catalog.Schema
	for i, e := range events {
		switch {
		case e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED && e.TargetSchemaID != "":
			pairs[i] = [2]string{e.SchemaID, e.TargetSchemaID}
		case e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN && e.Producer != nil:
			if schemas == nil {
				all, err := s.store.ListSchemas(ctx, e.Key, true)
				if err != nil {
					return nil, fmt.Errorf("the schemas of %s for its timeline: %w", e.Key, err)
				}
				keySchemas = all
				schemas = make(map[string]catalog.Schema, len(all))
				for _, sc := range all {
					schemas[sc.ID] = sc
				}
			}
			if base := previousRelease(keySchemas, e); base != "" {
				pairs[i] = [2]string{base, e.SchemaID}
			}
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	var missing []string
	for _, p := range pairs {
		for _, id := range p {
			if _, ok := schemas[id]; !ok {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		got, err := s.store.GetSchemas(ctx, missing...)
		if err != nil {
			return nil, fmt.Errorf("the schemas of the timeline's changes: %w", err)
		}
		if schemas == nil {
			schemas = map[string]catalog.Schema{}
		}
		for _, sc := range got {
			schemas[sc.ID] = sc
		}
	}
	out := map[int][]catalog.ConsumerBreak{}
	for i, p := range pairs {
		breaks, err := s.Breaks(ctx, schemas[p[0]], schemas[p[1]])
		if err != nil {
			return nil, fmt.Errorf("what the change of %s from schema %s to %s breaks: %w", events[i].Key, p[0], p[1], err)
		}
		if len(breaks) > 0 {
			out[i] = breaks
		}
	}
	return out, nil
}

// previousRelease returns the schema of the key that another release of
// e's service sent, the last first seen before e, or "" when the service
// sent the key under no other release before.
func previousRelease(schemas []catalog.Schema, e catalog.Event) string {
	best, bestAt := "", e.At
	for _, sc := range schemas {
		if sc.ID == e.SchemaID || sc.FirstSeen.After(e.At) {
			continue
		}
		for _, r := range sc.Releases {
			if r.ServiceName != e.Producer.ServiceName || r.ServiceNamespace != e.Producer.ServiceNamespace ||
				r.ServiceVersion == e.Producer.ServiceVersion {
				continue
			}
			if best == "" || sc.FirstSeen.After(bestAt) {
				best, bestAt = sc.ID, sc.FirstSeen
			}
		}
	}
	return best
}
