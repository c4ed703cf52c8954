// Package ingest holds the ingest service's domain: what inference makes of
// an OTLP export request (metrics, traces or logs), and the one-method
// interface between receiving OTLP and processing it.
package ingest

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Producer is the OpenTelemetry service identity of a resource.
type Producer struct {
	ServiceName       string
	ServiceNamespace  string
	ServiceVersion    string
	ServiceInstanceID string
}

// Observation is one shape seen in one request from one producer under one
// instrumentation scope: one distinct data point attribute set (a variant,
// whose id VariantID is), or one span or log record shape (Shape.Signal says
// which), counted the same way: a span or a log record is a data point of
// its shape. The catalog files it under the schema of its
// release's union of attribute sets, which only the catalog, seeing every
// replica's observations, can know. Shape.Attributes, ResourceAttributes and
// ScopeAttributes are normalized (sorted, without duplicates) and must not be
// changed: inference shares them between observations.
type Observation struct {
	// VariantID is the variant id, the id Shape alone would have as a
	// schema (schemaid.ID); the union's schema, which the catalog files it
	// under, has that id only when this set is the union.
	VariantID string
	Shape     schemaid.Shape
	// Canonical is Shape's canonical encoding (see schemaid), shared by
	// every observation of the shape: the forwarder remembers a shape by it.
	Canonical          string
	Description        string
	Producer           Producer
	ScopeName          string
	ScopeVersion       string
	ResourceAttributes []schemaid.Attribute
	ScopeAttributes    []schemaid.Attribute
	// DataPoints counts the data points, spans or log records of the shape.
	DataPoints uint64
	// Errors counts the spans among DataPoints whose status was error; it
	// is zero for metrics and logs.
	Errors uint64
	// NameExamples are some of the span names a span shape grouped by scope
	// (Shape.ByScope) took in: the names past the limit of distinct span
	// names, which the shape's own name (the scope's) does not say.
	NameExamples []string
	// Series holds each data point's series hash (its resource, scope and
	// attribute values; see cardinality.Series), and Values, point after
	// point (span after span, record after record), the value of each of
	// Shape.Attributes; ResourceValues the value of each of
	// ResourceAttributes. They are what the cost figures are counted from,
	// nil when cost tracking is off, and views of the request and of
	// Result.Points: valid only until the result is recycled. Spans and log
	// records have no series: Series is nil for them, and Values holds the
	// values of the fields that are counted (a span's own attributes, a log
	// record's attributes and severity fields) and the zero Value in the
	// place of every other field (a log body's, whose values are never
	// read, and a span event's or link's).
	Series         []uint64
	Values         []cardinality.Value
	ResourceValues []cardinality.Value
	// RecordBytes is, for a log shape, the size of its DataPoints log
	// records: each LogRecord message's protobuf encoding as received, or
	// proto.Size of the decoded record for a request that came decoded
	// (OTLP/JSON). Logs are priced by it; it is zero for spans and metrics.
	RecordBytes uint64
}

// Points backs the Series and Values of a result's observations, so that
// a request's data points cost one reusable block of memory, not a slice
// each.
type Points struct {
	Series   []uint64
	Values   []cardinality.Value
	Resource []cardinality.Value
}

// Result is what inference made of one export request.
type Result struct {
	Observations []Observation
	// DataPoints counts the items accepted: data points, spans or log
	// records, by the request's signal.
	DataPoints int64
	// Rejected counts the items refused, and Reasons says why, for the OTLP
	// partial success answer (rejected_data_points, rejected_spans or
	// rejected_log_records).
	Rejected int64
	Reasons  []string
	// Points backs the observations' Series and Values (nil when cost
	// tracking is off).
	Points *Points
}

// Reject records that n items were refused for the given reason. A
// reason is kept once, and at most maxReasons are kept, so that one bad
// producer cannot grow the answer without bound.
func (r *Result) Reject(n int64, format string, args ...any) {
	r.Rejected += n
	if len(r.Reasons) >= maxReasons {
		return
	}
	reason := fmt.Sprintf(format, args...)
	for _, have := range r.Reasons {
		if have == reason {
			return
		}
	}
	r.Reasons = append(r.Reasons, reason)
}

const maxReasons = 8

// ErrOverloaded is returned by a Consumer that cannot take more now; the
// receivers answer it with the retryable unavailable / 503 and Retry-After.
var ErrOverloaded = errors.New("the ingest is holding as many new shapes as it may while the catalog catches up; retry later")

// Request is one OTLP export as a receiver got it: its signal, and either
// protobuf bytes, which the pipeline scans without decoding, or a decoded
// message (OTLP/JSON), the signal's export request
// (*colmetricpb.ExportMetricsServiceRequest,
// *coltracepb.ExportTraceServiceRequest or
// *collogspb.ExportLogsServiceRequest). Exactly one of Proto and Decoded is
// set. Proto is only valid during Consume.
type Request struct {
	// Signal is the signal of the service the request was sent to; its zero
	// value is metrics.
	Signal  schemaid.Signal
	Proto   []byte
	Decoded proto.Message
}

// ErrMalformed wraps a request body that is not a valid message.
var ErrMalformed = errors.New("malformed")

// Consumer takes OTLP exports of every signal. It is the one seam between
// the receivers and the pipeline, so that each can be tested with the other
// replaced. It returns what it refused as a partial success, or an error
// (ErrMalformed, ErrOverloaded, or the context's) when it took nothing.
type Consumer interface {
	Consume(ctx context.Context, req Request) (Result, error)
}
