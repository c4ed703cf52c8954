package forward

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Sending: the flush loop, choosing what a batch carries, delivering it with
// retries, and settling the entries it carried.

// Run sends due observations every flush interval until ctx ends. It then
// returns; call Drain to send what is left.
func (f *Forwarder) Run(ctx context.Context) {
	t := time.NewTicker(f.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.kick:
		}
		if err := f.flush(ctx, false); err != nil && ctx.Err() == nil {
			slog.Warn("forwarding to the catalog", "error", err)
		}
	}
}

// Drain sends everything not yet reported, heartbeats included, retrying
// until ctx ends. The ingest calls it on shutdown, after its receivers have
// stopped taking requests.
func (f *Forwarder) Drain(ctx context.Context) error {
	err := f.flush(ctx, true)
	if left := f.Pending(); left > 0 {
		return errors.Join(err, fmt.Errorf("%d new observations could not be delivered to the catalog before shutdown", left))
	}
	return err
}

// flush sends due observations, and heartbeats that are due (all of them
// when everything is set), batch by batch, each batch of one signal.
func (f *Forwarder) flush(ctx context.Context, everything bool) error {
	for {
		batch := f.take(everything)
		if len(batch) == 0 {
			return nil
		}
		parts := split(batch)
		for i, part := range parts {
			if f.held(part) {
				f.settle(part, true)
				continue
			}
			if err := f.send(ctx, part); err != nil {
				for _, rest := range parts[i+1:] {
					f.settle(rest, false)
				}
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// taken is an entry handed to a batch, with what it carried (its own
// costs, or its pool's when it carries them), so that a failed batch can
// be given back.
type taken struct {
	k           key
	e           *entry
	msg         *tallycatv1.Observation
	costs       *costs
	span        spanCounts
	due         bool
	count       uint64
	witness     uint64
	first, last int64
}

// take moves up to MaxBatch sendable entries into a batch: due ones first,
// then those whose heartbeat is ripe. Draining (everything) and a known set
// over its bound (whose seen entries must be sent before they can be
// forgotten) look at every entry.
func (f *Forwarder) take(everything bool) []taken {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now().UnixNano()
	over := len(f.entries) - f.cfg.MaxKnown
	var batch []taken
	var msgs batchMessages
	add := func(k key, e *entry) {
		msg, err := msgs.message(k, e)
		if err != nil {
			// Only inference makes entries, from encodings it made: this
			// would be a bug, and the entry cannot be sent.
			slog.Error("forgetting an observation whose shape cannot be read back", "error", err)
			if e.due {
				f.pending--
			}
			f.forget(k)
			return
		}
		first, last := e.first, e.last
		if first == 0 {
			first, last = now, now
		}
		msg.DataPointCount = e.count
		msg.FirstObserved, msg.LastObserved = timestamppb.New(time.Unix(0, first)), timestamppb.New(time.Unix(0, last))
		var span spanCounts
		if e.span != nil {
			span, *e.span = *e.span, spanCounts{}
			msg.ErrorCount, msg.NameExamples, msg.LogRecordBytes = span.errors, span.examples, span.bytes
		}
		t := taken{k: k, e: e, msg: msg, span: span, due: e.due, count: e.count, witness: e.witness, first: e.first, last: e.last}
		if e.count > 0 && e.pool != nil {
			e.pool.active--
		}
		e.inflight, e.due, e.sent = true, false, e.fingerprint
		e.count, e.first, e.last, e.witness = 0, 0, 0, 0
		t.costs = f.carry(e, now)
		if t.costs != nil && t.costs.logging() {
			f.tally(t.costs, msgs.attributes(e.canonical))
		}
		if err := figures(msg, t.costs, msgs.resourceFigures(k.producer, e.resAttrs, msg)); err != nil {
			// A sketch that does not encode would be a bug: send the
			// observation without its figures rather than not at all.
			slog.Error("encoding an observation's cost figures", "error", err)
			msg.Series, msg.Fields = nil, nil
		}
		if t.costs == nil && t.witness != 0 && msg.Signal == tallycatv1.Signal_SIGNAL_UNSPECIFIED {
			// The pool's figures go on another report: this one's data
			// points are filed with the series it saw (see pools.go).
			msg.Series = &tallycatv1.Distinct{Hashes: []uint64{t.witness}}
		}
		batch = append(batch, t)
	}
	full := func() bool { return len(batch) >= f.cfg.MaxBatch }

	// Due entries, in the order they became due; those in flight wait.
	kept := f.due[:0]
	for i, k := range f.due {
		if full() {
			kept = append(kept, f.due[i:]...)
			break
		}
		e := f.entries[k]
		switch {
		case e == nil || !e.due:
		case e.inflight:
			kept = append(kept, k)
		default:
			add(k, e)
		}
	}
	clear(f.due[len(kept):])
	f.due = kept

	if everything || over > 0 {
		for k, e := range f.entries {
			if full() {
				break
			}
			if !e.inflight && e.count > 0 {
				add(k, e)
			}
		}
		return batch
	}

	// Ripe heartbeats. A beat is stale when its entry was forgotten or was
	// scheduled again since (sent as due, say).
	for f.beatHead < len(f.beats) && !full() {
		b := f.beats[f.beatHead]
		if b.at > now {
			break
		}
		f.beats[f.beatHead] = beat{}
		f.beatHead++
		e := f.entries[b.k]
		switch {
		case e == nil || e.beatAt != b.at || e.inflight:
		case e.count == 0:
			f.schedule(b.k, e, now) // idle: look again an interval later
		default:
			add(b.k, e)
		}
	}
	if f.beatHead > len(f.beats)/2 && f.beatHead > 1024 {
		f.beats = append(f.beats[:0], f.beats[f.beatHead:]...)
		f.beatHead = 0
	}
	return batch
}

// schedule queues an entry's next heartbeat check, an interval after from.
func (f *Forwarder) schedule(k key, e *entry, from int64) {
	e.beatAt = from + int64(f.cfg.HeartbeatInterval)
	f.beats = append(f.beats, beat{k: k, at: e.beatAt})
}

// send delivers one batch, retrying under one batch id, so that the
// catalog applies it once however often it arrives, and whichever replica
// it reaches (replicas share their database and its memory of batch ids).
// A failed attempt goes on at once to another healthy replica; when none
// is healthy, attempts back off exponentially, with jitter.
func (f *Forwarder) send(ctx context.Context, batch []taken) error {
	req := &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: make([]*tallycatv1.Observation, len(batch))}
	for i := range batch {
		req.Observations[i] = batch[i].msg
	}
	wait := f.cfg.RetryMin
	for attempt := 0; ; attempt++ {
		rep, err := f.attempt(ctx, req)
		if err == nil {
			f.replicas.succeeded(rep)
			f.settle(batch, true)
			return nil
		}
		if permanent(err) && f.refusedSignal(batch, req.BatchId, err) {
			f.settle(batch, true)
			return nil
		}
		if permanent(err) {
			// The catalog refuses this batch whatever we do: say so loudly
			// and count it, rather than block every later batch behind it.
			f.settle(batch, true)
			f.mu.Lock()
			f.stats.Dropped += int64(len(batch))
			f.mu.Unlock()
			slog.Error("the catalog refused a batch of observations; it was dropped", "batch_id", req.BatchId, "observations", len(batch), "error", err)
			return nil
		}
		if ctx.Err() != nil {
			// Not the replica's fault: the forwarder is stopping.
			f.settle(batch, false)
			return ctx.Err()
		}
		f.replicas.failed(rep, err)
		f.mu.Lock()
		f.stats.Retries++
		f.mu.Unlock()
		if f.replicas.anyHealthy() {
			slog.Warn("catalog replica failed; sending the batch to another", "batch_id", req.BatchId, "catalog", rep.Name, "attempt", attempt+1, "error", err)
			continue
		}
		slog.Warn("catalog unavailable; retrying", "batch_id", req.BatchId, "catalog", rep.Name, "attempt", attempt+1, "in", wait, "error", err)
		jittered := wait/2 + rand.N(wait/2+1)
		select {
		case <-ctx.Done():
			f.settle(batch, false)
			return ctx.Err()
		case <-time.After(jittered):
		}
		wait = min(wait*2, f.cfg.RetryMax)
	}
}

// attempt sends a batch once, to the replica Replicas picks. It gives up
// before AttemptTimeout when its replica is found unhealthy meanwhile and
// another is healthy, so that a replica that stopped answering holds a
// batch for about a health check, not a whole timeout.
func (f *Forwarder) attempt(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*replica, error) {
	rep, down := f.replicas.pick()
	attemptCtx, cancel := context.WithTimeout(ctx, f.cfg.AttemptTimeout)
	defer cancel()
	if down != nil {
		go func() {
			select {
			case <-down:
				if f.replicas.anyHealthy() {
					cancel()
				}
			case <-attemptCtx.Done():
			}
		}()
	}
	_, err := rep.Client.RecordObservations(attemptCtx, req)
	return rep, err
}

// settle ends a batch: acknowledged entries are marked reported; a batch
// that was not delivered is given back so that nothing it carried is lost.
func (f *Forwarder) settle(batch []taken, delivered bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now().UnixNano()
	for _, t := range batch {
		e := t.e
		e.inflight = false
		f.schedule(t.k, e, now)
		if delivered {
			e.lastSent = now
			if t.due {
				f.pending--
			}
			f.recycle(t.costs)
			continue
		}
		f.giveBack(e, t.costs)
		e.addSpanCounts(t.span.errors, t.span.examples, t.span.bytes)
		e.addCount(t.count)
		if e.witness == 0 {
			e.witness = t.witness
		}
		if t.first != 0 && (e.first == 0 || t.first < e.first) {
			e.first = t.first
		}
		if t.last > e.last {
			e.last = t.last
		}
		if t.due {
			if e.due {
				f.pending-- // counted twice: once in flight, once new again
			} else {
				f.due = append(f.due, t.k)
			}
			e.due, e.sent = true, 0
		}
	}
	if delivered {
		f.stats.Batches++
		f.stats.Observations += int64(len(batch))
		f.evict()
	}
}

// evict forgets reported, idle entries, oldest report first, while there are
// more than MaxKnown. It runs after every delivered batch while the known
// set is over its bound, which a fleet at the bound is whenever a new pair
// comes, so it finds the oldest in one pass over the entries, keeping the
// over oldest seen so far in a heap whose top is the newest of them, rather
// than sorting every idle entry (a third of a CPU-second at 100k pairs).
func (f *Forwarder) evict() {
	over := len(f.entries) - f.cfg.MaxKnown
	if over <= 0 {
		return
	}
	oldest := make(idleEntries, 0, min(over, len(f.entries)))
	for k, e := range f.entries {
		switch {
		case e.due || e.inflight || e.count != 0:
		case len(oldest) < over:
			heap.Push(&oldest, idleEntry{k: k, lastSent: e.lastSent})
		case e.lastSent < oldest[0].lastSent:
			oldest[0] = idleEntry{k: k, lastSent: e.lastSent}
			heap.Fix(&oldest, 0)
		}
	}
	for _, ie := range oldest {
		f.forget(ie.k)
	}
}

// idleEntry is an entry evict may forget, with when it was last sent.
type idleEntry struct {
	k        key
	lastSent int64
}

// idleEntries is a heap of idle entries, the one sent last on top.
type idleEntries []idleEntry

func (h idleEntries) Len() int           { return len(h) }
func (h idleEntries) Less(i, j int) bool { return h[i].lastSent > h[j].lastSent }
func (h idleEntries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idleEntries) Push(x any)        { *h = append(*h, x.(idleEntry)) }
func (h *idleEntries) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// permanent reports whether retrying cannot help: the catalog judged the
// batch itself wrong.
func permanent(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeInvalidArgument, connect.CodeOutOfRange, connect.CodeUnimplemented:
		return true
	}
	return false
}
