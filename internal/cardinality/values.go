package cardinality

import (
	"cmp"
	"slices"
	"unicode/utf8"
)

// DefaultMaxValues is how many distinct values a field may have and still
// count as enum-like, whose values are kept as examples.
const DefaultMaxValues = 100

// MaxValueBytes cuts longer string values: an example needs no more.
const MaxValueBytes = 256

// Values keeps the values of a field with how many data points carried
// each, as long as there are at most Max of them; past that the field is
// not enum-like and keeps none (Overflowed), whatever comes after. Its
// memory is bounded by Max values of at most MaxValueBytes.
type Values struct {
	Max        int
	counts     map[string]uint64
	overflowed bool
}

// NewValues returns an empty set keeping at most max values.
func NewValues(max int) *Values { return &Values{Max: max, counts: map[string]uint64{}} }

// Add counts n data points that carried value.
func (v *Values) Add(value string, n uint64) {
	if v.overflowed {
		return
	}
	value = Cut(value)
	if _, ok := v.counts[value]; !ok && len(v.counts) >= v.Max {
		v.overflow()
		return
	}
	v.counts[value] += n
}

func (v *Values) overflow() {
	v.overflowed = true
	clear(v.counts)
}

// Merge adds o's values, as if v had seen what o saw.
func (v *Values) Merge(o *Values) {
	if o == nil {
		return
	}
	if o.overflowed {
		v.overflow()
		return
	}
	for value, n := range o.counts {
		v.Add(value, n)
	}
}

// Overflowed reports whether the field had more than Max values.
func (v *Values) Overflowed() bool { return v.overflowed }

// Share is a value and the share of the data points that carried it.
type Share struct {
	Value      string
	DataPoints uint64
	Share      float64
}

// Shares lists the values, most data points first (then by value), or
// nothing when the field overflowed.
func (v *Values) Shares() []Share {
	var total uint64
	for _, n := range v.counts {
		total += n
	}
	out := make([]Share, 0, len(v.counts))
	for value, n := range v.counts {
		s := Share{Value: value, DataPoints: n}
		if total > 0 {
			s.Share = float64(n) / float64(total)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Share) int {
		return cmp.Or(cmp.Compare(b.DataPoints, a.DataPoints), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// Cut shortens a value to at most MaxValueBytes without splitting a UTF-8
// character.
func Cut(s string) string {
	if len(s) <= MaxValueBytes {
		return s
	}
	i := MaxValueBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
