// Package cardinality estimates how many distinct values a stream of data
// carries, in memory that does not grow with them, and keeps the values of
// fields that have few: what a metric costs (its series) and which
// attribute drives it. The ingest updates sketches per data point; the
// catalog merges those of every ingest replica. Both use this package, so
// that what one writes the other reads.
package cardinality

import (
	"errors"
	"fmt"

	"github.com/axiomhq/hyperloglog"
)

// Precision is the sketches' precision: 2^14 registers, a relative standard
// error of 1.04/√16384 ≈ 0.81 %. A sketch is sparse (a few bytes a value)
// until it holds enough values to need all its registers (16 KiB).
const Precision = 14

// MaxEncoded bounds an encoded sketch the catalog accepts: a dense sketch of
// Precision with its header is a little over 16 KiB.
const MaxEncoded = 1<<14 + 64

// Sketch is a HyperLogLog++ sketch of 64-bit hashes (axiomhq/hyperloglog:
// sparse representation while small, bias correction, mergeable). Values
// go in as hashes so that the ingest hashes each attribute's bytes once,
// where it reads them.
type Sketch struct{ hll *hyperloglog.Sketch }

// NewSketch returns an empty sketch.
func NewSketch() *Sketch { return &Sketch{hll: hyperloglog.New14()} }

// AddHash adds a value by its hash, which must be uniformly distributed
// (hash/maphash is).
func (s *Sketch) AddHash(h uint64) { s.hll.InsertHash(h) }

// Merge adds every value of o to s: the sketch of the union, as if one
// replica had seen what both saw.
func (s *Sketch) Merge(o *Sketch) error {
	if o == nil {
		return nil
	}
	return s.hll.Merge(o.hll)
}

// Estimate is the estimated number of distinct values added.
func (s *Sketch) Estimate() uint64 { return s.hll.Estimate() }

// MarshalBinary encodes the sketch (sparse sketches stay small).
func (s *Sketch) MarshalBinary() ([]byte, error) { return s.hll.MarshalBinary() }

// ParseSketch decodes an encoded sketch from another process, refusing one
// too large or of another precision: the catalog merges what ingest
// replicas send, and a sketch it cannot merge must be an error that says so.
func ParseSketch(b []byte) (*Sketch, error) {
	if len(b) > MaxEncoded {
		return nil, fmt.Errorf("sketch of %d bytes: at most %d", len(b), MaxEncoded)
	}
	hll := hyperloglog.New14()
	if err := hll.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("sketch: %w", err)
	}
	// Merging refuses another precision: find out now, not at merge time.
	if err := hyperloglog.New14().Merge(hll); err != nil {
		return nil, errors.New("sketch: not of precision 14")
	}
	return &Sketch{hll: hll}, nil
}
