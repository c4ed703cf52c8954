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

// A release of one instance, the commonest, must not pay for the pooling:
// a pool is 24 bytes and its map slot 40 (its key is 32 bytes, releases
// being interned as producers and scopes are), about 80 bytes a pair
// beside the entry's 168.

// releaseRef is an interned release, counted by the producers of it.
type releaseRef struct {
	p    ingest.Producer // with no instance id
	refs int
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

// poolOf returns the pool of a new entry with key k, counting the entry.
func (f *Forwarder) poolOf(k key) *pool {
	pk := poolKeyOf(k)
	p := f.pools[pk]
	if p == nil {
		p = &pool{}
		f.pools[pk] = p
	}
	p.refs++
	return p
}

// leavePool releases the pool of an entry with key k, forgetting the pool
// with its last entry. The entry is idle then, except when it is forgotten
// because its shape cannot be read back, a bug whose figures are lost with
// it.
func (f *Forwarder) leavePool(k key, e *entry) {
	p := e.pool
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
	if e.count == 0 && n > 0 {
		e.pool.active++
	}
	e.count += n
}

// carry hands over the pool's figures for a report of one of its entries,
// which was just taken (no longer active): when its last active entry is
// reported, or a heartbeat interval after the figures last went out. It
// returns nil when they wait for a later report.
func (f *Forwarder) carry(p *pool, now int64) *costs {
	if p.costs == nil || (p.active > 0 && now-p.reportedAt < int64(f.cfg.HeartbeatInterval)) {
		return nil
	}
	c := p.costs
	p.costs, p.reportedAt = nil, now
	return c
}
