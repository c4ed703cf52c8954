package cardinality

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// MaxExact is how many distinct hashes a Distinct holds as themselves
// before it turns into a sketch. Most sets stay that small (one series per
// instance, a status code's handful of values), and then they are exact and
// cost 8 bytes a value instead of a sketch's hundred and sixty at least.
const MaxExact = 64

// Distinct is a set of value hashes: exact while it holds at most MaxExact
// of them, a HyperLogLog++ sketch after. The zero value is an empty set.
type Distinct struct {
	exact  []uint64 // sorted, while sketch is nil
	sketch *Sketch
}

// Add adds a value by its hash.
func (d *Distinct) Add(h uint64) {
	if d.sketch != nil {
		d.sketch.AddHash(h)
		return
	}
	i, found := slices.BinarySearch(d.exact, h)
	if found {
		return
	}
	if len(d.exact) < MaxExact {
		d.exact = slices.Insert(d.exact, i, h)
		return
	}
	d.toSketch()
	d.sketch.AddHash(h)
}

func (d *Distinct) toSketch() {
	d.sketch = NewSketch()
	for _, h := range d.exact {
		d.sketch.AddHash(h)
	}
	d.exact = nil
}

// Merge adds every value of o to d.
func (d *Distinct) Merge(o *Distinct) error {
	if o == nil {
		return nil
	}
	if o.sketch == nil {
		for _, h := range o.exact {
			d.Add(h)
		}
		return nil
	}
	if d.sketch == nil {
		d.toSketch()
	}
	return d.sketch.Merge(o.sketch)
}

// Estimate is the number of distinct values: exact while few.
func (d *Distinct) Estimate() uint64 {
	if d.sketch != nil {
		return d.sketch.Estimate()
	}
	return uint64(len(d.exact))
}

// Empty reports whether nothing was added.
func (d *Distinct) Empty() bool { return d.sketch == nil && len(d.exact) == 0 }

// Reset empties the set, keeping its memory while it is exact.
func (d *Distinct) Reset() {
	d.exact, d.sketch = d.exact[:0], nil
}

// Wire is the set as the Distinct message carries it: the hashes while
// exact, else the encoded sketch.
func (d *Distinct) Wire() (hashes []uint64, sketch []byte, err error) {
	if d.sketch == nil {
		return slices.Clone(d.exact), nil, nil
	}
	sketch, err = d.sketch.MarshalBinary()
	return nil, sketch, err
}

// DistinctFromWire is the set a Distinct message carries. An error says
// what is wrong with the sketch.
func DistinctFromWire(hashes []uint64, sketch []byte) (Distinct, error) {
	var d Distinct
	if len(sketch) > 0 {
		if len(hashes) > 0 {
			return Distinct{}, errors.New("distinct values: both hashes and a sketch")
		}
		sk, err := ParseSketch(sketch)
		if err != nil {
			return Distinct{}, err
		}
		d.sketch = sk
		return d, nil
	}
	for _, h := range hashes {
		d.Add(h)
	}
	return d, nil
}

// Encoding tags of MarshalBinary.
const (
	tagExact  = 1
	tagSketch = 2
)

// MarshalBinary encodes the set for storage: a tag byte, then the hashes
// (8 bytes each, little-endian) or the sketch.
func (d *Distinct) MarshalBinary() ([]byte, error) {
	if d.sketch != nil {
		b, err := d.sketch.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return append([]byte{tagSketch}, b...), nil
	}
	b := make([]byte, 1, 1+8*len(d.exact))
	b[0] = tagExact
	for _, h := range d.exact {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded.
func (d *Distinct) UnmarshalBinary(b []byte) error {
	if len(b) == 0 {
		*d = Distinct{}
		return nil
	}
	switch b[0] {
	case tagExact:
		if (len(b)-1)%8 != 0 || (len(b)-1)/8 > MaxExact {
			return fmt.Errorf("distinct values: %d bytes of hashes", len(b)-1)
		}
		*d = Distinct{}
		for i := 1; i < len(b); i += 8 {
			d.Add(binary.LittleEndian.Uint64(b[i:]))
		}
		return nil
	case tagSketch:
		sk, err := ParseSketch(b[1:])
		if err != nil {
			return err
		}
		*d = Distinct{sketch: sk}
		return nil
	}
	return fmt.Errorf("distinct values: unknown encoding %d", b[0])
}
