package usage

import (
	"fmt"
	"slices"

	"github.com/tallycat/tallycat/internal/consumers/promnames"
	"github.com/tallycat/tallycat/internal/consumers/promql"
)

// needed lists the uses that need the label to be there: a label only
// dropped (`without`) or not matched on (`ignoring`) changes nothing when
// no series carries it.
func needed(uses []promql.Use) []string {
	var out []string
	for _, u := range uses {
		if u != promql.UseWithout && u != promql.UseIgnoring {
			out = append(out, string(u))
		}
	}
	return out
}

// labels judges the labels a selector needs: on one key, each label no
// attribute gives, or gives only sometimes; on several keys (a pattern,
// an ambiguous name), the labels none of them gives, said once; on
// target_info, the labels no resource attribute gives.
func (c *checker) labels(sel promql.Selector, r promnames.SelectorResolution, keys []promnames.KeyMatch, info *promnames.KeyMatch) []Finding {
	var out []Finding
	name := r.Name
	if name == "" {
		name = sel.Text
	}
	switch {
	case len(keys) == 1:
		km := keys[0]
		for _, lm := range km.Labels {
			uses := needed(lm.Uses)
			if len(uses) == 0 {
				continue
			}
			if lm.Missing() {
				out = append(out, Finding{ID: ConsumerMissingAttribute, Selector: sel.Text, Metric: name, Key: km.Key, Label: lm.Label, Uses: uses,
					Message: fmt.Sprintf("%s %s, which no attribute of %s gives", verb(uses), lm.Label, km.Key)})
				continue
			}
			if lm.Exporter {
				continue
			}
			if attr, how, ok := c.sometimes(km, lm); ok {
				out = append(out, Finding{ID: ConsumerMissingAttribute, Level: Improvement, Selector: sel.Text, Metric: name, Key: km.Key,
					Label: lm.Label, Uses: uses, Attribute: attr,
					Message: fmt.Sprintf("%s %s (%s), which %s carries %s: the series without it drop out", verb(uses), lm.Label, attr, km.Key, how)})
			}
		}
	case len(keys) > 1:
		var candidates []string
		for _, km := range keys {
			candidates = append(candidates, km.Key)
		}
		for i, lm := range keys[0].Labels {
			uses := needed(lm.Uses)
			if len(uses) == 0 {
				continue
			}
			missing := true
			for _, km := range keys {
				if !km.Labels[i].Missing() {
					missing = false
					break
				}
			}
			if missing {
				out = append(out, Finding{ID: ConsumerMissingAttribute, Selector: sel.Text, Metric: name, Candidates: candidates,
					Label: lm.Label, Uses: uses,
					Message: fmt.Sprintf("%s %s, which none of the %d metrics it reads gives", verb(uses), lm.Label, len(candidates))})
			}
		}
	}
	if info != nil {
		for _, lm := range info.Labels {
			if uses := needed(lm.Uses); len(uses) > 0 && lm.Missing() {
				out = append(out, Finding{ID: ConsumerMissingAttribute, Selector: sel.Text, Metric: promnames.TargetInfo,
					Key: promnames.TargetInfo, Label: lm.Label, Uses: uses,
					Message: fmt.Sprintf("reads target_info %s %s, which no resource attribute the catalog holds gives", verbOn(uses), lm.Label)})
			}
		}
	}
	return out
}

// verbOn is verb after the selector's name: "target_info filtered on".
func verbOn(uses []string) string {
	switch uses[0] {
	case string(promql.UseFilter):
		return "filtered on"
	case string(promql.UseBy):
		return "grouped by"
	case string(promql.UseOn):
		return "joined on"
	case string(promql.UseInclude):
		return "copying"
	}
	return "read for"
}

// verb says how a query uses a label, for a message.
func verb(uses []string) string {
	switch uses[0] {
	case string(promql.UseFilter):
		return "filters on"
	case string(promql.UseBy):
		return "groups by"
	case string(promql.UseOn):
		return "joins on"
	case string(promql.UseInclude):
		return "copies"
	}
	return "reads"
}

// sometimes reports whether the attributes a label can be are each
// carried only sometimes by the schemas the selector's names read (those
// of the names' units and types): missing from some of them, or sent on
// only part of their data points. It returns the attribute and how often.
func (c *checker) sometimes(km promnames.KeyMatch, lm promnames.LabelMatch) (string, string, bool) {
	type shape struct {
		unit string
		in   promnames.Instrument
	}
	read := map[shape]bool{}
	for _, n := range km.Names {
		read[shape{n.Unit, n.Instrument}] = true
	}
	var schemas []Schema
	for _, s := range c.metrics[km.Key].Schemas {
		if read[shape{s.Unit, s.Instrument}] {
			schemas = append(schemas, s)
		}
	}
	if len(schemas) == 0 || len(lm.Attributes) == 0 {
		return "", "", false
	}
	var how string
	for _, a := range lm.Attributes {
		absent, partial := 0, 0
		var ratio float64
		for _, s := range schemas {
			i := slices.IndexFunc(s.Fields, func(f Field) bool { return f.Key == a.Key && f.Source == a.Source })
			switch {
			case i < 0:
				absent++
			case s.Fields[i].Sometimes:
				partial++
				ratio = s.Fields[i].SeenRatio
			}
		}
		if absent == 0 && partial == 0 {
			return "", "", false // one attribute giving the label is always there
		}
		if how != "" {
			continue
		}
		of := "data points"
		if a.Source != promnames.DataPoint {
			of = "producer instances"
		}
		switch {
		case absent > 0:
			how = fmt.Sprintf("in %d of its %d schemas only", len(schemas)-absent, len(schemas))
		case len(schemas) == 1:
			how = fmt.Sprintf("on %.0f %% of its %s only", ratio*100, of)
		default:
			how = fmt.Sprintf("on part of the %s of %d of its %d schemas only", of, partial, len(schemas))
		}
	}
	return lm.Attributes[0].Key, how, true
}
