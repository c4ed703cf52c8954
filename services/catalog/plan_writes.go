package catalog

import (
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// What a Plan holds: every row a store writes for one batch.

// Span is a first/last-seen interval with a data point count.
type Span struct {
	First, Last time.Time
	Count       uint64
}

func (s *Span) add(first, last time.Time, n uint64) {
	if s.First.IsZero() || first.Before(s.First) {
		s.First = first
	}
	if last.After(s.Last) {
		s.Last = last
	}
	s.Count += n
}

// Described is a description with the time it was observed; later wins.
type Described struct {
	Text string
	At   time.Time
}

func (d *Described) add(text string, at time.Time) {
	if d.At.IsZero() || !at.Before(d.At) {
		d.Text, d.At = text, at
	}
}

// Plan is what one batch changes. Stores write it in one transaction:
// first the rows, then the moves (which carry history onto rows the batch
// may have just written, adding to them).
type Plan struct {
	// SchemaIDs is the schema each observation was filed under, in order.
	SchemaIDs []string
	// NewSchemas counts schemas the batch created.
	NewSchemas int
	// Schemas are upserted: inserted when New (with Shape's data point
	// attributes as their fields), else their spans widen, counts add and
	// the later description wins.
	Schemas []SchemaWrite
	// CurrentStreams changes each schema's count of current streams.
	CurrentStreams map[string]int
	// Streams are upserted as current members of their schema after the
	// batch: a stream's row on a schema holds its release, scope, the
	// schema's union and description, so that what the planner asks of a
	// stream is one row.
	Streams []StreamWrite
	// Moves mark a stream's membership of From superseded by To, and carry
	// what the stream had on From onto To: its variants, its membership's
	// span and count, its instances' entries and their fields, and its
	// scope. Counts carried add to To's.
	Moves     []Move
	Variants  []VariantWrite
	Producers []ProducerWrite
	Pairs     []PairWrite
	Events    []Event
	Keys      []KeyWrite
	// Costs are the batch's cost rows merged with the stored ones: a
	// store inserts the New ones and replaces the others.
	Costs []CostWrite
}

// SchemaWrite is a schema touched by the batch. Key is its stored key
// (see StoredKey). NameExamples, when there are any, are the span names
// the schema holds after the batch (those it held, and the batch's, at
// most MaxNameExamples): a store replaces what it holds with them, and
// keeps what it holds when there are none.
type SchemaWrite struct {
	ID           string
	Key          string
	Shape        schemaid.Shape
	New          bool
	Description  Described
	Span         Span
	NameExamples []string
}

// StreamWrite is a stream on the schema it is on after the batch. New
// says the stream has no row on that schema yet (a new stream, or one
// moving there), so that a store may insert rather than merge; the same
// goes for the New of VariantWrite and PairWrite.
//
// Key is the stream's stored key, and Errors its spans with status error
// among Span.Count, which add up as the count does.
type StreamWrite struct {
	New         bool
	ID          string
	Key         string
	Stream      Stream
	SchemaID    string
	Union       []schemaid.Attribute
	Description Described
	Span        Span
	Errors      uint64
}

// Move is a stream leaving a schema for the one of its larger union.
type Move struct {
	StreamID, From, To string
	Release            ReleaseIdentity
	Added              []schemaid.Attribute
	At                 time.Time
}

// VariantWrite is a variant seen on a schema through a stream.
type VariantWrite struct {
	New                           bool
	SchemaID, StreamID, VariantID string
	Attributes                    []schemaid.Attribute
	Span                          Span
}

// ProducerWrite is an instance.
type ProducerWrite struct {
	ID       string
	Identity ProducerIdentity
	Span     Span
}

// PairField is a resource or scope field of a (schema, producer) pair.
type PairField struct {
	Source tallycatv1.FieldSource
	Name   string
	Type   tallycatv1.ValueType
}

// PairWrite is a (schema, producer instance) entry. Its Fields are written
// only when WriteFields is set (the set is new or changed); when
// FieldsMayExist is set some of them may be stored already and must not be
// written twice.
type PairWrite struct {
	New bool
	PairKey
	Release        ReleaseIdentity
	Span           Span
	Fields         []PairField
	FieldsHash     uint64
	WriteFields    bool
	FieldsMayExist bool
}

// KeyWrite is the change of one key's summary. Types, Units and SpanKinds
// are the batch's; the store merges them into the stored lists. Type and
// Unit are those of the batch's latest schema and win when its LastSeen is
// the latest. Key is the stored key, Signal and Name what it stands for.
type KeyWrite struct {
	Key                 string
	Signal              schemaid.Signal
	Name                string
	SpanKinds           []schemaid.SpanKind
	Type                tallycatv1.MetricType
	Unit                string
	Types               []tallycatv1.MetricType
	Units               []string
	SchemaDelta         int
	SupersededDelta     int
	ProducerDelta       int
	FirstSeen, LastSeen time.Time
	Description         Described
}
