package conformance

import (
	"context"
	"github.com/tallycat/tallycat/services/catalog"
	"log/slog"
	"slices"
	"sync"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// RejudgeDelay is how long after a schema appears or a release moves the
// catalog is judged again: long enough to take a burst of new shapes (an
// ingest's first flush, a deploy) in one judging.
const RejudgeDelay = 500 * time.Millisecond

// Rejudge judges metrics again soon after a batch adds a schema to them or
// moves a release, so that findings follow new shapes within a second
// rather than at the next interval. It hears of them as the observation
// handler's timeline entries; a burst is judged once, and only the metrics
// it touched are.
type Rejudge struct {
	Findings *Findings

	mu   sync.Mutex
	keys map[string]bool // waiting for the scheduled judging
}

// EmitSchemaChanges schedules a judging of the metrics whose entries bring
// a schema or a move; it never blocks.
func (r *Rejudge) EmitSchemaChanges(_ context.Context, events []catalog.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		if e.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN && e.Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			continue
		}
		if r.keys == nil {
			r.keys = map[string]bool{}
			time.AfterFunc(RejudgeDelay, r.judge)
		}
		r.keys[e.Key] = true
	}
}

// judge judges the metrics gathered since it was scheduled.
func (r *Rejudge) judge() {
	r.mu.Lock()
	keys := make([]string, 0, len(r.keys))
	for k := range r.keys {
		keys = append(keys, k)
	}
	r.keys = nil
	r.mu.Unlock()
	slices.Sort(keys)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := r.Findings.RefreshKeys(ctx, keys); err != nil {
		slog.Warn("judging metrics with new schemas", "metrics", len(keys), "error", err)
	}
}
