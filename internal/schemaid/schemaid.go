// Package schemaid computes the deterministic schema id of a metric, span or
// log shape.
//
// A schema is, per release of a service (service.namespace, service.name,
// service.version, all instances pooled) and per instrumentation scope, a
// metric's name, type, unit, temporality and monotonicity together with the
// union of the (key, value type) data point attributes over every data point
// that release has sent for the metric. Its id is the hash of that shape, so
// two releases that send the same union share one schema. Each distinct
// attribute set actually observed is a variant of the schema; a variant's id
// is the id its attribute set alone would have as a schema, computed by the
// same ID, so a schema whose union equals one of its variants has that
// variant's id. The release, the scope, the variants and the presence of each
// field are stored beside the schema but are not part of its id.
//
// Spans and logs are schemas on the same model. A span schema is a span name
// (or a scope, for the names past a per-scope limit) and a span kind with the
// union of the span's own, event and link attributes; a log schema is an event
// name (or a scope, for records without one) with the union of the record's
// own attributes, map body keys and severity fields. The signal is in the id
// through its own domain tag, so the ids of metric shapes are what they were
// before spans and logs existed.
//
// Both the ingest service and the catalog use this one package, so that an id
// computed where the data arrives is the id the catalog stores, and so that the
// catalog can recompute every id it receives instead of trusting the sender.
// The encoding is a product contract: docs/schema-id.md describes it and the
// test vectors in this package lock it across machines and releases.
package schemaid

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// domainTag starts every canonical encoding, so that the encodings of two
// versions of the product contract never share bytes, and an id of one
// version is never (short of a SHA-256 collision) an id of the other.
//
// v2 is the current version. Its bytes are laid out exactly as v1's; only the
// tag differs, because what the attributes stand for changed: a v1 id named
// one data point attribute set, a v2 id names the union of the attribute sets
// one release has sent for a metric. The same attribute list means different
// things under the two, and the new tag keeps their ids apart.
const domainTag = "tallycat.schema.v2"

// domainTagSpan and domainTagLog start the encodings of span and log shapes.
// Each signal has its own tag, rather than a signal field in one layout, so
// that the metric encoding stays byte for byte what it was (every stored
// metric id is kept) and no span or log shape can encode like a metric.
const (
	domainTagSpan = "tallycat.schema.v2.span"
	domainTagLog  = "tallycat.schema.v2.log"
)

// domainTagV1 is the tag of the ids the releases before v2 computed, one per
// data point attribute set. Nothing new is encoded with it: it exists only
// for IDv1.
const domainTagV1 = "tallycat.schema.v1"

// Attribute is one attribute key with the type of its value, and where on
// the item it was found. The zero Source is the item's own attributes, the
// only source a metric has.
//
// Its layout is part of the ingest's hot path, which appends and compares
// attributes for every data point: Source sits beside Type in the bytes the
// alignment leaves after it, and Event is one machine word, so Attribute is
// 32 bytes and 4 fields. That is the most the compiler keeps in registers; an
// Attribute of 40 bytes (Event as a string) is copied through memory with a
// bulk write barrier and compared by a call, which made the metric scan 10 to
// 20% slower.
type Attribute struct {
	Key    string
	Type   tallycatv1.ValueType
	Source Source
	// Event is the name of the span event an Event attribute belongs to;
	// it is the zero EventName for every other source.
	Event EventName
}

// Shape is everything that makes a schema id.
//
// For a metric (Signal Metric, the zero value) it is the metric's name, type,
// unit, temporality and monotonicity where they apply, and a set of data
// point attribute keys with their value types.
//
// For a span it is the span name, the span kind, whether the schema is the
// scope's rather than one name's (ByScope: the span names past the per-scope
// limit, which would otherwise make a schema per id embedded in a name), and
// the span's own, event and link attributes.
//
// For a log it is the event name, whether the schema is the scope's (ByScope:
// the records without an event name), and the record's own attributes, its
// map body keys and its severity fields.
//
// A schema grouped by scope is named after its scope. Fields a signal does
// not have (a span's unit, a metric's span kind) are left out of its encoding.
//
// For a schema the attribute set is the union over every item one release
// has sent in one scope; for a variant it is one attribute set as observed on
// an item. A key may appear twice with two value types (a type conflict): both
// pairs are kept and both are encoded.
type Shape struct {
	Signal      Signal
	Name        string
	Type        tallycatv1.MetricType
	Unit        string
	Temporality tallycatv1.Temporality
	Monotonic   bool
	SpanKind    SpanKind
	ByScope     bool
	Attributes  []Attribute
}

// Normalize sorts the attributes by source, event, key and value type token,
// and drops exact duplicates, so that equal sets compare and encode equal. It
// changes s.Attributes in place.
func (s *Shape) Normalize() {
	s.Attributes = NormalizeAttributes(s.Attributes)
}

// NormalizeAttributes sorts attrs in place and drops exact duplicates, and
// returns the shortened slice. Attributes that are already in order, as most
// SDKs send them, are checked without being sorted.
func NormalizeAttributes(attrs []Attribute) []Attribute {
	if isNormalized(attrs) {
		return attrs
	}
	slices.SortFunc(attrs, compareAttributes)
	return slices.Compact(attrs)
}

// compareAttributes orders attributes by source token (through sourceOrder,
// which needs no signal), event name, key and value type token: the order of
// the canonical encoding. A metric's attributes all have the zero source and
// event, so for them this is the order by key and type it always was. The
// source and event are compared for inequality first, which for metrics costs
// a byte and a word comparison.
func compareAttributes(a, b Attribute) int {
	if a.Source != b.Source {
		return sourceOrder(a.Source) - sourceOrder(b.Source)
	}
	if a.Event != b.Event {
		return strings.Compare(a.Event.String(), b.Event.String())
	}
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return strings.Compare(ValueTypeToken(a.Type), ValueTypeToken(b.Type))
}

// HasTemporality reports whether the metric type carries an aggregation
// temporality. Gauges and summaries do not, whatever a producer sends.
func HasTemporality(t tallycatv1.MetricType) bool {
	switch t {
	case tallycatv1.MetricType_METRIC_TYPE_SUM,
		tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM,
		tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM:
		return true
	}
	return false
}

// HasMonotonic reports whether the metric type carries monotonicity: only sums
// do.
func HasMonotonic(t tallycatv1.MetricType) bool {
	return t == tallycatv1.MetricType_METRIC_TYPE_SUM
}

// AppendCanonical appends the canonical encoding of s to dst. Every element is
// a 4-byte big-endian length followed by that many bytes, so no two shapes can
// encode alike by concatenation. s must be normalized, and valid (Validate):
// a metric's encoding has no attribute source, so a metric attribute's Source
// and Event are not in it. A signal this package does not know is encoded as
// a metric.
func AppendCanonical(dst []byte, s *Shape) []byte {
	return AppendCanonicalAttributesFor(AppendCanonicalHeader(dst, s), s.Signal, s.Attributes)
}

// AppendCanonicalHeader appends the part of the encoding that comes before
// the attributes: the signal's domain tag and its header fields. Inference
// encodes it once per metric, span name or log event name and appends each
// item's attributes after it.
func AppendCanonicalHeader(dst []byte, s *Shape) []byte {
	switch s.Signal {
	case Span:
		dst = appendString(dst, domainTagSpan)
		dst = appendString(dst, s.Name)
		dst = appendString(dst, SpanKindToken(s.SpanKind))
		return appendString(dst, groupingToken(Span, s.ByScope))
	case Log:
		dst = appendString(dst, domainTagLog)
		dst = appendString(dst, s.Name)
		return appendString(dst, groupingToken(Log, s.ByScope))
	}
	return appendHeader(dst, domainTag, s)
}

func appendHeader(dst []byte, tag string, s *Shape) []byte {
	dst = appendString(dst, tag)
	dst = appendString(dst, s.Name)
	dst = appendString(dst, MetricTypeToken(s.Type))
	dst = appendString(dst, s.Unit)
	temporality, monotonic := "", ""
	if HasTemporality(s.Type) {
		temporality = TemporalityToken(s.Temporality)
	}
	if HasMonotonic(s.Type) {
		monotonic = "false"
		if s.Monotonic {
			monotonic = "true"
		}
	}
	dst = appendString(dst, temporality)
	return appendString(dst, monotonic)
}

// AppendCanonicalAttributes appends the attribute part of a metric's
// encoding, (key, value type) per attribute; attrs must be normalized. It is
// also the encoding the ingest keys resource and scope attribute sets by.
func AppendCanonicalAttributes(dst []byte, attrs []Attribute) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(attrs)))
	for _, a := range attrs {
		dst = appendString(dst, a.Key)
		dst = appendString(dst, ValueTypeToken(a.Type))
	}
	return dst
}

// AppendCanonicalAttributesFor appends the attribute part of the encoding of
// a shape of signal sig; attrs must be normalized. A span's or a log's
// attributes are encoded as (source, event, key, value type), since one key
// may be both the span's and an event's, or both a record's and its body's,
// and the two are different fields. A metric's are encoded by
// AppendCanonicalAttributes, as they always were.
func AppendCanonicalAttributesFor(dst []byte, sig Signal, attrs []Attribute) []byte {
	if sig != Span && sig != Log {
		return AppendCanonicalAttributes(dst, attrs)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(attrs)))
	for _, a := range attrs {
		dst = appendString(dst, SourceToken(sig, a.Source))
		dst = appendString(dst, a.Event.String())
		dst = appendString(dst, a.Key)
		dst = appendString(dst, ValueTypeToken(a.Type))
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

// Size is the length of a schema id in bytes before hex encoding.
const Size = 16

// Sum returns the id of a canonical encoding as raw bytes: the first 16 bytes
// of its SHA-256.
func Sum(canonical []byte) [Size]byte {
	full := sha256.Sum256(canonical)
	var id [Size]byte
	copy(id[:], full[:Size])
	return id
}

// String renders a raw id as the 32 lowercase hex digits the API uses.
func String(id [Size]byte) string {
	return hex.EncodeToString(id[:])
}

// ID returns the schema id of s as 32 lowercase hex digits. Given a schema's
// attribute union it is the schema's id; given one observed attribute set it
// is that variant's id. It normalizes a copy of the attributes when they are
// not already normalized, so s is left as it was.
func ID(s Shape) string {
	s.Attributes = normalizedCopy(s.Attributes)
	return String(Sum(AppendCanonical(nil, &s)))
}

// IDv1 returns the id the releases before v2 gave s: the same encoding under
// the tag "tallycat.schema.v1". Those releases knew only metrics and made one
// schema per data point attribute set, so s is encoded as a metric whatever
// its Signal, and s.Attributes is to be one such set. It is not a schema id
// of this release: it keeps the published v1 vectors true, and lets tests
// build a database as a previous release made it. (The upgrade itself maps
// each stored v1 id by the row it is stored in; it need not recompute it.)
func IDv1(s Shape) string {
	s.Attributes = normalizedCopy(s.Attributes)
	return String(Sum(AppendCanonicalAttributes(appendHeader(nil, domainTagV1, &s), s.Attributes)))
}

func normalizedCopy(attrs []Attribute) []Attribute {
	if isNormalized(attrs) {
		return attrs
	}
	return NormalizeAttributes(slices.Clone(attrs))
}

func isNormalized(attrs []Attribute) bool {
	for i := 1; i < len(attrs); i++ {
		if compareAttributes(attrs[i-1], attrs[i]) >= 0 {
			return false
		}
	}
	return true
}

// MetricTypeToken is the stable token of a metric type in the encoding. It does
// not depend on the protobuf enum names, which may be renamed.
func MetricTypeToken(t tallycatv1.MetricType) string {
	switch t {
	case tallycatv1.MetricType_METRIC_TYPE_GAUGE:
		return "gauge"
	case tallycatv1.MetricType_METRIC_TYPE_SUM:
		return "sum"
	case tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM:
		return "histogram"
	case tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM:
		return "exponential_histogram"
	case tallycatv1.MetricType_METRIC_TYPE_SUMMARY:
		return "summary"
	}
	return "unspecified"
}

// TemporalityToken is the stable token of a temporality in the encoding.
func TemporalityToken(t tallycatv1.Temporality) string {
	switch t {
	case tallycatv1.Temporality_TEMPORALITY_DELTA:
		return "delta"
	case tallycatv1.Temporality_TEMPORALITY_CUMULATIVE:
		return "cumulative"
	}
	return "unspecified"
}

// ValueTypeToken is the stable token of an attribute value type in the
// encoding.
func ValueTypeToken(t tallycatv1.ValueType) string {
	switch t {
	case tallycatv1.ValueType_VALUE_TYPE_STRING:
		return "string"
	case tallycatv1.ValueType_VALUE_TYPE_BOOL:
		return "bool"
	case tallycatv1.ValueType_VALUE_TYPE_INT:
		return "int"
	case tallycatv1.ValueType_VALUE_TYPE_DOUBLE:
		return "double"
	case tallycatv1.ValueType_VALUE_TYPE_BYTES:
		return "bytes"
	case tallycatv1.ValueType_VALUE_TYPE_ARRAY:
		return "array"
	case tallycatv1.ValueType_VALUE_TYPE_MAP:
		return "map"
	case tallycatv1.ValueType_VALUE_TYPE_EMPTY:
		return "empty"
	}
	return "unspecified"
}
