package usage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// unused says what no consumer reads: each key no selector resolved to,
// and each data point attribute of a read key that no query on it uses.
// Only data point attributes are judged: a resource attribute is shared by
// every metric of its producer, and dropping it is not the key's to do.
func (c *checker) unused() {
	for _, key := range c.order {
		m := c.metrics[key]
		cost := m.Cost
		u, read := c.uses[key]
		if !read {
			c.add(Finding{ID: UnusedMetric, Key: key, Cost: &cost,
				Message: "no dashboard or rule reads it" + costPhrase(cost)})
			continue
		}
		if u.all {
			continue
		}
		var attrs []string
		for _, s := range m.Schemas {
			for _, f := range s.Fields {
				if f.Source != promnames.DataPoint || slices.Contains(attrs, f.Key) {
					continue
				}
				if _, ok := u.attrs[attrKey{f.Key, f.Source}]; !ok {
					attrs = append(attrs, f.Key)
				}
			}
		}
		slices.Sort(attrs)
		for _, a := range attrs {
			f := Finding{ID: UnusedAttribute, Key: key, Attribute: a, Cost: &cost,
				Message: fmt.Sprintf("none of the %d queries that read %s uses it", len(u.readers), key)}
			if saved, of := seriesSaved(m.Schemas, a); saved > 0 {
				f.SeriesSaved = saved
				f.Message += fmt.Sprintf("; dropping it would save about %d of its %d series "+
					"(estimated from the sketches of its distinct values, taking attributes as independent of each other)", saved, of)
			}
			c.add(f)
		}
	}
}

// seriesSaved estimates how many series dropping the data point attribute
// attr from a key's schemas saves, and of how many: per schema that
// carries it, with S series and D distinct values of attr, the series
// left are about ceil(S / D), so S - ceil(S / D) are saved. That assumes
// attr independent of the other attributes (every value of it met with
// every combination of theirs); an attribute that follows another one
// (a status code and its class) saves fewer, down to none. A schema
// without figures (Series or Distinct 0) adds nothing.
func seriesSaved(schemas []Schema, attr string) (saved, of uint64) {
	for _, s := range schemas {
		i := slices.IndexFunc(s.Fields, func(f Field) bool { return f.Key == attr && f.Source == promnames.DataPoint })
		if i < 0 || s.Series == 0 {
			continue
		}
		of += s.Series
		d := s.Fields[i].Distinct
		if d <= 1 {
			continue
		}
		left := (s.Series + d - 1) / d
		if left < s.Series {
			saved += s.Series - left
		}
	}
	return saved, of
}

func costPhrase(c Cost) string {
	if c.Series == 0 && c.DataPointsPerMinute == 0 {
		return ""
	}
	out := fmt.Sprintf("; %d series, %.1f data points a minute", c.Series, c.DataPointsPerMinute)
	if c.MonthlyCost != nil {
		out += fmt.Sprintf(", %.2f a month", *c.MonthlyCost)
	}
	if c.Window != "" {
		out += " (" + c.Window + ")"
	}
	return out
}

// byCost orders costs dearest first: by series, then by data point rate.
func byCost(a, b Cost) int {
	return cmp.Or(cmp.Compare(b.Series, a.Series), cmp.Compare(b.DataPointsPerMinute, a.DataPointsPerMinute))
}

// sortFindings orders findings for people and for CI diffs alike: the
// consumers' findings by source (a file, a dashboard's URL), in the order
// their consumers and queries were met there, then the unused metrics dearest first, then the unused
// attributes by their metric's cost.
func sortFindings(fs []Finding) {
	group := func(f Finding) int {
		switch f.ID {
		case UnusedMetric:
			return 1
		case UnusedAttribute:
			return 2
		}
		return 0
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := cmp.Compare(group(a), group(b)); c != 0 {
			return c
		}
		if group(a) == 0 {
			return cmp.Compare(a.Consumer.Source, b.Consumer.Source)
		}
		return cmp.Or(byCost(*a.Cost, *b.Cost), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Attribute, b.Attribute))
	})
}

// used lists what is read of each key, by key.
func (c *checker) used() []KeyUse {
	var out []KeyUse
	for key, u := range c.uses {
		ku := KeyUse{Key: key, Readers: u.readers, AllAttributes: u.all, Cost: c.metrics[key].Cost}
		for _, r := range u.readers {
			ru := u.seen[r]
			use := ReaderUse{AllAttributes: ru.all}
			for a := range ru.attrs {
				use.Attributes = append(use.Attributes, a)
			}
			slices.Sort(use.Attributes)
			ku.ReaderUses = append(ku.ReaderUses, use)
		}
		for k, labels := range u.attrs {
			ku.Attributes = append(ku.Attributes, AttributeUse{Attribute: k.key, Source: k.source.String(), Labels: labels})
		}
		slices.SortFunc(ku.Attributes, func(a, b AttributeUse) int {
			return cmp.Or(cmp.Compare(a.Attribute, b.Attribute), cmp.Compare(a.Source, b.Source))
		})
		out = append(out, ku)
	}
	slices.SortFunc(out, func(a, b KeyUse) int { return strings.Compare(a.Key, b.Key) })
	return out
}
