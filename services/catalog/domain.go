package catalog

import (
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// The catalog's read model: what stores return and the API converts to its
// messages. The API's enums (metric type, temporality, value type, field
// source, version status, event kind) are shared vocabulary with schemaid
// and are used as they are; messages are not, so that a store never depends
// on the wire format and the rules here never on protobuf.

// Field is one attribute key of a schema with the type of its values and
// where it was found. Presence, SeenRatio, FirstSeen and LastSeen describe
// how often it was there (see Presence); they are zero where a field is not
// part of a schema (a variant's attributes).
type Field struct {
	Name string
	// Source is where the field was found: DATA_POINT for an item's own
	// attributes, whatever its signal (see FieldSourceOf), EVENT, LINK,
	// BODY or SEVERITY for the rest of a span's or a log's shape, or
	// RESOURCE or SCOPE.
	Source tallycatv1.FieldSource
	// Event names the span event an EVENT field belongs to.
	Event     string
	Type      tallycatv1.ValueType
	Presence  tallycatv1.FieldPresence
	SeenRatio float64
	FirstSeen time.Time
	LastSeen  time.Time
	// TypeConflict is true when the schema holds this key, from this
	// source, with more than one value type.
	TypeConflict bool
	// Distinct estimates the field's distinct values over the window
	// GetSchema was asked for; HighCardinality judges the last hour's
	// (see docs/COST.md). Examples are a data point field's values while
	// ExamplesState is KEPT; the state says why there are none otherwise.
	Distinct        uint64
	HighCardinality bool
	Examples        []cardinality.Share
	ExamplesState   tallycatv1.ExampleValuesState
}

// Schema is one release-pooled shape of a metric, a span or a log (see
// docs/schema-id.md).
type Schema struct {
	ID string
	// Key is the stored key (see StoredKey); Signal and Name are what it
	// stands for, which is what people read.
	Key         string
	Signal      schemaid.Signal
	Name        string
	Type        tallycatv1.MetricType
	Unit        string
	Temporality tallycatv1.Temporality
	Monotonic   bool
	// SpanKind is a span schema's kind; ByScope is set on a span or log
	// schema that groups its scope's items rather than one name's (Name
	// is then the scope's).
	SpanKind            schemaid.SpanKind
	ByScope             bool
	Description         string
	DescriptionConflict bool
	// Fields are the shape's fields (the union that makes the id) and
	// the resource and scope fields of the schema's producers.
	Fields         []Field
	ProducerCount  int
	ReleaseCount   int
	FirstSeen      time.Time
	LastSeen       time.Time
	CurrentVersion *Version
	DataPoints     uint64
	// Errors counts the spans with status error of the DataPoints, over
	// the same streams.
	Errors uint64
	// NameExamples are some of the span names a by-scope span schema took
	// in.
	NameExamples []string
	// Superseded is true when no release produces the schema any more;
	// SupersededBy lists the schemas the releases that did moved to.
	Superseded   bool
	SupersededBy []string
	TypeConflict bool
	// Cost is filled by GetSchema only, over the window it was asked for.
	Cost *Cost
	// Releases are the releases that produce or produced the schema,
	// current ones first, then the most recently seen: GetSchema's
	// releases, without their cost. ListSchemas lists them so that a
	// schema can be named by who sends it without a read per schema.
	Releases []Release
}

// Producer is a service instance that emitted a schema.
type Producer struct {
	ProducerIdentity
	FirstSeen   time.Time
	LastSeen    time.Time
	SchemaCount int
	// SupersededBy is set on a schema's producer entries when the
	// producer's release moved from that schema to this one.
	SupersededBy string
}

// Release is a service at one version as a schema sees it: its instances
// pooled.
type Release struct {
	ReleaseIdentity
	Instances    int
	FirstSeen    time.Time
	LastSeen     time.Time
	SupersededBy string
	DataPoints   uint64
	// Cost is the release's streams' on the schema (see docs/COST.md).
	Cost *Cost
}

// Service is a service.name with what was seen of it.
type Service struct {
	Name                string
	Releases, Instances int
	FirstSeen, LastSeen time.Time
}

// KeyCounts counts keys by signal, as ListSchemaKeys lists them.
type KeyCounts struct{ Metrics, Spans, Logs int }

// ServiceRelease is a release of a service, its instances pooled, and
// the keys it sent.
type ServiceRelease struct {
	ReleaseIdentity
	Instances           int
	FirstSeen, LastSeen time.Time
	Keys                KeyCounts
}

// ServiceReleases are a page of a service's releases, and the keys every
// release of it sent, each once.
type ServiceReleases struct {
	Releases []ServiceRelease
	Keys     KeyCounts
}

// Variant is one distinct data point attribute set seen with a schema.
type Variant struct {
	// ID is the schema id the attribute set alone would have.
	ID         string
	Attributes []schemaid.Attribute
	DataPoints uint64
	FirstSeen  time.Time
	LastSeen   time.Time
}

// Scope is an instrumentation scope a schema was emitted under.
type Scope struct {
	Name, Version       string
	FirstSeen, LastSeen time.Time
}

// Version is one entry of a schema's version history.
type Version struct {
	SchemaID   string
	Version    string
	Status     tallycatv1.VersionStatus
	Reason     string
	Actor      string
	AssignedAt time.Time
}

// Event is one entry of a schema key's timeline.
type Event struct {
	// Key is the stored key; Signal and Name are what it stands for.
	Key      string
	Signal   schemaid.Signal
	Name     string
	SchemaID string
	Kind     tallycatv1.SchemaEventKind
	At       time.Time
	// Actor is set for changes people made (versions and statuses).
	Actor string
	// Producer is set for first-seen, producer-added, moved and
	// description events; for a move it names the release (no instance).
	Producer            *ProducerIdentity
	Version             *Version
	PreviousDescription string
	Description         string
	// TargetSchemaID and Added are set for a move.
	TargetSchemaID string
	Added          []schemaid.Attribute
}

// StoredProducer is how every store keeps an event's producer: its
// identity spelled out, and its id only when it names an instance (a
// move names a release, which has no producers row).
func (e Event) StoredProducer() (id string, p ProducerIdentity) {
	if e.Producer == nil {
		return "", p
	}
	if p = *e.Producer; p.ServiceInstanceID != "" {
		id = p.ID()
	}
	return id, p
}

// StoredAdded is how every store keeps a move's added attributes: as
// EncodeAttributes writes them, or "" for none.
func (e Event) StoredAdded() string {
	if len(e.Added) == 0 {
		return ""
	}
	return EncodeAttributes(e.Added)
}

// KeySummary is one key (a metric, span or log event name) with a summary
// of its schemas.
type KeySummary struct {
	// Key is the stored key; Signal and Name are what it stands for.
	Key    string
	Signal schemaid.Signal
	Name   string
	// SpanKinds are the kinds of a span key's schemas, in order.
	SpanKinds   []schemaid.SpanKind
	Type        tallycatv1.MetricType
	Unit        string
	Types       []tallycatv1.MetricType
	Units       []string
	Description string
	// Schemas counts current schemas, Superseded the others.
	Schemas    int
	Superseded int
	Producers  int
	FirstSeen  time.Time
	LastSeen   time.Time
	Versioned  bool
	Deprecated bool
	// Cost sums the key's streams over the filter's window.
	Cost Cost
	// ByScope is set when the key's schemas group a scope (Schema.ByScope).
	ByScope bool
	// DataPoints and Errors sum its current schemas' (Schema.DataPoints
	// and Errors): since each release began, whatever the window; a
	// metric key's are left zero.
	DataPoints, Errors uint64
	// Versions are the current versions of its schemas that have one, in
	// version order (see CompareVersions).
	Versions []KeyVersion
	// Diverging is set when its current schemas disagree (see
	// KeyFilter.Diverging).
	Diverging bool
}

// KeyVersion is the current version of one schema of a key, and whether
// the schema is superseded (its version history, then).
type KeyVersion struct {
	SchemaID   string
	Version    string
	Status     tallycatv1.VersionStatus
	Superseded bool
}

// SchemaDetail is a schema with everything GetSchema shows about it.
type SchemaDetail struct {
	Schema Schema
	// Producers are at most MaxDetailProducers instances, the most
	// recently seen first; Releases count them all.
	Producers []Producer
	Releases  []Release
	Scopes    []Scope
	Versions  []Version
	Variants  []Variant
}

// MaxDetailProducers bounds the instances GetSchema lists: a service on
// Kubernetes starts a new instance with every pod, and a list of thousands
// helps nobody; the releases carry the counts.
const MaxDetailProducers = 100
