package cardinality

import (
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Tally counts one attribute's values over the data points an ingest saw
// between two reports: how many distinct values, and, while there are at
// most Max and they may be kept, each value with its data points. It costs
// one binary search per data point while the field is enum-like and one
// sketch insert after; a value's text is made only the first time it is
// seen.
type Tally struct {
	max int
	// State is KEPT while values are counted, TOO_MANY once there were more
	// than max, WITHHELD or NOT_SCALAR when values are never kept.
	State tallycatv1.ExampleValuesState
	// While KEPT, the values sorted by hash, with their counts and texts.
	hashes []uint64
	counts []uint64
	texts  []string
	// Otherwise, the distinct values.
	distinct Distinct
}

// NewTally returns a tally that keeps up to max values when keep is set
// and the type is a scalar one.
func NewTally(vt tallycatv1.ValueType, keep bool, max int) Tally {
	t := Tally{max: max, State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT}
	switch {
	case !Scalar(vt):
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_SCALAR
	case !keep:
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD
	}
	return t
}

// Add counts one data point that carried v.
func (t *Tally) Add(v Value) {
	if t.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		t.distinct.Add(v.Hash)
		return
	}
	i, found := slices.BinarySearch(t.hashes, v.Hash)
	if found {
		t.counts[i]++
		return
	}
	if len(t.hashes) >= t.max {
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY
		for _, h := range t.hashes {
			t.distinct.Add(h)
		}
		t.distinct.Add(v.Hash)
		t.hashes, t.counts, t.texts = nil, nil, nil
		return
	}
	t.hashes = slices.Insert(t.hashes, i, v.Hash)
	t.counts = slices.Insert(t.counts, i, 1)
	t.texts = slices.Insert(t.texts, i, v.Text())
}

// Distinct is the set of distinct values counted.
func (t *Tally) Distinct() Distinct {
	if t.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		return t.distinct
	}
	var d Distinct
	for _, h := range t.hashes {
		d.Add(h)
	}
	return d
}

// Values calls fn for each value kept with its data points, in no order.
func (t *Tally) Values(fn func(text string, dataPoints uint64)) {
	for i, text := range t.texts {
		fn(text, t.counts[i])
	}
}

// Empty reports whether nothing was counted since the last Reset.
func (t *Tally) Empty() bool { return len(t.hashes) == 0 && t.distinct.Empty() }

// Reset starts a new report: a field that was enum-like may be again, and
// one that had too many values is given another chance each report, since
// the catalog decides over its whole window anyway.
func (t *Tally) Reset() {
	if t.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY {
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT
	}
	t.hashes, t.counts, t.texts = t.hashes[:0], t.counts[:0], t.texts[:0]
	clear(t.texts[:cap(t.texts)])
	t.distinct.Reset()
}
