// Package consumers reads the dashboards and rules the catalog keeps (see
// catalog.Consumer) against the catalog's current metric schemas: who
// reads each metric and attribute, which queries read what nothing sends,
// what nobody reads ranked by its cost, and which queries a change of a
// schema breaks. Reading (internal/consumers), resolving names
// (internal/consumers/promnames) and judging (internal/consumers/usage)
// are done there; this package keeps one reading of the whole catalog at a
// time and answers the API's questions from it.
//
// A reading is made of what the store holds when it is made: the stored
// consumers, every metric key's current schemas (ListJudging), the keys'
// costs over the last hour and which of them only TallyCat's own services
// sent (ListSchemaKeys) and their fields' distinct counts
// (ReadFieldCosts); without a stored consumer, none of the metrics. It is
// served for MaxAge, so that the UI's pages and the other services asking
// within seconds of each other share one; a sync made here makes the next
// read a new one at once, one made on another replica within MaxAge. Queries are parsed once per
// expression and kept across readings.
package consumers

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
)

// DefaultMaxAge is how long a reading is served before the next read makes
// a new one: consumers change at a sync, which makes a new one at once,
// and the catalog's metrics change slowly.
const DefaultMaxAge = 15 * time.Second

// Window is the span of the costs a reading ranks unused metrics by and
// estimates savings from.
const Window = tallycatv1.Window_WINDOW_LAST_HOUR

// Options tune the service.
type Options struct {
	// Namespaces are the prefixes the fleet's exporters add to names.
	Namespaces []string
	// MaxAge is how long a reading is served (DefaultMaxAge when zero).
	MaxAge time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Service answers what the consumers read. It is safe for concurrent use.
type Service struct {
	store  catalog.Store
	opts   Options
	flight singleflight.Group
	parsed *parseCache

	mu sync.Mutex
	// generation counts syncs: a reading made before the last sync began
	// is not kept.
	generation uint64
	current    *Reading
}

// New returns a service on store.
func New(store catalog.Store, opts Options) *Service {
	if opts.MaxAge == 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, opts: opts, parsed: newParseCache()}
}

// SyncResult is what a sync did, and how many of its queries do not parse.
type SyncResult struct {
	catalog.ConsumerSyncResult
	Unparsed int
}

// Reading is the stored consumers read against the catalog at one time.
// It is shared by every caller until the next one replaces it: read it,
// never change it.
type Reading struct {
	At time.Time
	// Synced is set when some consumer is stored: without one, nothing is
	// known to be unused, and the reading holds nothing else (no metric
	// is read).
	Synced bool
	// Consumers are every stored consumer, in the store's order (by id).
	Consumers []Consumer
	Report    usage.Report
	// Stats are the report's counts with the findings counted by level.
	Stats Stats

	// What Breaks and Findings need besides: the consumers as the check
	// read them, the metrics it was given, the keys only TallyCat's own
	// services ever sent (catalog.KeyFilter.ExcludeSelf's), indexes into Consumers and Report.Used, and by key
	// the consumers that read a name of it no current schema gives
	// (consumer_missing_metric findings near it).
	checked    []consumers.Consumer
	metrics    []usage.Metric
	self       map[string]bool
	consumerAt map[string]int
	usedAt     map[string]int
	nearAt     map[string][]string
	// memo keeps Breaks' answers on this reading.
	memo *breakMemo
}

// Stats count what a reading read and judged.
type Stats struct {
	usage.Stats
	// Levels counts the findings by level.
	Levels map[usage.Level]int
	// Selection identifies, on a page of ListConsumers or Findings, the
	// whole selection the page was cut from, in its order (a digest of
	// the consumers' ids, or of what tells the findings apart). A page
	// token carries it: the next page is cut from the same selection, or
	// refused, so that a new reading between pages (every MaxAge, every
	// sync) neither skips nor repeats anything. Readings that select the
	// same in the same order keep it.
	Selection uint64
}

// Consumer is a stored consumer and what its queries read.
type Consumer struct {
	catalog.Consumer
	Queries []Query
	// Unparsed counts its queries that do not parse, Broken those with a
	// violation; Violations and Improvements count its findings.
	Unparsed, Broken, Violations, Improvements int
}

// Query is one query of a consumer, parsed, with the metric keys it reads
// and its findings.
type Query struct {
	catalog.ConsumerQuery
	// Error is the parser's when the query does not parse.
	Error string
	// Keys are the metric keys the query reads, by name: those the
	// check's reader of its consumer, panel (or rule), ref id and path
	// reads.
	Keys     []string
	Findings []usage.Finding
}

// ConsumerFilter selects consumers; Kinds are catalog.Consumer kinds.
type ConsumerFilter struct {
	Kinds []string
	// Query keeps the consumers whose title, folder or source holds it,
	// case aside.
	Query string
	// BrokenOnly keeps those with a violation or an unparsed query.
	BrokenOnly bool
	// ExcludeSelf counts TallyCat's own metrics in the stats neither as
	// metrics nor as read, nor their findings in the levels.
	ExcludeSelf bool
	// Offset and Limit page the selection; a Limit of 0 takes all.
	Offset, Limit int
}

// FindingFilter selects findings.
type FindingFilter struct {
	// IDs keeps these finding ids; none keeps all.
	IDs []string
	// MinLevel keeps findings at this level or more severe; 0 keeps all.
	MinLevel usage.Level
	// ConsumerID keeps one consumer's findings, Key those on one metric
	// key (Finding.Key).
	ConsumerID string
	Key        string
	// ExcludeSelf leaves out unused_metric and unused_attribute on the
	// keys only TallyCat's own services ever sent (those
	// catalog.KeyFilter.ExcludeSelf leaves out), and counts the levels
	// without them.
	ExcludeSelf bool
	// Offset and Limit page the selection; a Limit of 0 takes all.
	Offset int
	Limit  int
}

// Reader is one query that reads a key, with the attributes it names.
type Reader struct {
	usage.Reader
	Attributes    []string
	AllAttributes bool
}

// AttributeUse is one attribute of a key that queries name, and how many.
type AttributeUse struct {
	usage.AttributeUse
	Readers int
}

// Usage is who reads one key.
type Usage struct {
	Synced        bool
	Readers       []Reader
	Attributes    []AttributeUse
	AllAttributes bool
	Findings      []usage.Finding
}

// Unused is what no consumer reads: unused_metric and unused_attribute
// findings, dearest first. What dropping them saves is the conformance
// package's to say (conformance.DropUnused), from what it really drops.
type Unused struct {
	Metrics    []usage.Finding
	Attributes []usage.Finding
	// Types are, by the key of each of Attributes, the data types of the
	// key's current schemas: what says whether its points can be folded
	// once the attribute is gone (conformance.FoldsByAdding).
	Types map[string][]tallycatv1.MetricType
}

// Sync stores a sync (catalog.Store.SyncConsumers) and makes the next read
// a new reading. A sync without a time is stamped now. Unparsed counts the
// given queries that do not parse: they are stored all the same, and
// their findings say why.
func (s *Service) Sync(ctx context.Context, sync catalog.ConsumerSync) (SyncResult, error) {
	if sync.At.IsZero() {
		sync.At = s.opts.Now().UTC()
	}
	res, err := s.store.SyncConsumers(ctx, sync)
	if err != nil {
		return SyncResult{}, err
	}
	s.mu.Lock()
	s.generation++
	s.current = nil
	s.mu.Unlock()
	out := SyncResult{ConsumerSyncResult: res}
	for _, c := range sync.Consumers {
		for _, q := range c.Body.Queries {
			if s.parsed.get(q).Error != "" {
				out.Unparsed++
			}
		}
	}
	return out, nil
}

// Read returns the current reading, making a new one when the last is
// older than MaxAge or a sync came since. Concurrent reads share one
// making; a caller whose ctx ends stops waiting for it without stopping it
// for the others.
//
// Only a sync this service made is seen at once: replicas sharing a store
// (PostgreSQL) each keep their own reading, so a sync that landed on
// another replica is seen here within MaxAge. What must judge on the
// store as it is (Unused, which decides what a Collector drops) reads
// afresh instead (readFresh).
func (s *Service) Read(ctx context.Context) (*Reading, error) {
	s.mu.Lock()
	gen, cur := s.generation, s.current
	s.mu.Unlock()
	if cur != nil && s.opts.Now().Sub(cur.At) < s.opts.MaxAge {
		return cur, nil
	}
	ch := s.flight.DoChan(flightKey(gen), func() (any, error) {
		r, err := s.makeReading(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		s.keep(gen, r)
		return r, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Reading), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func flightKey(gen uint64) string { return "reading " + strconv.FormatUint(gen, 10) }

// readFresh makes a new reading whatever the current one's age, so that
// a sync another replica made is seen; it becomes the current one unless
// a sync came meanwhile. It is for the rare callers whose answer must not
// be MaxAge late.
func (s *Service) readFresh(ctx context.Context) (*Reading, error) {
	s.mu.Lock()
	gen := s.generation
	s.mu.Unlock()
	r, err := s.makeReading(ctx)
	if err != nil {
		return nil, err
	}
	s.keep(gen, r)
	return r, nil
}

// keep makes r, read at generation gen, the current reading, unless a
// sync came since (a later generation), whose reading r would hide.
func (s *Service) keep(gen uint64, r *Reading) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.generation == gen {
		s.current = r
	}
}
