// Package catalog is the catalog service's domain, which every other part
// of it speaks: its types, the Store interface with the errors each method
// returns, and the rules a write applies (PlanBatch folds a batch of
// observations into release-pooled schemas, timeline entries and cost
// rows), with diffs and page tokens. The API, conformance and proposals
// read and write through Store. The stores persist and read, sharing their
// flows in internal/sqlstore, and decide nothing the catalog's users would
// call a rule, so that every store behaves alike (catalogtest holds each
// to that).
package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Observation is one distinct attribute set (a variant) of a metric's data
// points, a span or a log record, seen from one producer instance under one
// instrumentation scope. Shape.Signal says which, and the shape holds the
// rest: a metric's header, or a span's name and kind, or a log's event name
// (the scope's name where Shape.ByScope is set), and the attributes with
// their sources. VariantID is the schema id Shape alone would have; the
// schema it is filed under is its release's union (see PlanBatch).
type Observation struct {
	VariantID    string
	Shape        schemaid.Shape
	Description  string
	Producer     ProducerIdentity
	ScopeName    string
	ScopeVersion string
	// ResourceAttributes and ScopeAttributes are not part of the id; they are
	// kept per producer.
	ResourceAttributes []schemaid.Attribute
	ScopeAttributes    []schemaid.Attribute
	// DataPoints counts the data points, spans or log records.
	DataPoints    uint64
	FirstObserved time.Time
	LastObserved  time.Time
	// Errors counts the spans with status error among DataPoints; a
	// span's only.
	Errors uint64
	// NameExamples are some of the span names a by-scope span observation
	// took in; a span's only, at most MaxNameExamples are kept.
	NameExamples []string
	// Series and Fields are the cost figures of the DataPoints: the
	// distinct series among them and, per attribute, its distinct values
	// (see FieldFigures). They go into the bucket of LastObserved. A
	// metric observation with neither costs nothing: it comes from a
	// sender that does not count them. A span or a log has no series: its
	// DataPoints and times give its rate, and its Fields those of its
	// counted fields (see planCosts).
	Series cardinality.Distinct
	Fields []FieldFigures
	// RecordBytes are a log's records' bytes, which logs are priced by;
	// a log's only.
	RecordBytes uint64
}

// Validate reports, as EINVALID, what no schema can be made of: a shape no
// canonical encoding holds (schemaid.Shape.Validate: an unknown signal or
// span kind, an attribute source the signal does not have), a metric name
// that starts as span and log keys do (see StoredKey), resource or scope
// attributes with a source, or more errors than spans.
func (o *Observation) Validate() error {
	if err := o.Shape.Validate(); err != nil {
		return Errorf(EINVALID, "%v", err)
	}
	if o.Shape.Signal == schemaid.Metric && !IsMetricKey(o.Shape.Name) {
		return Errorf(EINVALID, "metric name %.100q starts with U+001F, which only span and log keys may", o.Shape.Name)
	}
	for _, set := range [][]schemaid.Attribute{o.ResourceAttributes, o.ScopeAttributes} {
		for _, a := range set {
			if a.Source != schemaid.Own || a.Event != (schemaid.EventName{}) {
				return Errorf(EINVALID, "resource or scope attribute %.100q has a source", a.Key)
			}
		}
	}
	if o.Errors > o.DataPoints {
		return Errorf(EINVALID, "%d errors of %d spans", o.Errors, o.DataPoints)
	}
	return nil
}

// Normalize makes an observation as the catalog keeps it: only what its
// signal and metric type carry (a gauge has no temporality, only a sum is
// monotonic, a span has no unit, a metric no span kind, only a span errors
// and name examples, only a log record bytes), attribute sets sorted
// without duplicates, and its variant id computed from that shape.
func (o *Observation) Normalize() {
	sh := &o.Shape
	if sh.Signal != schemaid.Metric {
		sh.Type, sh.Unit, sh.Temporality, sh.Monotonic = 0, "", 0, false
	} else {
		sh.ByScope = false
	}
	if sh.Signal != schemaid.Span {
		sh.SpanKind, o.Errors, o.NameExamples = schemaid.SpanKindUnspecified, 0, nil
	}
	if sh.Signal != schemaid.Log {
		o.RecordBytes = 0
	}
	if !schemaid.HasTemporality(sh.Type) {
		sh.Temporality = tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
	}
	if !schemaid.HasMonotonic(sh.Type) {
		sh.Monotonic = false
	}
	o.NameExamples = MergeNameExamples(nil, o.NameExamples)
	sh.Normalize()
	o.ResourceAttributes = schemaid.NormalizeAttributes(o.ResourceAttributes)
	o.ScopeAttributes = schemaid.NormalizeAttributes(o.ScopeAttributes)
	o.VariantID = schemaid.ID(o.Shape)
}

// MergeNameExamples adds the names of more to have that it lacks, in
// order, up to MaxNameExamples, and returns the result sorted.
func MergeNameExamples(have, more []string) []string {
	for _, n := range more {
		if len(have) >= MaxNameExamples {
			break
		}
		if !slices.Contains(have, n) {
			have = append(have, n)
		}
	}
	slices.Sort(have)
	return have
}

// ProducerIdentity is the OpenTelemetry service identity of a producer.
type ProducerIdentity struct {
	ServiceName       string
	ServiceNamespace  string
	ServiceVersion    string
	ServiceInstanceID string
}

// RecordResult says what a batch of observations changed.
type RecordResult struct {
	// SchemaIDs is the schema each observation was filed under; nil for a
	// duplicate batch.
	SchemaIDs  []string
	NewSchemas int
	// Duplicate is true when the batch id had been recorded before and the
	// batch was therefore not applied again.
	Duplicate bool
	// Events are the timeline entries the batch wrote (schemas first seen,
	// producers added, releases moved, descriptions changed), in the
	// order PlanBatch made them; none for a duplicate batch.
	Events []Event
}

// KeyFilter selects and orders the rows of ListSchemaKeys.
type KeyFilter struct {
	// Query keeps the keys whose name holds it, case aside.
	Query string
	// Signals keeps the keys of these signals; none keeps metrics' only,
	// as every list did before spans and logs had schemas.
	Signals     []schemaid.Signal
	MetricTypes []tallycatv1.MetricType
	ServiceName string
	Sort        tallycatv1.SchemaKeySort
	Descending  bool
	// Window is the span of each row's Cost, and of the sorts by cost.
	Window tallycatv1.Window
	// ExcludeSelf leaves out the keys only TallyCat's own services sent
	// (see IsSelf).
	ExcludeSelf bool
	// Diverging keeps the keys whose current schemas disagree: more than
	// one unit or metric type among them, or more than one schema sent by
	// more than one service. One service's two releases on two schemas
	// are a deploy in progress, not a disagreement; two services' two
	// shapes of a name, or two units whoever sends them, break a query
	// over all of them.
	Diverging bool
	Offset    int
	Limit     int
}

// ServiceFilter selects the services of ListServices.
type ServiceFilter struct {
	// ExcludeSelf leaves out TallyCat's own services (see IsSelf).
	ExcludeSelf   bool
	Offset, Limit int
}

// TopFilter says what ListTopSeries lists.
type TopFilter struct {
	Window tallycatv1.Window
	// Limit bounds each list; DefaultTopLimit for 0.
	Limit int
	// ExcludeSelf leaves out what TallyCat's own services sent (see
	// IsSelf): their releases, and their streams of every metric, so that
	// a metric only they send is not listed and one a team's service
	// sends too counts the team's streams alone.
	ExcludeSelf bool
}

// ProducerFilter selects the producers of ListProducers; at most one of its
// fields is set.
type ProducerFilter struct {
	SchemaID    string
	SchemaKey   string
	ServiceName string
	// MostRecentFirst orders by last seen, newest first; else by identity.
	MostRecentFirst bool
	Offset          int
	Limit           int
}

// VersionChange is a version assignment or status change someone asked for.
type VersionChange struct {
	SchemaID string
	Version  string // empty for a status change: the current version is kept
	Status   tallycatv1.VersionStatus
	Reason   string
	Actor    string
	At       time.Time
}

// Leader is implemented by a store that several catalog processes share.
// One of them at a time leads, and only the leader announces what every
// replica finds by itself (new findings, as OTLP log records), so that
// each is announced once. A store without it has one process: it leads.
type Leader interface {
	// Leading reports whether this process leads now, taking the lead
	// when no live process holds it.
	Leading(ctx context.Context) bool
}

// Dismissal is a proposed version people said they do not want for a
// schema. It hides that proposal, and keeps auto-versioning from accepting
// it; a different version proposed later for the schema is a new proposal.
type Dismissal struct {
	SchemaID  string
	SchemaKey string
	Version   string
	Reason    string
	Actor     string
	At        time.Time
}

// Store keeps the catalog. Implementations must be safe for concurrent use.
// Lists take an offset and a limit; a limit of 0 lists everything.
type Store interface {
	// RecordObservations applies a batch in one transaction, its cost
	// figures included (see PlanBatch). A batch id that was applied before
	// is not applied again (Duplicate is set, and no Events). It returns
	// the timeline entries it wrote, so that they can be announced once
	// committed, and EINVALID for an observation that is not well formed.
	RecordObservations(ctx context.Context, batchID string, obs []Observation) (RecordResult, error)

	// ListSchemaKeys returns one summary per key that passes the filter
	// (of the filter's signals, metrics only by default), and how many
	// keys pass it in all, ordered by name (then stored key) unless the
	// filter sorts otherwise.
	// Schema counts are of current schemas; each summary's Cost is over
	// f.Window (docs/COST.md says how figures add up over a window), and
	// so are the sorts by cost. It returns
	// EINVALID for a sort it does not know.
	ListSchemaKeys(ctx context.Context, f KeyFilter) ([]KeySummary, int64, error)

	// ListSchemas returns the current schemas of a key, and the
	// superseded ones too when asked, or ENOTFOUND when the key was never
	// seen. Every method that takes a schema key takes a stored key (see
	// StoredKey): a metric's name, or a span's or a log's name behind its
	// signal's prefix.
	ListSchemas(ctx context.Context, schemaKey string, includeSuperseded bool) ([]Schema, error)

	// GetSchema returns one schema with its producers (at most
	// MaxDetailProducers, the most recently seen first), releases, scopes,
	// versions and variants, and its cost figures over window w (the last
	// hour when unspecified; see docs/COST.md), or ENOTFOUND.
	GetSchema(ctx context.Context, schemaID string, w tallycatv1.Window) (*SchemaDetail, error)

	// GetSchemas returns the schemas with the given ids (as ListSchemas
	// returns them), in the order asked, or ENOTFOUND naming the first id
	// that does not exist.
	GetSchemas(ctx context.Context, schemaIDs ...string) ([]Schema, error)

	// ListJudging returns what judging the catalog needs (the conformance
	// package's full judging) a page of keys at a time (of every signal:
	// conformance passes over the keys it does not judge), keyset-paged
	// in stored key order: the keys after after ("" for the first page), at most
	// limit of them (all for 0). Each comes with its current schemas as
	// ListSchemas returns them (fields with presence, seen ratio and type
	// conflicts; data points; first seen; superseded schemas left out)
	// and, for each schema, the releases producing it now, the most
	// recently seen first (GetSchema's current releases, in its order).
	// Fields carry no cost figures; ReadFieldCosts has them. A page with
	// fewer than limit keys is the last. An after that
	// names no key is no error: the page starts at the first key past it.
	// It returns no catalog error code; its errors are the database's and
	// ctx's.
	ListJudging(ctx context.Context, after string, limit int) ([]JudgingKey, error)

	// ReadFieldCosts reads, at once, what the cost figures of every
	// current schema's fields are worked out from over window w (the last
	// hour when unspecified; high cardinality is judged on the last hour
	// whatever the window): the cost rows of every stream with data in
	// the window. FieldCosts.Apply then fills a schema's fields as
	// GetSchema over w would; the FieldCosts is non-nil when err is nil.
	// It returns no catalog error code; its errors are the database's (a
	// stored row it cannot read) and ctx's.
	ReadFieldCosts(ctx context.Context, w tallycatv1.Window) (FieldCosts, error)

	// ListProducers returns the producers that pass the filter. It returns
	// ENOTFOUND when the filter names a schema or schema key that does not
	// exist.
	ListProducers(ctx context.Context, f ProducerFilter) ([]Producer, error)

	// ListServices returns the services that produced anything and pass
	// the filter, by name.
	ListServices(ctx context.Context, f ServiceFilter) ([]Service, error)

	// ListServiceReleases returns a page of the releases of the service
	// named service, the newest first (by when each was first seen), each
	// with the keys of each signal it sent, and the keys of the service's
	// every release, each counted once (as ListSchemaKeys filtered to the
	// service lists them). A service never seen has no release and no key.
	ListServiceReleases(ctx context.Context, service string, offset, limit int) (ServiceReleases, error)

	// ListTopSeries returns the metrics, releases and attributes with the
	// most series over the filter's window, at most its limit of each.
	ListTopSeries(ctx context.Context, f TopFilter) (*TopSeries, error)

	// GetSeriesHistory returns a metric name's series and data point rate
	// per bucket over the last HistorySpan, oldest first, or ENOTFOUND when the name was never seen.
	GetSeriesHistory(ctx context.Context, schemaKey string) ([]SeriesPoint, error)

	// ListSchemaEvents returns a metric name's timeline, newest first, or
	// ENOTFOUND when the name was never seen.
	ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]Event, error)

	// AssignVersion makes c.Version the schema's current version. It returns
	// ENOTFOUND for an unknown schema and ECONFLICT when another schema of
	// the same key holds, or held, that version.
	AssignVersion(ctx context.Context, c VersionChange) (Version, error)

	// SetVersionStatus changes the status of the schema's current version.
	// It returns ENOTFOUND for an unknown schema and EFAILEDPRECONDITION when
	// the schema has no version yet.
	SetVersionStatus(ctx context.Context, c VersionChange) (Version, error)

	// ListVersions returns the version history of one schema or of every
	// schema of a key, newest first, or ENOTFOUND when neither exists.
	ListVersions(ctx context.Context, schemaID, schemaKey string) ([]Version, error)

	// DismissProposal records a dismissal. Dismissing the same version of
	// the same schema again keeps the first record and is no error. It
	// returns ENOTFOUND for an unknown schema.
	DismissProposal(ctx context.Context, d Dismissal) error

	// ListDismissals returns the dismissals of one metric name, or of
	// every name for "", oldest first.
	ListDismissals(ctx context.Context, schemaKey string) ([]Dismissal, error)

	// SyncConsumers replaces the consumers of s.Origin with s.Consumers
	// in one transaction, as PlanConsumerSync decides, and returns what it
	// did. It returns EINVALID for two consumers with one source and uid.
	SyncConsumers(ctx context.Context, s ConsumerSync) (ConsumerSyncResult, error)

	// ListConsumers returns every stored consumer of every origin, by id.
	// It returns no catalog error code.
	ListConsumers(ctx context.Context) ([]Consumer, error)

	// SaveJudging stores what a full judging of the catalog found (the
	// conformance package's encoding; the store keeps the bytes as they
	// are), replacing the one stored before unless that one is newer (a
	// replica that lost the lead mid-judging saves after the next leader
	// did): one judging is kept, the latest. j.At is stored to the
	// microsecond, in UTC. It returns
	// EINVALID for a judging without a time or without data; its other
	// errors are the database's (EUNAVAILABLE when it cannot write).
	SaveJudging(ctx context.Context, j StoredJudging) error

	// LoadJudging returns the stored judging when it was judged after
	// after (any stored judging for a zero after), and ENOTFOUND when
	// none is stored or the stored one is not newer: a replica that
	// serves a judging asks for a newer one without reading the one it
	// has again.
	LoadJudging(ctx context.Context, after time.Time) (StoredJudging, error)

	// Close releases the store; after it, every method fails.
	Close() error
}

// StoredJudging is what a full judging of the catalog found, as the
// replica that leads saves it for the others to serve (see Leader), and
// for the next leader to start from.
type StoredJudging struct {
	// At is when the judging began reading the catalog: what it found
	// is the catalog as of then, or later.
	At time.Time
	// Data is the judging in the conformance package's encoding.
	Data []byte
}

// ID is the producer's stable id: the first 16 bytes of the SHA-256 of its four
// identity attributes, each length-prefixed, as 32 hex digits.
func (p ProducerIdentity) ID() string {
	var buf []byte
	for _, s := range []string{p.ServiceName, p.ServiceNamespace, p.ServiceVersion, p.ServiceInstanceID} {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		buf = append(buf, s...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}
