package catalog

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// RejudgeDelay is how long after a schema appears or a release moves the
// catalog is judged again: long enough to take a burst of new shapes (an
// ingest's first flush, a deploy) in one judging.
const RejudgeDelay = 500 * time.Millisecond

// Rejudge judges the catalog again soon after a batch adds a schema or
// moves a release, so that findings follow new shapes within a second
// rather than at the next interval. It hears of them as the observation
// handler's timeline entries; bursts are judged once.
type Rejudge struct {
	Findings *Findings
	pending  atomic.Bool
}

// EmitSchemaChanges schedules a judging when the entries bring a schema or
// a move; it never blocks.
func (r *Rejudge) EmitSchemaChanges(_ context.Context, events []Event) {
	for _, e := range events {
		if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN || e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			r.schedule()
			return
		}
	}
}

func (r *Rejudge) schedule() {
	if !r.pending.CompareAndSwap(false, true) {
		return // one is coming, and will see these too
	}
	time.AfterFunc(RejudgeDelay, func() {
		r.pending.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := r.Findings.Refresh(ctx); err != nil {
			slog.Warn("judging the catalog after new schemas", "error", err)
		}
	})
}
