package forward

import (
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// The first data points a pool (or a lone entry) counts after a report are
// logged rather than tallied: a tally is 40 bytes a field, and each value
// it keeps 32 more in a slice of its own, so one data point of a
// five-field shape took 368 bytes of tallies where the log takes 120. One
// data point, or a few, is what every pair holds while the catalog catches
// up with new pairs (up to MaxPending of them, each with its first
// export's data points), and what a pair holds when it is seen once or
// twice between two reports. Past maxLoggedPoints data points the log
// goes into tallies, where repeated values cost nothing more, and a
// report puts it into tallies first (see take), so that what the catalog
// is sent is what tallies counting every data point would say: the log
// only defers the counting.

// maxLoggedPoints is how many data points' values costs log before they
// go into tallies.
const maxLoggedPoints = 4

// maxLoggedFields bounds the fields of a shape whose values are logged:
// which fields keep texts is a bit of a word. Wider shapes are tallied
// from their first data point.
const maxLoggedFields = 64

// loggedValue is a logged field value: its hash and, when the field's
// tally keeps values, its text. The values of fields whose values are
// never kept (on the deny list, not scalar) are logged as their hash
// alone, as their tallies count them.
type loggedValue struct {
	hash uint64
	text string
}

// logging reports whether the costs log their values: their tallies are
// not made yet.
func (c *costs) logging() bool { return c.width > 0 && len(c.fields) == 0 }

// logFits reports whether the values of points more data points fit in
// a log of max data points.
func (c *costs) logFits(points, max int) bool {
	return len(c.log)+points*c.width <= max*c.width
}

// logValues logs the values of data points, width a point, in the order of
// the shape's attributes.
func (c *costs) logValues(vals []cardinality.Value, texts *cardinality.Texts) {
	c.log = slices.Grow(c.log, len(vals)) // not room for eight values when five come
	for i := range vals {
		lv := loggedValue{hash: vals[i].Hash}
		if c.keepsText&(1<<(i%c.width)) != 0 {
			lv.text = texts.Text(&vals[i])()
		}
		c.log = append(c.log, lv)
	}
}

// startLog readies empty costs of a shape's attributes for logging,
// noting which fields' tallies will keep values.
func (f *Forwarder) startLog(c *costs, attrs []schemaid.Attribute) {
	c.keepsText = 0
	for j, a := range attrs {
		if countedField(a) && f.newTally(a).State == tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT {
			c.keepsText |= 1 << j
		}
	}
}

// tally makes the tallies of costs that were logging, for a shape's
// attributes, and counts the logged values into them.
func (f *Forwarder) tally(c *costs, attrs []schemaid.Attribute) {
	f.makeTallies(c, attrs)
	f.tallyLog(c, c.log)
	clear(c.log)
	c.log = c.log[:0]
}

// tallyLog counts logged values into the tallies of c, as count would
// have counted them: a kept value's text is already made, and is given to
// the tally as a string's.
func (f *Forwarder) tallyLog(c *costs, log []loggedValue) {
	for i := range log {
		t := &c.fields[i%c.width]
		if t.State == 0 {
			continue // not counted
		}
		v := cardinality.Value{Hash: log[i].hash, Str: log[i].text, Type: tallycatv1.ValueType_VALUE_TYPE_STRING}
		t.Add(&v, &f.texts)
	}
}
