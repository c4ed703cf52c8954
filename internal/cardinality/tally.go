package cardinality

import (
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Tally counts one attribute's values over the data points an ingest saw
// between two reports: how many distinct values, and, while there are at
// most max and they may be kept, each value with its data points. It costs
// a short search per data point while the field is enum-like and a sketch
// insert after; a value's text is made only the first time it is seen. It
// is 40 bytes and a value 32 more, since the ingest holds one per field of
// every (schema, producer) pair seen since its last report.
type Tally struct {
	max int32
	// State is KEPT while values are counted, TOO_MANY once there were more
	// than max, WITHHELD or NOT_SCALAR when values are never kept.
	State tallycatv1.ExampleValuesState
	// kept are the values, sorted by hash, while State is KEPT.
	kept []keptValue
	// other holds the distinct values in any other state.
	other *Distinct
}

type keptValue struct {
	hash, count uint64
	text        string
}

// NewTally returns a tally that keeps up to max values when keep is set
// and the type is a scalar one.
func NewTally(vt tallycatv1.ValueType, keep bool, max int) Tally {
	t := Tally{max: int32(max), State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT}
	switch {
	case !Scalar(vt):
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_SCALAR
	case !keep:
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD
	}
	return t
}

// Add counts one data point that carried v.
func (t *Tally) Add(v Value) { t.add(v.Hash, 1, v) }

func (t *Tally) add(h, n uint64, v Value) {
	if t.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		t.distinct().Add(h)
		return
	}
	i, found := t.find(h)
	if found {
		t.kept[i].count += n
		return
	}
	if len(t.kept) >= int(t.max) {
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY
		d := t.distinct()
		for _, k := range t.kept {
			d.Add(k.hash)
		}
		d.Add(h)
		t.kept = nil
		return
	}
	text := v.Str
	if v.Type != 0 {
		text = v.Text()
	}
	t.kept = slices.Insert(t.kept, i, keptValue{hash: h, count: n, text: text})
}

// find is where h is or would be in kept: a scan while there are few (the
// usual case: a handful of values), a binary search after.
func (t *Tally) find(h uint64) (int, bool) {
	if len(t.kept) <= 8 {
		for i := range t.kept {
			if t.kept[i].hash >= h {
				return i, t.kept[i].hash == h
			}
		}
		return len(t.kept), false
	}
	return slices.BinarySearchFunc(t.kept, h, func(k keptValue, h uint64) int {
		switch {
		case k.hash < h:
			return -1
		case k.hash > h:
			return 1
		}
		return 0
	})
}

func (t *Tally) distinct() *Distinct {
	if t.other == nil {
		t.other = &Distinct{}
	}
	return t.other
}

// Merge adds what o counted, as if t had counted it.
func (t *Tally) Merge(o *Tally) error {
	if o.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		for _, k := range o.kept {
			t.add(k.hash, k.count, Value{Str: k.text})
		}
		return nil
	}
	if t.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		d := t.distinct()
		for _, k := range t.kept {
			d.Add(k.hash)
		}
		t.kept, t.State = nil, o.State
	}
	return t.distinct().Merge(o.other)
}

// Distinct is the set of distinct values counted.
func (t *Tally) Distinct() Distinct {
	if t.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		if t.other == nil {
			return Distinct{}
		}
		return *t.other
	}
	var d Distinct
	for _, k := range t.kept {
		d.Add(k.hash)
	}
	return d
}

// Values calls fn for each value kept with its data points, in no order.
func (t *Tally) Values(fn func(text string, dataPoints uint64)) {
	for _, k := range t.kept {
		fn(k.text, k.count)
	}
}

// Empty reports whether nothing was counted since the last Reset.
func (t *Tally) Empty() bool { return len(t.kept) == 0 && (t.other == nil || t.other.Empty()) }

// Reset starts a new report, keeping the tally's memory: a field that had
// too many values is given another chance each report, since the catalog
// judges over its whole window anyway.
func (t *Tally) Reset() {
	if t.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY {
		t.State = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT
	}
	clear(t.kept)
	t.kept = t.kept[:0]
	if t.other != nil {
		t.other.Reset()
	}
}
