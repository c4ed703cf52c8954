package usage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
	"github.com/tallycat/tallycat/internal/consumers/promql"
)

// Options tune the check to the fleet's exporters.
type Options struct {
	// Namespaces are the prefixes exporters add to names (the Collector's
	// prometheus exporter `namespace`, the SDK's WithNamespace).
	Namespaces []string
}

// ownSeries are the series Prometheus writes itself, of a scrape or of
// its alerting: no service sends them, so a query on one is neither
// missing nor a use of anything in the catalog.
var ownSeries = map[string]bool{
	"up": true, "scrape_duration_seconds": true, "scrape_samples_scraped": true,
	"scrape_samples_post_metric_relabeling": true, "scrape_series_added": true,
	"ALERTS": true, "ALERTS_FOR_STATE": true,
}

type attrKey struct {
	key    string
	source promnames.Source
}

// keyUse gathers what the consumers read of one key.
type keyUse struct {
	readers []Reader
	seen    map[Reader]*readerUse
	attrs   map[attrKey][]string // attribute -> the labels naming it
	all     bool
}

// readerUse gathers what one reader reads of one key.
type readerUse struct {
	attrs map[string]bool
	all   bool
}

type checker struct {
	ix       *promnames.Index
	metrics  map[string]*Metric
	order    []string
	recorded map[string]bool
	uses     map[string]*keyUse
	findings []Finding
	stats    Stats
}

// Check resolves every query of cs against metrics, the catalog's current
// metric keys, and returns the findings, what is read of each key, and
// counts.
func Check(cs []consumers.Consumer, metrics []Metric, opts Options) Report {
	c := &checker{metrics: map[string]*Metric{}, recorded: map[string]bool{}, uses: map[string]*keyUse{},
		stats: Stats{Skipped: map[string]int{}}}
	var indexed []promnames.Metric
	for _, m := range metrics {
		have, ok := c.metrics[m.Key]
		if !ok {
			m := m
			m.Schemas = slices.Clone(m.Schemas)
			c.metrics[m.Key], have = &m, &m
			c.order = append(c.order, m.Key)
		} else {
			have.Schemas = append(have.Schemas, m.Schemas...)
		}
		for _, s := range m.Schemas {
			indexed = append(indexed, s.indexed(m.Key))
		}
	}
	c.ix = promnames.New(indexed, promnames.Options{Namespaces: opts.Namespaces})
	// A dashboard on what a recording rule writes reads that rule's
	// output; the rule's own query says what it reads of the catalog.
	for _, con := range cs {
		if con.Kind == consumers.RecordingRule {
			c.recorded[con.Title] = true
		}
	}
	for _, con := range cs {
		c.consumer(con)
	}
	c.stats.Metrics = len(c.order)
	c.stats.UsedMetrics = len(c.uses)
	c.unused()
	sortFindings(c.findings)
	return Report{Findings: c.findings, Used: c.used(), Stats: c.stats}
}

func (s Schema) indexed(key string) promnames.Metric {
	m := promnames.Metric{Key: key, Unit: s.Unit, Instrument: s.Instrument, Monotonic: s.Monotonic, Temporality: s.Temporality}
	for _, f := range s.Fields {
		m.Attributes = append(m.Attributes, promnames.Attribute{Key: f.Key, Source: f.Source})
	}
	return m
}

func (c *checker) add(f Finding) {
	f.Title = Titles[f.ID]
	if f.Level == 0 {
		f.Level = Levels[f.ID]
	}
	c.findings = append(c.findings, f)
}

func (c *checker) consumer(con consumers.Consumer) {
	c.stats.Consumers++
	for typ, n := range con.Skipped {
		c.stats.Skipped[typ] += n
	}
	ref := ConsumerRef{ID: con.ID, Kind: con.Kind, Title: con.Title, Folder: con.Folder, Source: con.Source, UID: con.UID}
	for _, q := range con.Queries {
		c.stats.Queries++
		qref := &QueryRef{Panel: q.Panel, RefID: q.RefID, Path: q.Path, Line: q.Line, Expr: q.Raw}
		if q.Expr != q.Raw {
			qref.Parsed = q.Expr
		}
		if q.Error != "" {
			c.stats.Unparsed++
			c.add(Finding{ID: ConsumerUnparsedQuery, Consumer: &ref, Query: qref, Error: q.Error,
				Message: "does not parse, so what it reads is unknown: " + q.Error})
			reader := Reader{Consumer: ref, Panel: q.Panel, RefID: q.RefID, Path: q.Path}
			for _, key := range possibleKeys(c.ix, q.Raw, q.Expr) {
				c.mayRead(key, reader)
			}
			continue
		}
		c.query(ref, qref, q)
	}
}

// query resolves each selector of one query and judges it; said keeps a
// query from saying one thing twice when two of its selectors read alike.
func (c *checker) query(ref ConsumerRef, qref *QueryRef, q consumers.Query) {
	said := map[string]bool{}
	once := func(f Finding) {
		k := strings.Join([]string{f.ID, f.Metric, f.Key, f.Label}, "\x00")
		if !said[k] {
			said[k] = true
			f.Consumer, f.Query = &ref, qref
			c.add(f)
		}
	}
	reader := Reader{Consumer: ref, Panel: q.Panel, RefID: q.RefID, Path: q.Path}
	for _, sel := range q.Selectors {
		r := c.ix.ResolveSelector(sel)
		var keys []promnames.KeyMatch
		var info *promnames.KeyMatch
		for i := range r.Matches {
			if r.Matches[i].TargetInfo {
				info = &r.Matches[i]
			} else {
				keys = append(keys, r.Matches[i])
			}
		}
		if len(keys) == 0 && info == nil {
			switch {
			case sel.Name != "" && ownSeries[sel.Name]:
				c.stats.OwnSeries++
			case sel.Name != "" && c.recorded[sel.Name]:
				c.stats.Recorded++
			default:
				once(c.missingMetric(sel, r))
			}
			continue
		}
		if !r.Pattern && r.Ambiguous() {
			once(Finding{ID: ConsumerAmbiguousMetric, Selector: sel.Text, Metric: r.Name, Candidates: r.Keys,
				Message: fmt.Sprintf("%s is the name of %d metrics once exported (%s): each is counted as read, neither is chosen",
					r.Name, len(r.Keys), strings.Join(r.Keys, ", "))})
		}
		for _, km := range keys {
			c.read(km, sel, reader)
		}
		for _, f := range c.labels(sel, r, keys, info) {
			once(f)
		}
	}
}

func (c *checker) missingMetric(sel promql.Selector, r promnames.SelectorResolution) Finding {
	f := Finding{ID: ConsumerMissingMetric, Selector: sel.Text, Metric: sel.Name}
	if sel.Name == "" {
		f.Metric = sel.Text
		f.Message = "no metric the catalog holds has a name that " + sel.Text + " matches"
		if r.BadPattern != "" {
			f.Message = fmt.Sprintf("the name pattern %q does not compile, so it matches nothing", r.BadPattern)
		}
		return f
	}
	f.Message = "no current schema sends " + sel.Name
	var near []string
	for _, k := range r.Near {
		n := Near{Key: k, Name: c.nearestName(k, sel.Name)}
		f.Near = append(f.Near, n)
		near = append(near, fmt.Sprintf("%s, sent as %s", n.Key, n.Name))
	}
	switch {
	case len(near) > 0:
		f.Message += "; nearest: " + strings.Join(near, "; ")
	case strings.Contains(sel.Name, ":"):
		f.Message += " (a recording rule's name by convention, and no rule given writes it)"
	}
	return f
}

// nearestName is the name of key closest, by edit distance, to the one a
// query reads: for `x_milliseconds_bucket`, `x_seconds_bucket` rather
// than `x.seconds`.
func (c *checker) nearestName(key, name string) string {
	best, dist := "", -1
	for _, cand := range c.ix.Names(key) {
		if d := editDistance(name, cand.Name); dist < 0 || d < dist {
			best, dist = cand.Name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (c *checker) use(key string) *keyUse {
	u, ok := c.uses[key]
	if !ok {
		u = &keyUse{seen: map[Reader]*readerUse{}, attrs: map[attrKey][]string{}}
		c.uses[key] = u
	}
	return u
}

// read records that a selector reads km: the query as a reader, the
// attributes its labels name, and every attribute when every label
// reaches the result, except those it only drops; for the key and for
// the reader alone.
func (c *checker) read(km promnames.KeyMatch, sel promql.Selector, reader Reader) {
	u := c.use(km.Key)
	ru := u.seen[reader]
	if ru == nil {
		ru = &readerUse{attrs: map[string]bool{}}
		u.seen[reader] = ru
		u.readers = append(u.readers, reader)
	}
	dropped := map[attrKey]bool{}
	for _, lm := range km.Labels {
		uses := needed(lm.Uses)
		for _, a := range lm.Attributes {
			k := attrKey{a.Key, a.Source}
			if len(uses) == 0 {
				dropped[k] = true
				continue
			}
			ru.attrs[a.Key] = true
			if !slices.Contains(u.attrs[k], lm.Label) {
				u.attrs[k] = append(u.attrs[k], lm.Label)
			}
		}
	}
	if !sel.AllLabels {
		return
	}
	if len(dropped) == 0 {
		u.all, ru.all = true, true
	}
	for _, s := range c.metrics[km.Key].Schemas {
		for _, f := range s.Fields {
			k := attrKey{f.Key, f.Source}
			if dropped[k] {
				continue
			}
			ru.attrs[f.Key] = true
			// A query that drops some labels reads the others: listed,
			// as no use of theirs is named, without labels.
			if _, ok := u.attrs[k]; !ok && len(dropped) > 0 {
				u.attrs[k] = nil
			}
		}
	}
}

// Needed lists the keys whose schemas Check must have in full to judge cs
// exactly: every key a selector of cs may read, every key near a name
// none gives, and every key a query that does not parse names. metrics
// may be loose for the others: a caller that knows of a key only its
// units and data types (the catalog's key list) gives a schema per unit
// and type, a sum both monotonic and not, which names at least every
// series the key's real schemas name, so that no key a query reads is
// left out. Fetching the schemas of the needed keys alone spares a
// catalog of thousands of metrics a call per key.
func Needed(cs []consumers.Consumer, metrics []Metric, opts Options) []string {
	var indexed []promnames.Metric
	for _, m := range metrics {
		for _, s := range m.Schemas {
			indexed = append(indexed, s.indexed(m.Key))
		}
	}
	ix := promnames.New(indexed, promnames.Options{Namespaces: opts.Namespaces})
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, con := range cs {
		for _, q := range con.Queries {
			if q.Error != "" {
				for _, k := range possibleKeys(ix, q.Raw, q.Expr) {
					add(k)
				}
			}
			for _, sel := range q.Selectors {
				r := ix.ResolveSelector(sel)
				for _, km := range r.Matches {
					if !km.TargetInfo {
						add(km.Key)
					}
				}
				for _, k := range r.Near {
					add(k)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
