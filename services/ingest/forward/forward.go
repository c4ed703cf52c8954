// Package forward sends observed shapes to the catalog in batches.
//
// Catalog traffic must not grow with data point volume: an observation that
// brings nothing new (same variant, producer, scope, attribute keys and
// description as already reported) only adds to counts that are sent as a
// last-seen heartbeat. New observations are sent at the next flush. While
// the catalog is slow or down they wait in a bounded buffer, and when it is
// full Add refuses the request so that the sender's own retry keeps the data.
// Several catalog replicas on one database may share the batches (see
// Replicas): they go round the healthy ones, and a batch that fails on one
// is sent under the same batch id to another.
package forward

import (
	"context"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"sync"
	"time"

	"buf.build/go/protovalidate"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
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
	// Values says which attribute values are kept as examples.
	Values ValuesPolicy
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
		Values:            DefaultValuesPolicy(),
	}
}

// Client is the part of the generated ObservationService client the
// forwarder uses.
type Client interface {
	RecordObservations(context.Context, *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error)
}

// key identifies an observation: its variant id, producer and scope. It is
// 32 bytes whatever the strings: producers and scopes are interned (see
// producerRef), since a fleet has far fewer of them than (variant,
// producer) pairs.
type key struct {
	variant  [schemaid.Size]byte
	producer *producerRef
	scope    *scopeRef
}

// keyed is an observation's key and fingerprint, worked out once by Add.
type keyed struct {
	k  key
	fp uint64
}

// producerRef and scopeRef are interned producers and scopes, counted by the
// entries that use them so that they are forgotten with the last one.
type producerRef struct {
	p       ingest.Producer
	refs    int
	res     []uint64 // the hashes of its resource attributes' values
	release *releaseRef
}

type scopeRef struct {
	name, version string
	refs          int
}

// entry is one observation key: what was last reported and what has been
// seen since. It is kept small (176 bytes, and its cost figures while it
// is its release's only instance; then its release's pool holds them)
// because the ingest remembers MaxKnown of them:
// the shape is held as its canonical encoding, a string shared with
// inference and with every other producer of the shape, and is rebuilt
// only to send.
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
	costs       *costs      // its cost figures since it was last sent, while lone (see pools.go)
	pool        *pool       // else the cost figures of its release's instances
	witness     uint64      // a series hash of its data points since it was last sent, or 0
	span        *spanCounts // a span's errors and name examples, a log's bytes, since
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
	// SignalRefused counts the dropped observations of a signal the
	// catalog does not take (spans or logs, by a catalog older than the
	// ingest).
	SignalRefused int64
}

// Forwarder batches observations to the catalog. It is safe for concurrent
// use; Run drives the sending.
type Forwarder struct {
	replicas  *Replicas
	cfg       Config
	validator protovalidate.Validator
	seed      maphash.Seed
	now       func() time.Time

	mu        sync.Mutex
	adds      []keyed // Add's working memory
	entries   map[key]*entry
	due       []key  // entries that became due, oldest first
	beats     []beat // a FIFO: beats[beatHead:] are pending
	beatHead  int
	producers map[ingest.Producer]*producerRef
	scopes    map[[2]string]*scopeRef
	releases  map[ingest.Producer]*releaseRef
	pools     map[poolKey]*pool
	pending   int // due entries, counting those in flight
	stats     Stats
	// spareCosts are costs reported and ready for reuse; keepKey remembers
	// which keys' values may be kept.
	spareCosts []*costs
	keepKey    map[string]bool
	texts      cardinality.Texts
	// loggedPoints is how many data points' values costs log before they
	// are tallied (see costlog.go): maxLoggedPoints, or none for tests
	// that hold the log to what tallies alone would count.
	loggedPoints int
	kick         chan struct{}
	// refused holds, by signal, until when the catalog's refusal of the
	// signal holds (see refusedSignal).
	refused map[tallycatv1.Signal]int64
}

// New returns a forwarder that sends to client, a single catalog.
func New(client Client, cfg Config) (*Forwarder, error) {
	return NewReplicated(NewReplicas([]Replica{{Name: "catalog", Client: client}}, 0), cfg)
}

// NewReplicated returns a forwarder that spreads its batches over catalog
// replicas (see Replicas); run replicas.Watch beside it to check them.
func NewReplicated(replicas *Replicas, cfg Config) (*Forwarder, error) {
	if len(replicas.all) == 0 {
		return nil, errors.New("no catalog to forward to")
	}
	v, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	return &Forwarder{
		replicas: replicas, cfg: cfg, validator: v, seed: maphash.MakeSeed(),
		now: time.Now, entries: map[key]*entry{}, kick: make(chan struct{}, 1),
		producers: map[ingest.Producer]*producerRef{}, scopes: map[[2]string]*scopeRef{},
		releases: map[ingest.Producer]*releaseRef{}, pools: map[poolKey]*pool{},
		keepKey: map[string]bool{}, refused: map[tallycatv1.Signal]int64{},
		loggedPoints: maxLoggedPoints,
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
	// Each observation's key and fingerprint are worked out once, here, and
	// kept for the second loop (f.adds is reused under the lock).
	f.adds = f.adds[:0]
	fresh := 0
	for i := range obs {
		k, fp := f.lookupKey(&obs[i]), f.fingerprint(&obs[i])
		f.adds = append(f.adds, keyed{k, fp})
		if e := f.entries[k]; e == nil || (!e.due && fp != e.sent) {
			fresh++
		}
	}
	if f.pending+fresh > f.cfg.MaxPending {
		return rejected, ingest.ErrOverloaded
	}
	atNano := at.UnixNano()
	for i := range obs {
		o := &obs[i]
		k, fp := f.adds[i].k, f.adds[i].fp
		if k.producer == nil || k.scope == nil {
			k = f.lookupKey(o) // perhaps interned by an earlier observation of this request
		}
		e := f.entries[k]
		if e == nil || fp != e.fingerprint {
			// Something the catalog has not been told: check it against the
			// catalog's own rules now, while the sender can still be told.
			if verr := f.validator.Validate(toProto(o)); verr != nil {
				rejected.Reject(int64(o.DataPoints), "%s %q: %v", o.Shape.Signal, truncate(o.Shape.Name, 128), verr)
				continue
			}
			if e == nil {
				e = &entry{canonical: o.Canonical}
				if e.canonical == "" {
					e.canonical = string(schemaid.AppendCanonical(nil, &o.Shape))
				}
				k = f.internKey(o, k)
				f.join(k, e)
				f.entries[k] = e
			}
			e.description, e.resAttrs, e.scopeAttrs, e.fingerprint = o.Description, o.ResourceAttributes, o.ScopeAttributes, fp
		}
		if !e.due && e.fingerprint != e.sent {
			e.due = true
			f.pending++
			f.due = append(f.due, k)
		}
		e.addCount(o.DataPoints)
		e.addSpanCounts(o.Errors, o.NameExamples, o.RecordBytes)
		f.count(k, e, o)
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
	k := key{variant: rawID(o.VariantID)}
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
		k.producer = &producerRef{p: o.Producer, release: f.internRelease(o.Producer)}
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

// forget deletes an entry and releases its figures, producer and scope.
func (f *Forwarder) forget(k key) {
	f.leavePool(k, f.entries[k])
	delete(f.entries, k)
	if k.producer.refs--; k.producer.refs == 0 {
		delete(f.producers, k.producer.p)
		f.releaseProducer(k.producer)
	}
	if k.scope.refs--; k.scope.refs == 0 {
		delete(f.scopes, [2]string{k.scope.name, k.scope.version})
	}
}

// rawID is the 16 bytes of a variant id in hex. Inference makes every id;
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
