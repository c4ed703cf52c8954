package consumers

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// MoveBreaks returns, by their index in events, the queries each release
// move (SCHEMA_EVENT_KIND_PRODUCER_MOVED) of events breaks: those Breaks
// finds between the schema the release left and the one it moved to. The
// timeline calls it with one page of events, so it reads the schemas of
// those moves only, in one call; events without breaks are left out.
func (s *Service) MoveBreaks(ctx context.Context, events []catalog.Event) (map[int][]catalog.ConsumerBreak, error) {
	var ids []string
	seen := map[string]bool{}
	for _, e := range events {
		if e.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED || e.TargetSchemaID == "" {
			continue
		}
		for _, id := range []string{e.SchemaID, e.TargetSchemaID} {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	schemas, err := s.store.GetSchemas(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("the schemas of the timeline's moves: %w", err)
	}
	byID := make(map[string]catalog.Schema, len(schemas))
	for _, sc := range schemas {
		byID[sc.ID] = sc
	}
	out := map[int][]catalog.ConsumerBreak{}
	for i, e := range events {
		if e.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED || e.TargetSchemaID == "" {
			continue
		}
		breaks, err := s.Breaks(ctx, byID[e.SchemaID], byID[e.TargetSchemaID])
		if err != nil {
			return nil, fmt.Errorf("what the move of %s from schema %s to %s breaks: %w", e.Key, e.SchemaID, e.TargetSchemaID, err)
		}
		if len(breaks) > 0 {
			out[i] = breaks
		}
	}
	return out, nil
}
