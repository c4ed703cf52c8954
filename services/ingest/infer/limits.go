package infer

import "time"

// Limits bound what one data point (span, log record) may carry; zero means
// no bound. An item over a bound is refused (and counted as rejected) rather
// than cataloged.
type Limits struct {
	MaxAttributes int
	MaxKeyBytes   int
	// MaxDepth bounds the nesting of messages in a request (attribute
	// values nest maps and arrays); deeper requests are malformed. Zero is
	// protobuf's own limit, DefaultMaxDepth.
	MaxDepth int
	// MaxBodyDepth and MaxBodyKeys bound the keys a log record's map body
	// adds to its shape: how deep nested maps are followed (a map deeper is
	// one field of type map) and how many keys are taken (the rest are left
	// out). Zero is DefaultMaxBodyDepth and DefaultMaxBodyKeys: a body is
	// data, and its keys are bounded whatever the configuration.
	MaxBodyDepth int
	MaxBodyKeys  int
	// MaxSpanNames bounds the span names a release may add per scope and
	// span kind in SpanNameWindow (zero: DefaultSpanNameWindow); the spans
	// of the names past it are counted under the scope's schema (see
	// spannames.go). Zero is no bound.
	MaxSpanNames   int
	SpanNameWindow time.Duration
}

// The bounds of a map body's keys when Limits leaves them zero.
const (
	DefaultMaxBodyDepth = 4
	DefaultMaxBodyKeys  = 64
)

func (l Limits) bodyDepth() int {
	if l.MaxBodyDepth > 0 {
		return l.MaxBodyDepth
	}
	return DefaultMaxBodyDepth
}

func (l Limits) bodyKeys() int {
	if l.MaxBodyKeys > 0 {
		return l.MaxBodyKeys
	}
	return DefaultMaxBodyKeys
}

// Depth is the nesting limit in force: MaxDepth, or DefaultMaxDepth. The
// receivers give the same limit to the decoders of the OTLP/JSON path.
func (l Limits) Depth() int {
	if l.MaxDepth > 0 {
		return l.MaxDepth
	}
	return DefaultMaxDepth
}
