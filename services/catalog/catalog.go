// Package catalog holds the catalog service's domain: what a store must do,
// the errors it answers with, and the pure logic (diffs, page tokens) that
// sits between the API and the store.
//
// The API's generated message types (tallycatv1) are the domain vocabulary
// here: a parallel set of Go structs would mirror them field for field and add
// nothing but conversions.
package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Observation is one shape seen from one producer under one instrumentation
// scope, with its schema id already computed by the catalog.
type Observation struct {
	SchemaID    string
	Shape       schemaid.Shape
	Description string
	Producer    ProducerIdentity
	ScopeName   string
	ScopeVer    string
	// ResourceAttributes and ScopeAttributes are not part of the id; they are
	// kept per producer.
	ResourceAttributes []schemaid.Attribute
	ScopeAttributes    []schemaid.Attribute
	DataPoints         uint64
	FirstObserved      time.Time
	LastObserved       time.Time
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
	NewSchemas int
	// Duplicate is true when the batch id had been recorded before and the
	// batch was therefore not applied again.
	Duplicate bool
}

// KeyFilter selects and orders the rows of ListSchemaKeys.
type KeyFilter struct {
	Query       string
	MetricTypes []tallycatv1.MetricType
	ServiceName string
	Sort        tallycatv1.SchemaKeySort
	Descending  bool
	Offset      int
	Limit       int
}

// ProducerFilter selects the producers of ListProducers; at most one of its
// fields is set.
type ProducerFilter struct {
	SchemaID    string
	SchemaKey   string
	ServiceName string
	Offset      int
	Limit       int
}

// SchemaDetail is a schema with everything GetSchema shows about it.
type SchemaDetail struct {
	Schema    *tallycatv1.Schema
	Producers []*tallycatv1.Producer
	Scopes    []*tallycatv1.Scope
	Versions  []*tallycatv1.SchemaVersion
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

// Store keeps the catalog. Implementations must be safe for concurrent use.
type Store interface {
	// RecordObservations applies a batch in one transaction. A batch id that
	// was applied before is not applied again (Duplicate is set). It returns
	// EINVALID for an observation that is not well formed.
	RecordObservations(ctx context.Context, batchID string, obs []Observation) (RecordResult, error)

	// ListSchemaKeys returns one summary per metric name that passes the
	// filter, and how many names pass it in all.
	ListSchemaKeys(ctx context.Context, f KeyFilter) ([]*tallycatv1.SchemaKeySummary, int64, error)

	// ListSchemas returns every schema of a metric name, or ENOTFOUND when
	// the name was never seen.
	ListSchemas(ctx context.Context, schemaKey string) ([]*tallycatv1.Schema, error)

	// GetSchema returns one schema with its producers, scopes and versions,
	// or ENOTFOUND.
	GetSchema(ctx context.Context, schemaID string) (*SchemaDetail, error)

	// GetSchemas returns the schemas with the given ids (fields, producer
	// count and current version, without the detail GetSchema adds), in the
	// order asked, or ENOTFOUND naming the first id that does not exist.
	GetSchemas(ctx context.Context, schemaIDs ...string) ([]*tallycatv1.Schema, error)

	// ListProducers returns the producers that pass the filter. It returns
	// ENOTFOUND when the filter names a schema or schema key that does not
	// exist.
	ListProducers(ctx context.Context, f ProducerFilter) ([]*tallycatv1.Producer, error)

	// ListSchemaEvents returns a metric name's timeline, newest first, or
	// ENOTFOUND when the name was never seen.
	ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]*tallycatv1.SchemaEvent, error)

	// AssignVersion makes c.Version the schema's current version. It returns
	// ENOTFOUND for an unknown schema and ECONFLICT when another schema of
	// the same key holds, or held, that version.
	AssignVersion(ctx context.Context, c VersionChange) (*tallycatv1.SchemaVersion, error)

	// SetVersionStatus changes the status of the schema's current version.
	// It returns ENOTFOUND for an unknown schema and EFAILEDPRECONDITION when
	// the schema has no version yet.
	SetVersionStatus(ctx context.Context, c VersionChange) (*tallycatv1.SchemaVersion, error)

	// ListVersions returns the version history of one schema or of every
	// schema of a key, newest first, or ENOTFOUND when neither exists.
	ListVersions(ctx context.Context, schemaID, schemaKey string) ([]*tallycatv1.SchemaVersion, error)

	// Close releases the store; after it, every method fails.
	Close() error
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
