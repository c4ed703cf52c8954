package conformance

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Findings keeps the findings of every current schema: judged in full at
// start and again every interval (presence, example values and cardinality
// change as data arrives, so a schema's findings can change without its
// id changing), and a metric's again whenever someone asks for it, so that
// a schema page shows what is true now. Reads never wait for a judging.
type Findings struct {
	Store catalog.Store
	Judge Judge
	// OnNew, when set, is called after each full judging but the first with
	// the findings the one before did not have, for example to send them
	// as events. The one before may be a stored judging (see Run): a
	// restart does not announce again what was known, and announces what
	// appeared while no replica judged.
	OnNew func([]Finding)

	mu     sync.RWMutex
	all    []Finding // sorted: level, key, schema, id, attribute
	groups []Group   // all, grouped as people read them (see Group)
	keys   map[string]keyFacts
	// judged is when the full judging served began reading the catalog,
	// to the microsecond as a store keeps it; zero before there is one.
	judged time.Time
	// rejudged is when each key RefreshKeys judged since that judging
	// was judged again (see adoptStored).
	rejudged map[string]time.Time
	// config is the fingerprint of the configuration that judging was
	// judged under (see Judge.fingerprint).
	config string
	// judging is held by whatever replaces the findings: a judging, in
	// full or of keys, or serving a stored one.
	judging sync.Mutex
	// total is how many keys the last full judging judged.
	total int
}

// bulkShare is the share of the catalog's keys (one in bulkShare) past
// which RefreshKeys judges the whole catalog instead. Judging a key alone
// reads its schemas one at a time, each with a day of figures (GetSchema);
// a full judging reads the catalog in pages. A burst of new keys, such as a
// release whose span names went past the limit or a first flush of a large
// fleet, took over ten seconds judged key by key on a busy two-core
// machine (489 keys), while the whole catalog of a thousand keys is judged
// in well under one.
const bulkShare = 100

// keyFacts is what the summary needs of one metric key.
type keyFacts struct {
	// self is set when every release producing the key now is TallyCat's
	// own (catalog.IsSelf), which a summary may leave out.
	self       bool
	defined    bool
	schemas    int // current ones
	attributes int // distinct data point attributes of its current schemas
	definedAt  int // of which the registries define
	dataPoints uint64
}

// FindingFilter selects findings; zero fields select everything.
type FindingFilter struct {
	// SchemaKey is a stored key (see catalog.StoredKey).
	SchemaKey string
	// Signals keeps the findings on keys of these signals.
	Signals     []schemaid.Signal
	SchemaID    string
	ServiceName string
	// MinLevel keeps findings at this level or more severe.
	MinLevel   tallycatv1.FindingLevel
	FindingIDs []string
	// ExcludeSelf leaves TallyCat's own releases (catalog.IsSelf) out of
	// what a finding concerns, and so the findings that concern nothing
	// else: what the catalog and the ingest report of themselves is not
	// what a team came to judge.
	ExcludeSelf bool
	Offset      int
	Limit       int
}

// Refresh judges every current schema and replaces the findings. It reads
// the catalog in bulk (see eachJudging), not a key at a time. When this
// replica leads, it stores what it found for the others (see Run).
func (x *Findings) Refresh(ctx context.Context) error {
	x.judging.Lock()
	defer x.judging.Unlock()
	start := time.Now().UTC().Truncate(time.Microsecond)
	var (
		byKey [][]Finding // joined once at the end: 100k schemas give 400k findings
		n     int
	)
	keys := map[string]keyFacts{}
	total := 0
	err := eachJudging(ctx, x.Store, func(k catalog.JudgingKey) error {
		total++
		if !catalog.IsMetricKey(k.Key) {
			found := x.judgeSignal(k.Key, k.Schemas)
			byKey, n = append(byKey, found), n+len(found)
			return nil
		}
		found, facts := x.judge(k.Key, k.Schemas)
		byKey, keys[k.Key], n = append(byKey, found), facts, n+len(found)
		return nil
	})
	if err != nil {
		return err
	}
	all := make([]Finding, 0, n)
	for _, found := range byKey {
		all = append(all, found...)
	}
	sortFindings(all)
	groups := groupFindings(all)
	x.mu.Lock()
	before, first := x.all, x.judged.IsZero()
	config := x.Judge.fingerprint()
	x.all, x.groups, x.keys, x.judged, x.total, x.rejudged, x.config = all, groups, keys, start, total, nil, config
	x.mu.Unlock()
	x.save(ctx, judging{at: start, config: config, all: all, keys: keys, total: total})
	if x.OnNew != nil && !first {
		if fresh := newSince(before, all); len(fresh) > 0 {
			x.OnNew(fresh)
		}
	}
	return nil
}

// RefreshKeys judges some metric keys again and puts their findings in
// place of the ones they had, telling OnNew of what is new: what follows a
// new schema costs that metric's judging, not the catalog's. Before there
// is a full judging to serve it serves the stored one, or makes one (see
// catchUp), and it makes one instead when the keys are more than a
// bulkShare-th of the catalog's: then the bulk read is the cheaper way to
// judge them. A replica that does not lead makes such a judging for
// itself, and does not store it.
func (x *Findings) RefreshKeys(ctx context.Context, keys []string) error {
	if x.servedAt().IsZero() {
		if judged, err := x.catchUp(ctx); judged || err != nil {
			return err
		}
	}
	x.mu.RLock()
	total := x.total
	x.mu.RUnlock()
	if len(keys)*bulkShare > total {
		return x.Refresh(ctx)
	}
	x.judging.Lock()
	defer x.judging.Unlock()
	start := time.Now().UTC()
	found := map[string][]Finding{}
	facts := map[string]keyFacts{}
	for _, k := range keys {
		f, kf, err := x.judgeKey(ctx, k)
		if err != nil {
			return err
		}
		found[k], facts[k] = f, kf
	}
	// Only a judging changes all and keys, and this one holds judging: read
	// them, and build what replaces them, without keeping readers waiting.
	x.mu.RLock()
	before, had, rejudged := x.all, x.keys, x.rejudged
	x.mu.RUnlock()
	all, merged := replaceKeys(before, had, found, facts)
	groups := groupFindings(all)
	again := make(map[string]time.Time, len(rejudged)+len(keys))
	for k, at := range rejudged {
		again[k] = at
	}
	var fresh []Finding
	for _, k := range keys {
		fresh = append(fresh, found[k]...)
		again[k] = start
	}
	x.mu.Lock()
	x.all, x.groups, x.keys, x.rejudged = all, groups, merged, again
	x.mu.Unlock()
	if x.OnNew != nil {
		if fresh = newSince(before, fresh); len(fresh) > 0 {
			x.OnNew(fresh)
		}
	}
	return nil
}

// replaceKeys puts the findings and facts of some keys in place of those
// they have in all and keys, and returns the results, sorted; the inputs
// are left as they are. A key whose facts count no schema is gone.
func replaceKeys(all []Finding, keys map[string]keyFacts, found map[string][]Finding, facts map[string]keyFacts) ([]Finding, map[string]keyFacts) {
	out := make([]Finding, 0, len(all))
	for _, f := range all {
		if _, again := found[f.SchemaKey]; !again {
			out = append(out, f)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(found)) {
		out = append(out, found[k]...)
	}
	sortFindings(out)
	merged := make(map[string]keyFacts, len(keys)+len(facts))
	for k, v := range keys {
		merged[k] = v
	}
	for k, v := range facts {
		if v.schemas == 0 {
			delete(merged, k) // no current schema: the key is gone
			continue
		}
		merged[k] = v
	}
	return out, merged
}

// judgeKey reads and judges a key's current schemas. Only a metric key's
// facts count in the summary: the summary speaks of metrics.
func (x *Findings) judgeKey(ctx context.Context, key string) ([]Finding, keyFacts, error) {
	judged, err := loadKey(ctx, x.Store, key)
	if err != nil {
		return nil, keyFacts{}, err
	}
	if !catalog.IsMetricKey(key) {
		return x.judgeSignal(key, judged), keyFacts{}, nil
	}
	found, facts := x.judge(key, judged)
	return found, facts, nil
}

// judgeSignal judges a span's or a log's key (see Judge.SpanKey and
// Judge.LogKey).
func (x *Findings) judgeSignal(key string, judged []catalog.Judged) []Finding {
	switch sig, _ := catalog.ParseStoredKey(key); sig {
	case schemaid.Span:
		return x.Judge.SpanKey(judged)
	case schemaid.Log:
		return x.Judge.LogKey(judged)
	}
	return nil
}

// judge judges a metric key's current schemas, and sums up what the
// summary needs of the key.
func (x *Findings) judge(key string, judged []catalog.Judged) ([]Finding, keyFacts) {
	_, defined := x.Judge.Registry.Metric(key)
	facts := keyFacts{defined: defined, schemas: len(judged), self: len(judged) > 0}
	attrs := map[string]bool{}
	for _, j := range judged {
		if len(j.Releases) == 0 || slices.ContainsFunc(j.Releases, func(r catalog.ReleaseIdentity) bool { return !r.IsSelf() }) {
			facts.self = false
		}
		facts.dataPoints += j.Schema.DataPoints
		for _, f := range j.Schema.Fields {
			if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT && !attrs[f.Name] {
				attrs[f.Name] = true
				facts.attributes++
				if x.Judge.defines(key, f.Name) {
					facts.definedAt++
				}
			}
		}
	}
	return x.Judge.Key(judged), facts
}

// loadKey reads what judging and exporting a metric key need: its current
// schemas in detail (example values and cardinality over the last day, and
// the releases producing each).
func loadKey(ctx context.Context, store catalog.Store, key string) ([]catalog.Judged, error) {
	schemas, err := store.ListSchemas(ctx, key, false)
	if err != nil {
		return nil, err
	}
	judged := make([]catalog.Judged, 0, len(schemas))
	for _, s := range schemas {
		d, err := store.GetSchema(ctx, s.ID, judgingWindow)
		if err != nil {
			return nil, err
		}
		j := catalog.Judged{Schema: d.Schema}
		for _, r := range d.Releases {
			if r.SupersededBy == "" {
				j.Releases = append(j.Releases, r.ReleaseIdentity)
			}
		}
		judged = append(judged, j)
	}
	return judged, nil
}

// judgingWindow is the window of the figures judging reads: example values
// and distinct values over the last day (high cardinality is the last
// hour's whatever the window).
const judgingWindow = tallycatv1.Window_WINDOW_LAST_DAY

// judgingPage is how many metric keys eachJudging reads at a time: each
// page's reads scan their tables once, so a page should be large; its rows
// are held until it is judged, so not too large (25,000 schemas in the
// benchmark catalog, whose keys have ten each).
const judgingPage = 2500

// eachJudging calls fn with every metric key of the store, in name order,
// with what judging it needs, as loadKey reads it. The registries define
// metrics, and what judges a metric (a missing_metric finding, its unit
// and instrument) means nothing for a span or a log event, so only a
// metric key's fields get their cost figures; fn decides what it judges
// of the others. It reads the keys' schemas a page
// at a time (ListJudging), and the cost figures of their fields from one
// read of every active stream's cost rows (ReadFieldCosts). The cost rows
// and the first page are read at once, and each next page while fn works
// on the one before: the reads wait on the database, the judging on the
// CPU.
func eachJudging(ctx context.Context, store catalog.Store, fn func(catalog.JudgingKey) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		costs    catalog.FieldCosts
		costsErr error
		costsIn  = make(chan struct{})
	)
	go func() {
		defer close(costsIn)
		costs, costsErr = store.ReadFieldCosts(ctx, judgingWindow)
	}()
	type page struct {
		keys []catalog.JudgingKey
		err  error
	}
	pages := make(chan page) // one page read ahead, no more: each is 25,000 schemas
	go func() {
		defer close(pages)
		for after := ""; ; {
			keys, err := store.ListJudging(ctx, after, judgingPage)
			select {
			case pages <- page{keys, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(keys) < judgingPage { // a short page is the last
				return
			}
			after = keys[len(keys)-1].Key
		}
	}()
	<-costsIn
	if costsErr != nil {
		return costsErr
	}
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		for _, k := range p.keys {
			for i := range k.Schemas {
				if !catalog.IsMetricKey(k.Key) {
					break
				}
				if err := costs.Apply(&k.Schemas[i].Schema); err != nil {
					return err
				}
			}
			if err := fn(k); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// Export writes every key's current schemas, metrics', spans' and log
// events', as a registry (see ExportRegistry), referring to the built-in
// semantic conventions' attributes where they define them.
func (x *Findings) Export(ctx context.Context) ([]RegistryFile, error) {
	builtin, err := semconv.Builtin()
	if err != nil {
		return nil, err
	}
	var keys []ExportKey
	err = eachJudging(ctx, x.Store, func(k catalog.JudgingKey) error {
		keys = append(keys, ExportKey(k))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ExportRegistry(keys, builtin)
}

// newSince lists the findings of now that were not among before, a finding
// being its schema, id and attribute.
func newSince(before, now []Finding) []Finding {
	type id struct{ schema, finding, attribute string }
	had := make(map[id]bool, len(before))
	for _, f := range before {
		had[id{f.SchemaID, f.ID, f.Attribute}] = true
	}
	var out []Finding
	for _, f := range now {
		if !had[id{f.SchemaID, f.ID, f.Attribute}] {
			out = append(out, f)
		}
	}
	return out
}

// defines reports whether the registries define an attribute of a metric.
func (j Judge) defines(metric, attribute string) bool {
	if m, ok := j.Registry.Metric(metric); ok {
		if _, ok := m.Attribute(attribute); ok {
			return true
		}
	}
	_, ok := j.Registry.Attribute(attribute)
	return ok
}

// sortFindings orders findings most severe first, then by metric, schema,
// id and attribute.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), strings.Compare(a.SchemaKey, b.SchemaKey), strings.Compare(a.SchemaID, b.SchemaID),
			strings.Compare(a.ID, b.ID), strings.Compare(a.Attribute, b.Attribute))
	})
}

// List returns the findings that pass the filter, a page of them, and how
// many pass in all, one per schema (see Groups for them as people read
// them). A filter naming a metric or a schema judges that metric afresh
// first.
func (x *Findings) List(ctx context.Context, f FindingFilter) ([]Finding, int, error) {
	pool, _, err := x.pool(ctx, f, false)
	if err != nil {
		return nil, 0, err
	}
	var out []Finding
	for _, fd := range pool {
		if f.pass(fd) {
			out = append(out, fd)
		}
	}
	return page(out, f)
}

// page is the filter's page of what passes it, and how many pass.
func page[T any](all []T, f FindingFilter) ([]T, int, error) {
	total := len(all)
	all = all[min(f.Offset, total):]
	if f.Limit > 0 && len(all) > f.Limit {
		all = all[:f.Limit]
	}
	return all, total, nil
}

// pool is what a filter selects from: the findings of the metric or the
// schema it names, judged afresh, or else the last full judging's (judged
// now when there was none yet); and, when grouped is asked, the same
// grouped.
func (x *Findings) pool(ctx context.Context, f FindingFilter, grouped bool) ([]Finding, []Group, error) {
	if key := f.SchemaKey; key != "" || f.SchemaID != "" {
		if key == "" {
			s, err := x.Store.GetSchemas(ctx, f.SchemaID)
			if err != nil {
				return nil, nil, err
			}
			if len(s) == 0 {
				return nil, nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", f.SchemaID)
			}
			key = s[0].Key
		}
		found, _, err := x.judgeKey(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		sortFindings(found)
		if grouped {
			return found, groupFindings(found), nil
		}
		return found, nil, nil
	}
	x.mu.RLock()
	all, groups, judged := x.all, x.groups, x.judged
	x.mu.RUnlock()
	if judged.IsZero() {
		// Nothing judged yet (the first full judging is still running, or
		// there is none in this process): serve the stored judging, or
		// judge now rather than say all is well.
		if _, err := x.catchUp(ctx); err != nil {
			return nil, nil, err
		}
		x.mu.RLock()
		all, groups = x.all, x.groups
		x.mu.RUnlock()
	}
	return all, groups, nil
}

// pass reports whether a finding passes the filter.
func (f FindingFilter) pass(fd Finding) bool {
	switch {
	case f.SchemaID != "" && fd.SchemaID != f.SchemaID:
		return false
	case f.MinLevel != tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED && fd.Level > f.MinLevel:
		return false
	case len(f.FindingIDs) > 0 && !slices.Contains(f.FindingIDs, fd.ID):
		return false
	case len(f.Signals) > 0 && !slices.Contains(f.Signals, fd.Signal()):
		return false
	case f.ServiceName != "" && !slices.ContainsFunc(fd.Producers, func(r catalog.ReleaseIdentity) bool { return r.ServiceName == f.ServiceName }):
		return false
	case f.ExcludeSelf && onlySelf(fd.Producers):
		return false
	}
	return true
}

// onlySelf reports whether every release of a finding's is TallyCat's
// own; a finding that names none is not.
func onlySelf(rs []catalog.ReleaseIdentity) bool {
	return len(rs) > 0 && !slices.ContainsFunc(rs, func(r catalog.ReleaseIdentity) bool { return !r.IsSelf() })
}
