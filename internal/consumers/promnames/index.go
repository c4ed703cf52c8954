package promnames

import (
	"cmp"
	"slices"
)

// Index holds every Prometheus name the metrics it was built from can be
// exported as. It is read-only once built and safe for concurrent use.
type Index struct {
	metrics []*Metric
	byName  map[string][]*Candidate
	byKey   map[string][]*Candidate
	byStem  map[string][]string // stem -> keys
	schemes []Scheme
	// resource pools every metric's resource attributes: they are
	// target_info's labels.
	resource []Attribute
}

// Candidate is one metric a Prometheus name can come from: its key, unit
// and type, which of its series the name is, and the schemes that give it
// that name.
type Candidate struct {
	Name       string
	Key        string
	Unit       string
	Instrument Instrument
	Series     Series
	Schemes    []Scheme
	metric     *Metric
}

// Attributes are the attribute keys of the candidate's metric.
func (c *Candidate) Attributes() []Attribute { return c.metric.Attributes }

// New builds the index of metrics' Prometheus names.
func New(metrics []Metric, opts Options) *Index {
	ix := &Index{
		byName:  map[string][]*Candidate{},
		byKey:   map[string][]*Candidate{},
		byStem:  map[string][]string{},
		schemes: schemes(opts.Namespaces),
	}
	ix.metrics = merge(metrics)
	seenResource := map[string]bool{}
	for _, m := range ix.metrics {
		for _, a := range m.Attributes {
			if a.Source == Resource && !seenResource[a.Key] {
				seenResource[a.Key] = true
				ix.resource = append(ix.resource, a)
			}
		}
		ix.add(m)
		st := stem(m.Key)
		if !slices.Contains(ix.byStem[st], m.Key) {
			ix.byStem[st] = append(ix.byStem[st], m.Key)
		}
	}
	return ix
}

// merge pools the schemas of one key, unit and type into one metric.
func merge(in []Metric) []*Metric {
	type id struct {
		key, unit  string
		instrument Instrument
		monotonic  bool
	}
	byID := map[id]*Metric{}
	var out []*Metric
	for _, m := range in {
		k := id{m.Key, m.Unit, m.Instrument, m.Monotonic}
		have, ok := byID[k]
		if !ok {
			c := m
			c.Attributes = slices.Clone(m.Attributes)
			byID[k] = &c
			out = append(out, &c)
			continue
		}
		for _, a := range m.Attributes {
			if !slices.Contains(have.Attributes, a) {
				have.Attributes = append(have.Attributes, a)
			}
		}
	}
	return out
}

func (ix *Index) add(m *Metric) {
	type nameSeries struct {
		name   string
		series Series
	}
	found := map[nameSeries]*Candidate{}
	var order []nameSeries
	for _, s := range ix.schemes {
		family := familyName(*m, s)
		if family == "" {
			continue
		}
		for _, series := range seriesOf(m.Instrument) {
			ns := nameSeries{family + series.suffix(), series}
			c, ok := found[ns]
			if !ok {
				c = &Candidate{Name: ns.name, Key: m.Key, Unit: m.Unit, Instrument: m.Instrument, Series: series, metric: m}
				found[ns] = c
				order = append(order, ns)
			}
			c.Schemes = append(c.Schemes, s)
		}
	}
	for _, ns := range order {
		c := found[ns]
		ix.byName[ns.name] = append(ix.byName[ns.name], c)
		ix.byKey[m.Key] = append(ix.byKey[m.Key], c)
	}
}

// Names lists every Prometheus name key can be exported as, one per name
// and series, with the schemes that give it.
func (ix *Index) Names(key string) []Candidate {
	var out []Candidate
	for _, c := range ix.byKey[key] {
		out = append(out, *c)
	}
	return out
}

// Resolution is what a Prometheus name resolves to.
type Resolution struct {
	Name string
	// Candidates are the metrics the name can come from; more than one key
	// among them makes the resolution ambiguous.
	Candidates []Candidate
	// Keys are the candidates' distinct keys, sorted.
	Keys []string
	// TargetInfo is set for `target_info`, which is no metric of its own:
	// its labels are the resource attributes.
	TargetInfo bool
	// Near, when nothing matches, are the keys whose names differ from
	// this one only in unit, type or series suffixes (a unit renamed from
	// ms to s, a dashboard written for `_milliseconds`).
	Near []string
}

// Found reports whether the name resolved to a metric or to target_info.
func (r Resolution) Found() bool { return len(r.Candidates) > 0 || r.TargetInfo }

// Ambiguous reports whether the name can come from more than one metric.
func (r Resolution) Ambiguous() bool { return len(r.Keys) > 1 }

// TargetInfo is the name of the series that carries resource attributes.
const TargetInfo = "target_info"

// Resolve resolves one Prometheus name.
func (ix *Index) Resolve(name string) Resolution {
	r := Resolution{Name: name}
	if name == TargetInfo {
		r.TargetInfo = true
		return r
	}
	for _, c := range ix.byName[name] {
		r.Candidates = append(r.Candidates, *c)
		if !slices.Contains(r.Keys, c.Key) {
			r.Keys = append(r.Keys, c.Key)
		}
	}
	slices.Sort(r.Keys)
	if len(r.Candidates) == 0 {
		r.Near = slices.Clone(ix.byStem[stem(name)])
		slices.Sort(r.Near)
	}
	return r
}

// resolveAll resolves every indexed name that match accepts, for selectors
// that name their metrics by pattern.
func (ix *Index) resolveAll(match func(name string) bool) Resolution {
	var r Resolution
	var names []string
	for name := range ix.byName {
		if match(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, c := range ix.byName[name] {
			r.Candidates = append(r.Candidates, *c)
			if !slices.Contains(r.Keys, c.Key) {
				r.Keys = append(r.Keys, c.Key)
			}
		}
	}
	slices.SortFunc(r.Candidates, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Name, b.Name))
	})
	slices.Sort(r.Keys)
	r.TargetInfo = match(TargetInfo)
	return r
}
