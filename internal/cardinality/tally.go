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

// Add counts one data point that carried v. A value kept for the first
// time gets its text from texts (which may be nil: a copy of its own).
func (t *Tally) Add(v *Value, texts *Texts) {
	if t.State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
		if i, found := t.find(v.Hash); found {
			t.kept[i].count++
			return
		}
	}
	t.add(v.Hash, 1, texts.Text(v))
}

func (t *Tally) add(h, n uint64, text func() string) {
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
	t.kept = slices.Insert(t.kept, i, keptValue{hash: h, count: n, text: text()})
}

// find is where h is or would be in kept: a binary search, written out
// since it runs for every field of every data point.
func (t *Tally) find(h uint64) (int, bool) {
	k := t.kept
	lo, hi := 0, len(k)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k[m].hash < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(k) && k[lo].hash == h
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
			t.add(k.hash, k.count, func() string { return k.text })
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

// Texts interns the texts of kept values: the same few values ("GET",
// "200", "eu") are kept by many tallies, which then share one string. It is
// bounded; when full it starts over, which only costs copies. Not safe for
// concurrent use.
type Texts struct{ m map[string]string }

// maxTexts bounds the interned texts.
const maxTexts = 1 << 16

// Text returns a function making v's text, interned; a nil Texts makes a
// copy. It is a function so that a value already kept costs nothing.
func (x *Texts) Text(v *Value) func() string {
	return func() string {
		if x == nil {
			return v.Text()
		}
		if x.m == nil {
			x.m = make(map[string]string)
		}
		if v.Type == tallycatv1.ValueType_VALUE_TYPE_STRING {
			if s, ok := x.m[Cut(v.Str)]; ok {
				return s
			}
		}
		s := v.Text()
		if len(x.m) >= maxTexts {
			clear(x.m)
		}
		x.m[s] = s
		return s
	}
}
