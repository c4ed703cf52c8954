// Package forward sends observed shapes to the catalog in batches.
//
// Catalog traffic must not grow with data point volume: an observation that
// brings nothing new (same schema, producer, scope, attribute keys and
// description as already reported) only adds to counts that are sent as a
// last-seen heartbeat. New observations are sent at the next flush. While
// the catalog is slow or down they wait in a bounded buffer, and when it is
// full Add refuses the request so that the sender's own retry keeps the data.
package forward

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Config tunes batching, memory bounds and retries.
type Config struct {
	// FlushInterval is how often new observations are sent.
	FlushInterval time.Duration
	// HeartbeatInterval is how often an already reported observation is
	// sent again to move its last-seen time, if it was seen since.
	HeartbeatInterval time.Duration
	// MaxKnown bounds the observations remembered as reported.
	MaxKnown int
	// MaxPending bounds the new observations held while the catalog is
	// slow or down; past it Add returns ingest.ErrOverloaded.
	MaxPending int
	// MaxBatch bounds the observations of one RecordObservations call.
	MaxBatch int
	// RetryMin and RetryMax bound the exponential backoff between attempts.
	RetryMin, RetryMax time.Duration
	// AttemptTimeout bounds one RecordObservations call.
	AttemptTimeout time.Duration
}

// DefaultConfig is the configuration the ingest starts with.
func DefaultConfig() Config {
	return Config{
		FlushInterval:     time.Second,
		HeartbeatInterval: 30 * time.Second,
		MaxKnown:          100_000,
		MaxPending:        50_000,
		MaxBatch:          2_000,
		RetryMin:          100 * time.Millisecond,
		RetryMax:          10 * time.Second,
		AttemptTimeout:    10 * time.Second,
	}
}

// Client is the part of the generated ObservationService client the
// forwarder uses.
type Client interface {
	RecordObservations(context.Context, *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error)
}

// key identifies an observation: its schema, producer and scope. It is 32
// bytes whatever the strings: producers and scopes are interned (see
// producerRef), since a fleet has far fewer of them than (schema, producer)
// pairs.
type key struct {
	schema   [schemaid.Size]byte
	producer *producerRef
	scope    *scopeRef
}

// producerRef and scopeRef are interned producers and scopes, counted by the
// entries that use them so that they are forgotten with the last one.
type producerRef struct {
	p    ingest.Producer
	refs int
}

type scopeRef struct {
	name, version string
	refs          int
}

// entry is one observation key: what was last reported and what has been
// seen since. It is kept small (144 bytes) because the ingest remembers
// MaxKnown of them: the shape is held as its canonical encoding, a string
// shared with inference and with every other producer of the shape, and is
// rebuilt only to send.
type entry struct {
	canonical   string
	description string
	resAttrs    []schemaid.Attribute // shared with inference's caches
	scopeAttrs  []schemaid.Attribute
	fingerprint uint64 // of what the observation says beyond the key
	sent        uint64 // fingerprint last handed to the catalog
	count       uint64
	first, last int64 // unix nanoseconds; 0: not seen since the last report
	lastSent    int64
	beatAt      int64 // when its scheduled heartbeat check is (see beats)
	due         bool  // carries something the catalog has not seen
	inflight    bool
}

// beat schedules a look at an entry: at that time it is sent as a heartbeat
// if it was seen since it was last sent. Beats are queued in the order they
// are made, which is the order of their times, so take finds the ones that
// are ripe at the front of the queue, and a flush costs what it sends, not
// what the ingest remembers.
type beat struct {
	k  key
	at int64
}

// Stats are the forwarder's counters, for tests and self-telemetry.
type Stats struct {
	Known, Pending, InFlight int
	Batches, Observations    int64
	Retries, Dropped         int64
}

// Forwarder batches observations to the catalog. It is safe for concurrent
// use; Run drives the sending.
type Forwarder struct {
	client    Client
	cfg       Config
	validator protovalidate.Validator
	seed      maphash.Seed
	now       func() time.Time

	mu        sync.Mutex
	entries   map[key]*entry
	due       []key  // entries that became due, oldest first
	beats     []beat // a FIFO: beats[beatHead:] are pending
	beatHead  int
	producers map[ingest.Producer]*producerRef
	scopes    map[[2]string]*scopeRef
	pending   int // due entries, counting those in flight
	stats     Stats
	kick      chan struct{}
}

// New returns a forwarder that sends to client.
func New(client Client, cfg Config) (*Forwarder, error) {
	v, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	return &Forwarder{
		client: client, cfg: cfg, validator: v, seed: maphash.MakeSeed(),
		now: time.Now, entries: map[key]*entry{}, kick: make(chan struct{}, 1),
		producers: map[ingest.Producer]*producerRef{}, scopes: map[[2]string]*scopeRef{},
	}, nil
}

// Add takes the observations of one request seen at time at. It either takes
// them all or, when they would overflow the buffer of new observations,
// none, returning ingest.ErrOverloaded. Observations that break the catalog's
// rules (a name too long, say) are refused one by one and reported in the
// returned result, since the catalog would refuse them too.
func (f *Forwarder) Add(obs []ingest.Observation, at time.Time) (rejected ingest.Result, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fresh := 0
	for i := range obs {
		e := f.entries[f.lookupKey(&obs[i])]
		if e == nil || (!e.due && f.fingerprint(&obs[i]) != e.sent) {
			fresh++
		}
	}
	if f.pending+fresh > f.cfg.MaxPending {
		return rejected, ingest.ErrOverloaded
	}
	atNano := at.UnixNano()
	for i := range obs {
		o := &obs[i]
		k := f.lookupKey(o)
		e := f.entries[k]
		fp := f.fingerprint(o)
		if e == nil || fp != e.fingerprint {
			// Something the catalog has not been told: check it against the
			// catalog's own rules now, while the sender can still be told.
			if verr := f.validator.Validate(toProto(o)); verr != nil {
				rejected.Reject(int64(o.DataPoints), "metric %q: %v", truncate(o.Shape.Name, 128), verr)
				continue
			}
			if e == nil {
				e = &entry{canonical: o.Canonical}
				if e.canonical == "" {
					e.canonical = string(schemaid.AppendCanonical(nil, &o.Shape))
				}
				k = f.internKey(o, k)
				f.entries[k] = e
			}
			e.description, e.resAttrs, e.scopeAttrs, e.fingerprint = o.Description, o.ResourceAttributes, o.ScopeAttributes, fp
		}
		if !e.due && e.fingerprint != e.sent {
			e.due = true
			f.pending++
			f.due = append(f.due, k)
		}
		e.count += o.DataPoints
		if e.first == 0 {
			e.first = atNano
		}
		e.last = atNano
	}
	return rejected, nil
}

// lookupKey is the key of an observation if its producer and scope are
// interned already; otherwise no entry can have it, and the key it returns
// matches none.
func (f *Forwarder) lookupKey(o *ingest.Observation) key {
	k := key{schema: rawID(o.SchemaID)}
	if p := f.producers[o.Producer]; p != nil {
		k.producer = p
	}
	if sc := f.scopes[[2]string{o.ScopeName, o.ScopeVersion}]; sc != nil {
		k.scope = sc
	}
	return k
}

// internKey completes k, a lookupKey of o, interning o's producer and scope
// for a new entry.
func (f *Forwarder) internKey(o *ingest.Observation, k key) key {
	if k.producer == nil {
		k.producer = &producerRef{p: o.Producer}
		f.producers[o.Producer] = k.producer
	}
	sk := [2]string{o.ScopeName, o.ScopeVersion}
	if k.scope == nil {
		k.scope = &scopeRef{name: sk[0], version: sk[1]}
		f.scopes[sk] = k.scope
	}
	k.producer.refs++
	k.scope.refs++
	return k
}

// forget deletes an entry and releases its producer and scope.
func (f *Forwarder) forget(k key) {
	delete(f.entries, k)
	if k.producer.refs--; k.producer.refs == 0 {
		delete(f.producers, k.producer.p)
	}
	if k.scope.refs--; k.scope.refs == 0 {
		delete(f.scopes, [2]string{k.scope.name, k.scope.version})
	}
}

// rawID is the 16 bytes of a schema id in hex. Inference makes every id;
// one that is not hex (never from inference) keys as its first 16 bytes.
func rawID(id string) [schemaid.Size]byte {
	var raw [schemaid.Size]byte
	if _, err := hex.Decode(raw[:], []byte(id)); err != nil {
		copy(raw[:], id)
	}
	return raw
}

// fingerprint hashes what an observation says beyond its key, so that a
// changed description or a new resource attribute is reported at once.
func (f *Forwarder) fingerprint(o *ingest.Observation) uint64 {
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.WriteString(o.Description)
	for _, attrs := range [][]schemaid.Attribute{o.ResourceAttributes, o.ScopeAttributes} {
		h.WriteByte(0xff)
		for _, a := range attrs {
			h.WriteString(a.Key)
			h.WriteByte(byte(a.Type))
		}
	}
	// Never zero, so that a new entry always differs from "nothing sent".
	return h.Sum64() | 1
}

// Stats returns a snapshot of the counters.
func (f *Forwarder) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Known, s.Pending = len(f.entries), f.pending
	return s
}

// Pending is the number of new observations not yet acknowledged by the
// catalog.
func (f *Forwarder) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending
}

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
// when everything is set), batch by batch.
func (f *Forwarder) flush(ctx context.Context, everything bool) error {
	for {
		batch := f.take(everything)
		if len(batch) == 0 {
			return nil
		}
		if err := f.send(ctx, batch); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// taken is an entry handed to a batch, with what it carried, so that a
// failed batch can be given back.
type taken struct {
	k           key
	e           *entry
	msg         *tallycatv1.Observation
	due         bool
	count       uint64
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
	add := func(k key, e *entry) {
		msg, err := f.message(k, e)
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
		batch = append(batch, taken{k: k, e: e, msg: msg, due: e.due, count: e.count, first: e.first, last: e.last})
		e.inflight, e.due, e.sent = true, false, e.fingerprint
		e.count, e.first, e.last = 0, 0, 0
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

// message rebuilds the catalog message of an entry.
func (f *Forwarder) message(k key, e *entry) (*tallycatv1.Observation, error) {
	shape, err := schemaid.ParseCanonical(e.canonical)
	if err != nil {
		return nil, err
	}
	return toProto(&ingest.Observation{
		Shape: shape, Description: e.description, Producer: k.producer.p,
		ScopeName: k.scope.name, ScopeVersion: k.scope.version,
		ResourceAttributes: e.resAttrs, ScopeAttributes: e.scopeAttrs,
	}), nil
}

// send delivers one batch, retrying with exponential backoff and jitter
// under one batch id, so that the catalog applies it once however often it
// arrives.
func (f *Forwarder) send(ctx context.Context, batch []taken) error {
	req := &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: make([]*tallycatv1.Observation, len(batch))}
	for i := range batch {
		req.Observations[i] = batch[i].msg
	}
	wait := f.cfg.RetryMin
	for attempt := 0; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, f.cfg.AttemptTimeout)
		_, err := f.client.RecordObservations(attemptCtx, req)
		cancel()
		if err == nil {
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
		f.mu.Lock()
		f.stats.Retries++
		f.mu.Unlock()
		slog.Warn("catalog unavailable; retrying", "batch_id", req.BatchId, "attempt", attempt+1, "in", wait, "error", err)
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
			continue
		}
		e.count += t.count
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
// more than MaxKnown.
func (f *Forwarder) evict() {
	over := len(f.entries) - f.cfg.MaxKnown
	if over <= 0 {
		return
	}
	var idle []key
	for k, e := range f.entries {
		if !e.due && !e.inflight && e.count == 0 {
			idle = append(idle, k)
		}
	}
	slices.SortFunc(idle, func(a, b key) int { return cmp.Compare(f.entries[a].lastSent, f.entries[b].lastSent) })
	for _, k := range idle[:min(over, len(idle))] {
		f.forget(k)
	}
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

func toProto(o *ingest.Observation) *tallycatv1.Observation {
	return &tallycatv1.Observation{
		MetricName: o.Shape.Name, MetricType: o.Shape.Type, Unit: o.Shape.Unit,
		Temporality: o.Shape.Temporality, Monotonic: o.Shape.Monotonic, Description: o.Description,
		DataPointAttributes: keys(o.Shape.Attributes),
		Producer: &tallycatv1.ProducerIdentity{
			ServiceName: o.Producer.ServiceName, ServiceNamespace: o.Producer.ServiceNamespace,
			ServiceVersion: o.Producer.ServiceVersion, ServiceInstanceId: o.Producer.ServiceInstanceID,
		},
		ScopeName: o.ScopeName, ScopeVersion: o.ScopeVersion,
		ResourceAttributes: keys(o.ResourceAttributes),
		ScopeAttributes:    keys(o.ScopeAttributes),
		// Times are set when sent; these placeholders satisfy validation.
		FirstObserved: timestamppb.New(time.Unix(0, 0)), LastObserved: timestamppb.New(time.Unix(0, 0)),
	}
}

func keys(attrs []schemaid.Attribute) []*tallycatv1.AttributeKey {
	if len(attrs) == 0 {
		return nil
	}
	out := make([]*tallycatv1.AttributeKey, len(attrs))
	for i, a := range attrs {
		out[i] = &tallycatv1.AttributeKey{Name: a.Key, ValueType: a.Type}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
