package forward

import (
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Cost figures are pooled per release. The catalog files them by stream
// (release, scope and header, never instance) and merges every report of a
// stream: distinct sets by union, data points by sum, times by the earliest
// first and the latest last seen. So the instances of one release need not
// each keep a tally of what they sent: one tally per (variant, release,
// scope), a pool, counts every instance's data points once, and goes out
// on one of the release's observations, at most once a heartbeat interval.
// A fleet of 1,000 pods of a release then holds and sends the figures of
// one, not a thousand.
//
// What stays per instance is what the catalog keeps per instance: each
// entry still reports its own data points and times (its heartbeat, the
// producer list, the rate's span) and its producer's resource values. An
// entry whose report does not carry its pool's figures carries one series
// hash it saw (its witness), so that the catalog files its data points in
// a cost row as it did when every entry carried its own series: the hash
// is in the pool too, and a union counts it once.
//
// Nothing counted is dropped when an instance stops: a pool counts the
// entries whose data points are not yet reported (active), and the report
// of the last of them carries the pool's figures whatever the interval. A
// pool is forgotten with its last entry, which is idle then, so its
// figures went out before.
//
// A release of one instance, the commonest, does not pay for the pooling:
// its entries keep their figures on themselves (entry.costs) and send them
// with every report, as if each were its own pool, with no pool (24 bytes)
// and no map slot (40: its key is 32 bytes, releases being interned as
// producers and scopes are). A pool is made when an entry of a release
// with another instance appears, and takes over the figures of the entry
// of the same variant and scope the release had while it had one instance
// (its lone entry). Those entries are all of one producer, the release's
// lone producer: a release with one producer makes its entries lone, and
// another producer can be alone later only once the first one and all its
// entries were forgotten. So the hand-over looks up one entry, not every
// instance of the release.

// releaseRef is an interned release, counted by the producers of it.
type releaseRef struct {
	p    ingest.Producer // with no instance id
	refs int
	// lone is the producer whose entries keep their own figures, the one
	// the release had when it last had one; nil once it is forgotten.
	lone *producerRef
}

// poolKey identifies a pool: the variant, the release and the scope. It is
// only looked up when an entry is made or forgotten.
type poolKey struct {
	variant [schemaid.Size]byte
	release *releaseRef
	scope   *scopeRef
}

func poolKeyOf(k key) poolKey {
	return poolKey{variant: k.variant, release: k.producer.release, scope: k.scope}
}

// pool is the cost figures of a release's instances of one variant and
// scope since they were last reported.
type pool struct {
	costs *costs // nil while nothing is counted since the last report
	// refs counts the pool's entries; active those of them with data
	// points not yet reported (count > 0).
	refs, active int32
	// reportedAt is when the figures last went out, unix nanoseconds.
	reportedAt int64
}

// internRelease returns the interned release of a new producer, counting
// the producer.
func (f *Forwarder) internRelease(p ingest.Producer) *releaseRef {
	p.ServiceInstanceID = ""
	r := f.releases[p]
	if r == nil {
		r = &releaseRef{p: p}
		f.releases[p] = r
	}
	r.refs++
	return r
}

// releaseProducer forgets a release's producer, which has no entries left,
// and the release with its last producer.
func (f *Forwarder) releaseProducer(p *producerRef) {
	r := p.release
	if r.lone == p {
		r.lone = nil
	}
	if r.refs--; r.refs == 0 {
		delete(f.releases, r.p)
	}
}

// join places a new entry with key k: on itself while its release has one
// producer, else in the pool of its variant, release and scope, which is
// made with the entry and then takes over the figures of the release's
// lone entry of the same variant and scope, if there is one.
func (f *Forwarder) join(k key, e *entry) {
	r := k.producer.release
	if r.refs == 1 {
		r.lone = k.producer
		return
	}
	pk := poolKeyOf(k)
	p := f.pools[pk]
	if p == nil {
		p = &pool{}
		f.pools[pk] = p
		if r.lone != nil && r.lone != k.producer {
			if first := f.entries[key{variant: k.variant, producer: r.lone, scope: k.scope}]; first != nil && first.pool == nil {
				f.handOver(first, p)
			}
		}
	}
	p.refs++
	e.pool = p
}

// handOver moves a lone entry into a new pool with its figures. Its
// figures went out when it was last sent; those of a report in flight
// come back to the pool if the report fails (see giveBack).
func (f *Forwarder) handOver(e *entry, p *pool) {
	p.costs, e.costs = e.costs, nil
	p.reportedAt = e.lastSent
	p.refs++
	if e.count > 0 {
		p.active++
	}
	e.pool = p
}

// leavePool releases the figures of an entry with key k, forgetting its
// pool with the pool's last entry. The entry is idle then, except when it
// is forgotten because its shape cannot be read back, a bug whose figures
// are lost with it.
func (f *Forwarder) leavePool(k key, e *entry) {
	p := e.pool
	if p == nil {
		f.recycle(e.costs)
		e.costs = nil
		return
	}
	if e.count > 0 {
		p.active--
	}
	if p.refs--; p.refs == 0 {
		f.recycle(p.costs)
		delete(f.pools, poolKeyOf(k))
	}
}

// addCount adds data points to an entry, which makes it active in its
// pool if it had none unreported.
func (e *entry) addCount(n uint64) {
	if e.count == 0 && n > 0 && e.pool != nil {
		e.pool.active++
	}
	e.count += n
}

// figuresOf is where an entry's figures are counted: its pool's costs, or
// its own while it is lone.
func (e *entry) figuresOf() **costs {
	if e.pool != nil {
		return &e.pool.costs
	}
	return &e.costs
}

// carry hands over the figures for a report of an entry, which was just
// taken (no longer active): a lone entry's with every report; a pool's
// when its last active entry is reported, or a heartbeat interval after
// the figures last went out. It returns nil when they wait for a later
// report.
func (f *Forwarder) carry(e *entry, now int64) *costs {
	p := e.pool
	if p == nil {
		c := e.costs
		e.costs = nil
		return c
	}
	if p.costs == nil || (p.active > 0 && now-p.reportedAt < int64(f.cfg.HeartbeatInterval)) {
		return nil
	}
	c := p.costs
	p.costs, p.reportedAt = nil, now
	return c
}
