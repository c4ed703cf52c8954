package forward

import (
	"log/slog"
	"time"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Spans and logs on the wire, and the catalogs that do not take them.
//
// Every batch holds the observations of one signal, so that a catalog that
// refuses one signal refuses only its batches. A catalog older than the
// ingest refuses span and log observations as invalid (they carry no metric
// name); the forwarder then drops that signal's observations, counted and
// said once, for signalHold, without sending them, and goes on sending
// metrics. After signalHold it tries again, so that a catalog upgraded
// meanwhile gets them.

// signalHold is how long the observations of a signal the catalog refused
// are dropped without being sent.
const signalHold = 5 * time.Minute

// spanCounts is what a span or log entry counts besides its spans or log
// records: the spans with status error and, grouped by scope, some of the
// names it took in; a log's records' bytes. It is kept apart from entry so
// that metric entries, nearly all of them, pay one word for it.
type spanCounts struct {
	errors   uint64
	examples []string
	bytes    uint64
}

// maxNameExamples is how many names a by-scope span observation carries,
// as the API allows.
const maxNameExamples = 10

// addSpanCounts adds an observation's errors, name examples and log
// record bytes to its entry's.
func (e *entry) addSpanCounts(errors uint64, examples []string, bytes uint64) {
	if errors == 0 && len(examples) == 0 && bytes == 0 {
		return
	}
	if e.span == nil {
		e.span = &spanCounts{}
	}
	e.span.errors += errors
	e.span.bytes += bytes
	e.span.examples = addExamples(e.span.examples, examples)
}

// addExamples adds the names of add not in have, up to maxNameExamples.
func addExamples(have, add []string) []string {
	for _, n := range add {
		if len(have) >= maxNameExamples {
			break
		}
		known := false
		for _, h := range have {
			known = known || h == n
		}
		if !known {
			have = append(have, n)
		}
	}
	return have
}

// signalToProto fills in a span's or a log's part of an observation's
// message, in place of a metric's fields; its data point attribute keys
// carry their sources (see shapeKeys).
func signalToProto(msg *tallycatv1.Observation, sh *schemaid.Shape, nameExamples []string) {
	msg.Signal, msg.Name, msg.ByScope = sh.Signal.API(), sh.Name, sh.ByScope
	if sh.Signal == schemaid.Span {
		msg.SpanKind = tallycatv1.SpanKind(sh.SpanKind)
		msg.NameExamples = nameExamples
	}
}

// split cuts a batch into batches of one signal each, in the order their
// signals first appear.
func split(batch []taken) [][]taken {
	if len(batch) == 0 {
		return nil
	}
	one := true
	for _, t := range batch {
		one = one && t.msg.Signal == batch[0].msg.Signal
	}
	if one {
		return [][]taken{batch}
	}
	var parts [][]taken
	for _, t := range batch {
		i := 0
		for i < len(parts) && parts[i][0].msg.Signal != t.msg.Signal {
			i++
		}
		if i == len(parts) {
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], t)
	}
	return parts
}

// held reports whether the batch's signal is one the catalog refused less
// than signalHold ago; the batch is then dropped without being sent.
func (f *Forwarder) held(batch []taken) bool {
	sig := batch[0].msg.Signal
	if sig == tallycatv1.Signal_SIGNAL_UNSPECIFIED {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.refused[sig]
	if !ok || f.now().UnixNano() >= until {
		return false
	}
	f.stats.Dropped += int64(len(batch))
	f.stats.SignalRefused += int64(len(batch))
	return true
}

// refusedSignal handles a batch of spans or logs the catalog judged
// invalid, as a catalog that predates them does: it is dropped, and so is
// the signal's next signalHold, said once in the log. It reports false for
// a batch of metrics, whose refusal is the batch's own.
func (f *Forwarder) refusedSignal(batch []taken, batchID string, err error) bool {
	sig := batch[0].msg.Signal
	if sig == tallycatv1.Signal_SIGNAL_UNSPECIFIED || connect.CodeOf(err) != connect.CodeInvalidArgument {
		return false
	}
	f.mu.Lock()
	f.refused[sig] = f.now().Add(signalHold).UnixNano()
	f.stats.Dropped += int64(len(batch))
	f.stats.SignalRefused += int64(len(batch))
	f.mu.Unlock()
	noun := schemaid.SignalFromAPI(sig).String()
	slog.Warn("the catalog refused "+noun+" observations, as a catalog older than this ingest does; "+noun+"s are dropped for a while, metrics are sent as ever",
		"batch_id", batchID, "observations", len(batch), "dropped_for", signalHold, "error", err)
	return true
}
