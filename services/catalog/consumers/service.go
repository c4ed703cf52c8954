// Package consumers reads the dashboards and rules the catalog keeps (see
// catalog.Consumer) against the catalog's current metric schemas: who
// reads each metric and attribute, which queries read what nothing sends,
// what nobody reads ranked by its cost, and which queries a change of a
// schema breaks. Reading (internal/consumers), resolving names
// (internal/consumers/promnames) and judging (internal/consumers/usage)
// are done there; this package keeps one reading of the whole catalog at a
// time and answers the API's questions from it.
package consumers

import (
	"context"
	"time"

	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
)

// DefaultMaxAge is how long a reading is served before the next read makes
// a new one: consumers change at a sync, which makes a new one at once,
// and the catalog's metrics change slowly.
const DefaultMaxAge = 15 * time.Second

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
	store catalog.Store
	opts  Options
}

// New returns a service on store.
func New(store catalog.Store, opts Options) *Service {
	if opts.MaxAge == 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, opts: opts}
}

// SyncResult is what a sync did, and how many of its queries do not parse.
type SyncResult struct {
	catalog.ConsumerSyncResult
	Unparsed int
}

// Reading is the stored consumers read against the catalog at one time.
type Reading struct {
	At time.Time
	// Synced is set when some consumer is stored: without one, nothing is
	// known to be unused.
	Synced    bool
	Consumers []Consumer
	Report    usage.Report
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
	Error    string
	Keys     []string
	Findings []usage.Finding
}

// ConsumerFilter selects consumers; Kinds are catalog.Consumer kinds.
type ConsumerFilter struct {
	Kinds         []string
	Query         string
	BrokenOnly    bool
	Offset, Limit int
}

// FindingFilter selects findings.
type FindingFilter struct {
	IDs         []string
	MinLevel    usage.Level
	ConsumerID  string
	Key         string
	ExcludeSelf bool
	Offset      int
	Limit       int
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

// Savings is what dropping the unused metrics and attributes would save,
// over the last hour's figures as a month.
type Savings struct {
	MetricsDropped, AttributesDeleted int
	SeriesSaved                       uint64
	DataPointsPerMonthSaved           float64
	// MonthlySaving is nil without a price for metrics.
	MonthlySaving *float64
}

// Unused is what no consumer reads: unused_metric and unused_attribute
// findings, dearest first, and what dropping them saves.
type Unused struct {
	Metrics    []usage.Finding
	Attributes []usage.Finding
	Savings    Savings
}

// Sync stores a sync (catalog.Store.SyncConsumers) and makes the next read
// a new reading.
func (s *Service) Sync(ctx context.Context, sync catalog.ConsumerSync) (SyncResult, error) {
	panic("not yet")
}

// Read returns the current reading, making a new one when the last is
// older than MaxAge or a sync came since.
func (s *Service) Read(ctx context.Context) (*Reading, error) { panic("not yet") }

// ListConsumers returns a page of the consumers f selects, those with the
// most severe findings first, then by title; how many it selects; and the
// reading's counts.
func (s *Service) ListConsumers(ctx context.Context, f ConsumerFilter) ([]Consumer, int, usage.Stats, error) {
	panic("not yet")
}

// Consumer returns one consumer, or ENOTFOUND.
func (s *Service) Consumer(ctx context.Context, id string) (Consumer, error) { panic("not yet") }

// Findings returns a page of the findings f selects, most severe first,
// then dearest first; how many it selects; and the reading's counts.
func (s *Service) Findings(ctx context.Context, f FindingFilter) ([]usage.Finding, int, usage.Stats, error) {
	panic("not yet")
}

// Usage says who reads key, a metric's name.
func (s *Service) Usage(ctx context.Context, key string) (Usage, error) { panic("not yet") }

// Unused returns what no consumer reads, or EFAILEDPRECONDITION while no
// consumer is stored (everything would look unused).
func (s *Service) Unused(ctx context.Context) (Unused, error) { panic("not yet") }

// Breaks returns the queries of the stored consumers that a change of a
// metric key's schema from base to target breaks: those reading a name
// base gives and target does not, or an attribute base has and target
// lacks. A query already broken under base is not broken by the change.
func (s *Service) Breaks(ctx context.Context, base, target catalog.Schema) ([]catalog.ConsumerBreak, error) {
	panic("not yet")
}
