package forward

import (
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// Cost figures: what the data points of a release's instances carried
// since the figures were last reported (their distinct series, each
// attribute's distinct values and, while few, the values), sent with one
// of the release's reports and started afresh (see pools.go).
// A span or a log record is a data point of its shape and is counted the
// same way, by one code, with two differences: it has no series, and only
// some of its fields are counted (see countedField).

// ValuesPolicy says which attribute values may leave the ingest as
// examples: attribute values can carry personal data.
type ValuesPolicy struct {
	// Keep turns the keeping of values on; off, fields are only counted.
	Keep bool
	// Deny lists keys whose values are never kept, only counted.
	Deny cardinality.DenyList
	// Max is how many distinct values a field may have and still have them
	// kept (enum-like); past it the field keeps none.
	Max int
}

// DefaultValuesPolicy keeps up to cardinality.DefaultMaxValues values of
// fields off cardinality.DefaultDeny.
func DefaultValuesPolicy() ValuesPolicy {
	deny, err := cardinality.NewDenyList(cardinality.DefaultDeny)
	if err != nil {
		panic(err) // the defaults are valid patterns
	}
	return ValuesPolicy{Keep: true, Deny: deny, Max: cardinality.DefaultMaxValues}
}

// costs is what the data points of one pool (or one lone entry) carried
// since it was last reported: the distinct series, and a tally per data
// point attribute of its variant, in the order of the shape's attributes,
// the zero Tally for a field not counted. The first data points' values
// are logged instead, and go into the tallies later (see costlog.go).
type costs struct {
	series cardinality.Distinct
	fields []cardinality.Tally // none while logging
	width  int                 // the shape's attributes
	// log holds the logged values, width a data point; keepsText has bit
	// j set when field j's tally keeps values, so that its texts are
	// logged.
	log       []loggedValue
	keepsText uint64
}

// maxSpareCosts bounds the costs kept for reuse, and maxSpareLog the
// logged values whose memory a spare keeps.
const (
	maxSpareCosts = 4096
	maxSpareLog   = 32
)

// count adds what an observation's data points (spans, log records)
// carried to its entry's figures (its pool's, or its own while lone),
// keeps one of its series as the entry's witness (a lone entry too, for
// when its figures are handed over to a pool), and keeps its producer's
// resource values.
func (f *Forwarder) count(k key, e *entry, o *ingest.Observation) {
	if len(o.ResourceValues) > 0 {
		k.producer.resource(o.ResourceValues)
	}
	n := len(o.Shape.Attributes)
	if len(o.Series) == 0 && (n == 0 || len(o.Values) == 0) {
		return // tracking off, or a span or log shape without fields
	}
	figs := e.figuresOf()
	c := *figs
	if c == nil || c.width != n {
		c = f.newCosts(o.Shape.Attributes)
		*figs = c
	}
	if e.witness == 0 && len(o.Series) > 0 {
		e.witness = o.Series[0]
	}
	for _, h := range o.Series {
		c.series.Add(h)
	}
	if n == 0 {
		return
	}
	if c.logging() {
		points := len(o.Values) / n
		if c.logFits(points, f.loggedPoints) {
			c.logValues(o.Values[:points*n], &f.texts)
			return
		}
		f.tally(c, o.Shape.Attributes)
	}
	for p := 0; p+n <= len(o.Values); p += n {
		vals := o.Values[p : p+n]
		for j := range vals {
			if t := &c.fields[j]; t.State != 0 {
				t.Add(&vals[j], &f.texts)
			}
		}
	}
}

// countedField reports whether a shape field's values are counted: a
// metric data point's, a span's or a log record's own attributes and a log
// record's severity fields. A log record's body never is (inference reads
// no value of it, and here none would be counted if it did): its values
// may be personal data. Nor are a span event's or a link's attributes: a
// span carries any number of events and links, so their values are not
// one per span, and a field's figures do not say which event they are of.
func countedField(a schemaid.Attribute) bool {
	return a.Source == schemaid.Own || a.Source == schemaid.Severity
}

// newCosts returns empty costs for a variant's attributes, reusing spare
// ones (see recycle). They log their first data points' values, unless
// the shape is too wide to.
func (f *Forwarder) newCosts(attrs []schemaid.Attribute) *costs {
	var c *costs
	if n := len(f.spareCosts); n > 0 {
		c, f.spareCosts = f.spareCosts[n-1], f.spareCosts[:n-1]
	} else {
		c = &costs{}
	}
	c.width, c.fields, c.log = len(attrs), c.fields[:0], c.log[:0]
	if len(attrs) > maxLoggedFields {
		f.makeTallies(c, attrs)
	} else {
		f.startLog(c, attrs)
	}
	return c
}

// makeTallies makes the empty tallies of costs for a shape's attributes.
func (f *Forwarder) makeTallies(c *costs, attrs []schemaid.Attribute) {
	// Exactly as many tallies as fields: appending one by one would leave
	// a five-field shape's in room for eight, 120 bytes more on every
	// pair holding figures.
	c.fields = slices.Grow(c.fields[:0], len(attrs))
	for _, a := range attrs {
		if !countedField(a) {
			c.fields = append(c.fields, cardinality.Tally{})
			continue
		}
		c.fields = append(c.fields, f.newTally(a))
	}
}

// newTally is an empty tally of a counted field.
func (f *Forwarder) newTally(a schemaid.Attribute) cardinality.Tally {
	return cardinality.NewTally(a.Type, f.keeps(a.Key), f.cfg.Values.Max)
}

// recycle keeps costs that were reported for another pool to reuse, with
// the memory of their series and of a short log, but not their tallies:
// the costs that reuse them log first, and most are reported before they
// need tallies, so a spare's tallies and the values they kept would be
// held, unused, by a pair that only logs (370 bytes of a five-field
// shape's, on every new pair made while reports come back).
func (f *Forwarder) recycle(c *costs) {
	if c == nil || len(f.spareCosts) >= maxSpareCosts {
		return
	}
	c.series.Reset()
	c.fields = nil
	if cap(c.log) > maxSpareLog {
		c.log = nil
	}
	clear(c.log)
	c.log = c.log[:0]
	f.spareCosts = append(f.spareCosts, c)
}

// giveBack merges the costs of a batch that was not delivered into the
// figures of the entry they were taken for (its pool's, which may have
// been made since, or its own), so that nothing counted is lost, and makes
// them due with the next report.
func (f *Forwarder) giveBack(e *entry, c *costs) {
	if c == nil {
		return
	}
	if e.pool != nil {
		e.pool.reportedAt = 0
	}
	figs := e.figuresOf()
	have := *figs
	if have == nil || have.width != c.width {
		f.recycle(have)
		*figs = c
		return
	}
	// c was tallied when it was taken (see take); have may be logging the
	// values counted since, and then c's tallies count them too and take
	// its place.
	if have.logging() {
		f.tallyLog(c, have.log)
		_ = c.series.Merge(&have.series)
		f.recycle(have)
		*figs = c
		return
	}
	_ = have.series.Merge(&c.series)
	for i := range c.fields {
		if c.fields[i].State != 0 && have.fields[i].State != 0 {
			_ = have.fields[i].Merge(&c.fields[i])
		}
	}
	f.recycle(c)
}

// keeps reports whether the values of key may be kept, remembering the
// answer: the deny list's globs are matched once per key.
func (f *Forwarder) keeps(key string) bool {
	if !f.cfg.Values.Keep {
		return false
	}
	keep, ok := f.keepKey[key]
	if !ok {
		keep = !f.cfg.Values.Deny.Denies(key)
		if len(f.keepKey) >= 1<<16 {
			clear(f.keepKey)
		}
		f.keepKey[key] = keep
	}
	return keep
}

// resource keeps a producer's resource values, as hashes: they are the
// same on every data point of the producer, so the producer, not each of
// its entries, holds them.
func (p *producerRef) resource(vals []cardinality.Value) {
	if len(p.res) != len(vals) {
		p.res = make([]uint64, len(vals))
	}
	for i, v := range vals {
		p.res[i] = v.Hash
	}
}

// figures writes into a message the pool's costs it carries, if any, and
// its producer's resource figures (see resourceFigures): a metric's series
// and data point fields, a span's or a log's counted fields, each under
// its own source (SPAN, LOG_RECORD, SEVERITY), which the message's keys
// already carry.
func figures(msg *tallycatv1.Observation, c *costs, resource []*tallycatv1.FieldFigures) error {
	if c != nil {
		if msg.Signal == tallycatv1.Signal_SIGNAL_UNSPECIFIED {
			d, err := distinctMessage(&c.series)
			if err != nil {
				return err
			}
			msg.Series = d
		}
		for j := range c.fields {
			t := &c.fields[j]
			if t.State == 0 {
				continue // not counted
			}
			a := msg.DataPointAttributes[j]
			src := a.Source
			if src == tallycatv1.FieldSource_FIELD_SOURCE_UNSPECIFIED {
				src = tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT // a metric's
			}
			dist := t.Distinct()
			d, err := distinctMessage(&dist)
			if err != nil {
				return err
			}
			ff := &tallycatv1.FieldFigures{
				Source: src, Key: a.Name, ValueType: a.ValueType,
				Distinct: d, ValuesState: t.State,
			}
			t.Values(func(text string, n uint64) {
				ff.Values = append(ff.Values, &tallycatv1.ValueCount{Value: text, DataPoints: n})
			})
			msg.Fields = append(msg.Fields, ff)
		}
	}
	msg.Fields = append(msg.Fields, resource...)
	return nil
}

// resourceFigures is the figures of a producer's resource values res
// under its resource attribute keys: one value each, withheld. The hashes
// are copied: the producer's are overwritten by its next data points
// while the message may still be on its way.
func resourceFigures(keys []*tallycatv1.AttributeKey, res []uint64) []*tallycatv1.FieldFigures {
	out := make([]*tallycatv1.FieldFigures, len(keys))
	hashes := slices.Clone(res)
	for i, a := range keys {
		out[i] = &tallycatv1.FieldFigures{
			Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, Key: a.Name, ValueType: a.ValueType,
			Distinct:    &tallycatv1.Distinct{Hashes: hashes[i : i+1 : i+1]},
			ValuesState: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD,
		}
	}
	return out
}

func distinctMessage(d *cardinality.Distinct) (*tallycatv1.Distinct, error) {
	hashes, sketch, err := d.Wire()
	if err != nil {
		return nil, err
	}
	return &tallycatv1.Distinct{Hashes: hashes, Sketch: sketch}, nil
}
