// Package infer turns OTLP metrics, spans and log records into observed
// shapes.
//
// It runs once per data point, span and log record, so the per-item path
// allocates nothing and takes no lock: an item's attribute keys and types are
// encoded into a reused buffer after its metric's (span's, log's) header, and
// that encoding is looked up in a per-request table first and in a shared
// cache, under a lock, only when the request has not seen the shape yet.
//
// There are two ways in. Scan (ScanTraces, ScanLogs) reads protobuf bytes
// directly, touching only what inference needs; Infer (InferTraces,
// InferLogs) reads a decoded request (OTLP/JSON arrives that way). Both feed
// the same builder, and differential fuzz tests hold each scanner to exactly
// what inference on proto.Unmarshal's message gives.
package infer

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// maxCached bounds the shared caches of interned strings and attribute sets,
// and maxShapes the cache of shapes (a few hundred bytes each); a full cache
// is cleared, which costs only recomputation. The forwarder, not this cache,
// remembers which shapes were reported.
const (
	maxCached = 1 << 17
	maxShapes = 1 << 15
)

// shapeInfo is a computed shape: its canonical encoding, variant id and
// normalized form, with strings that belong to it (never to a request
// buffer).
type shapeInfo struct {
	canonical string // also its key in Inferrer.shapes, so stored once
	id        string // the variant id
	shape     schemaid.Shape
}

// Inferrer infers shapes from export requests. It is safe for concurrent use.
type Inferrer struct {
	limits  Limits
	mu      sync.Mutex
	shapes  map[string]*shapeInfo
	strs    map[string]string
	attrSet map[string][]schemaid.Attribute
	seed    maphash.Seed
	pool    sync.Pool
	// results holds *[]ingest.Observation handed back by Recycle, and
	// points the *ingest.Points.
	results sync.Pool
	points  sync.Pool
	track   bool
	// names is the limit of span names (nil: none), and now its clock.
	names *spanNames
	now   func() time.Time
	// slowItems turns the repeat-item fast path off (see repeat.go), for
	// the tests that hold it to the slow path.
	slowItems bool
}

// New returns an Inferrer with empty caches and no limits.
func New() *Inferrer { return NewWithLimits(Limits{}) }

// NewWithLimits returns an Inferrer that refuses data points over limits.
func NewWithLimits(limits Limits) *Inferrer {
	in := &Inferrer{
		limits:  limits,
		shapes:  make(map[string]*shapeInfo),
		strs:    make(map[string]string),
		attrSet: make(map[string][]schemaid.Attribute),
		seed:    maphash.MakeSeed(),
		track:   true,
		names:   newSpanNames(limits),
		now:     time.Now,
	}
	in.pool.New = func() any { return newScratch() }
	return in
}

// aggKey is one observation of a request: a shape under one resource and one
// scope, with one description.
type aggKey struct {
	shape       *shapeInfo
	resource    int
	scope       int
	description string
}

type resourceInfo struct {
	producer ingest.Producer
	attrs    []schemaid.Attribute
	// hash is the XOR of its attributes' hashes, and values[valOff:valEnd]
	// of scratch.resVals their values, in the order of attrs.
	hash           uint64
	valOff, valEnd int
}

type scopeInfo struct {
	name, version string
	attrs         []schemaid.Attribute
	hash          uint64
}

// scratch is the reusable working memory of one request.
type scratch struct {
	attrs     []schemaid.Attribute
	buf       []byte
	local     map[uint64]*shapeInfo
	agg       map[aggKey]int // index into order and counts
	order     []aggKey
	counts    []uint64
	errs      []uint64   // spans with status error, by slot; may be short
	examples  [][]string // span names a by-scope slot took in (views); may be short
	admitted  map[admitKey]bool
	resources []resourceInfo
	scopes    []scopeInfo // of all resources, in order
	res       ingest.Result
	ranges    [][]byte // scanner: field values to visit later
	limit     int      // scanner: the nesting limit in force
	prev      []schemaid.Attribute
	spare     []schemaid.Attribute // scanner: swapped with attrs at each point
	// Cost tracking (see cost.go): the values of the point being read, in
	// the order read, and the XOR of its attributes' hashes; the log of the
	// request's points (observation slot, series hash, values in the order
	// of the shape's attributes); the values of every resource.
	track     bool
	val       cardinality.Value // the scanner's one value being read
	vals      []cardinality.Value
	ptBase    int      // where the values of the point being read start
	khash     []uint64 // the hash of the key at each position of the last point
	khValid   int      // how many of khash belong to this metric's last point
	tmp       []cardinality.Value
	kvx       uint64
	perm      []int32
	ptSlot    []int32
	ptSeries  []uint64
	ptVals    []cardinality.Value
	resVals   []cardinality.Value
	slotStart []int32
	wire      []schemaid.Attribute
	// Spans and logs: the last event name interned, the occurrences of the
	// log record's body and of the map lists in it being read, and the
	// arena the dotted keys of map bodies are written to.
	lastEvent schemaid.EventName
	bodies    [][]byte
	lists     [][]byte
	arena     []byte
	// item is what the span or log record being read counts toward the
	// cost figures (see item_costs.go), and rep the layouts of the
	// request's spans and log records with the shapes they resolved to
	// (see repeat.go).
	item itemCosts
	rep  repeats
}

func newScratch() *scratch {
	return &scratch{local: map[uint64]*shapeInfo{}, agg: map[aggKey]int{}, admitted: map[admitKey]bool{}}
}

func (s *scratch) reset() {
	s.attrs = s.attrs[:0]
	clear(s.local)
	clear(s.agg)
	s.order = s.order[:0]
	s.counts = s.counts[:0]
	clear(s.errs)
	s.errs = s.errs[:0]
	for i := range s.examples {
		clear(s.examples[i]) // they may view the last request
		s.examples[i] = s.examples[i][:0]
	}
	s.examples = s.examples[:0]
	clear(s.admitted)
	s.resources = s.resources[:0]
	s.scopes = s.scopes[:0]
	s.res = ingest.Result{}
	s.vals, s.kvx = s.vals[:0], 0
	s.ptSlot, s.ptSeries, s.ptVals, s.resVals = s.ptSlot[:0], s.ptSeries[:0], s.ptVals[:0], s.resVals[:0]
	s.arena = s.arena[:0]
	s.item.reset()
	s.rep.reset()
}

// metricState is what the builder knows of the metric whose points it is
// reading.
type metricState struct {
	shape       schemaid.Shape
	description string
	header      int // length of the canonical header in scratch.buf
	resource    int
	scope       int
	// last remembers the previous point's shape (its attributes are in
	// scratch.prev) and slot its count (index+1 into scratch.counts; 0: not
	// looked up): points of one metric nearly always repeat the same keys in
	// the same order, and then cost no lookup at all.
	last *shapeInfo
	slot int
	// perm maps the position of an attribute as read to its position in
	// last's attributes (cost tracking).
	perm     []int32
	identity bool
}

// beginMetric validates a metric's name and data kind and encodes its header.
// It returns false (having recorded why) when the metric's points must be
// refused.
func (in *Inferrer) beginMetric(s *scratch, m *metricState, points int) bool {
	if m.shape.Type == tallycatv1.MetricType_METRIC_TYPE_UNSPECIFIED {
		s.res.Reject(0, "metric %q has no data (none of gauge, sum, histogram, exponential histogram, summary is set)", m.shape.Name)
		return false
	}
	if m.shape.Name == "" {
		s.res.Reject(int64(points), "a %s metric has no name", schemaid.MetricTypeToken(m.shape.Type))
		return false
	}
	if !schemaid.HasTemporality(m.shape.Type) {
		m.shape.Temporality = tallycatv1.Temporality_TEMPORALITY_UNSPECIFIED
	}
	if !schemaid.HasMonotonic(m.shape.Type) {
		m.shape.Monotonic = false
	}
	s.buf = schemaid.AppendCanonicalHeader(s.buf[:0], &m.shape)
	m.header = len(s.buf)
	s.res.DataPoints += int64(points)
	if points == 0 {
		// A metric without data points still declares its name, type and
		// unit: it is kept as the shape with no attributes.
		in.observe(s, m, nil, 0)
	}
	return true
}

// point counts one data point of the current metric, unless it breaks a
// limit, in which case it is refused with the reason.
func (in *Inferrer) point(s *scratch, m *metricState, attrs []schemaid.Attribute) {
	if max := in.limits.MaxAttributes; max > 0 && len(attrs) > max {
		s.unread()
		s.res.DataPoints--
		s.res.Reject(1, "metric %q: a data point has %d attributes; the limit is %d", clip(m.shape.Name), len(attrs), max)
		return
	}
	if max := in.limits.MaxKeyBytes; max > 0 {
		for _, a := range attrs {
			if len(a.Key) > max {
				s.unread()
				s.res.DataPoints--
				s.res.Reject(1, "metric %q: a data point has an attribute key of %d bytes; the limit is %d", clip(m.shape.Name), len(a.Key), max)
				return
			}
		}
	}
	in.observe(s, m, attrs, 1)
}

// clip shortens a name for an error message.
func clip(s string) string {
	if len(s) > 128 {
		return s[:128] + "…"
	}
	return s
}

// observe counts n data points with attributes attrs of the current metric.
// attrs may be changed (sorted) and may hold strings that point into the
// request: nothing here keeps them.
func (in *Inferrer) observe(s *scratch, m *metricState, attrs []schemaid.Attribute, n uint64) {
	info := m.last
	if info == nil || !slices.Equal(attrs, s.prev) {
		s.prev = append(s.prev[:0], attrs...)
		attrs = schemaid.NormalizeAttributes(attrs)
		s.buf = schemaid.AppendCanonicalAttributes(s.buf[:m.header], attrs)
		h := maphash.Bytes(in.seed, s.buf)
		info = s.local[h]
		if info == nil || info.canonical != string(s.buf) {
			info = in.lookup(s.buf)
			s.local[h] = info
		}
		m.last, m.slot = info, 0
		if s.track {
			s.perm = positions(s.perm, info.shape.Attributes, s.prev)
			m.perm, m.identity = s.perm, identity(s.perm, len(info.shape.Attributes))
		}
	}
	if m.slot == 0 {
		k := aggKey{shape: info, resource: m.resource, scope: m.scope, description: m.description}
		i, ok := s.agg[k]
		if !ok {
			k.description = in.intern(m.description)
			i = len(s.order)
			s.order = append(s.order, k)
			s.counts = append(s.counts, 0)
			s.agg[k] = i
		}
		m.slot = i + 1
	}
	s.counts[m.slot-1] += n
	if s.track && n == 1 {
		s.record(m, info)
	}
}

// lookup returns the shared shapeInfo of a canonical encoding, computing it
// on first sight with its own copies of every string.
func (in *Inferrer) lookup(canonical []byte) *shapeInfo {
	in.mu.Lock()
	defer in.mu.Unlock()
	if info := in.shapes[string(canonical)]; info != nil {
		return info
	}
	if len(in.shapes) >= maxShapes {
		clear(in.shapes)
	}
	// The shape's strings are views of its canonical encoding, which the
	// cache keeps anyway: a shape costs one string and one slice.
	c := string(canonical)
	sh, err := schemaid.ParseCanonical(c)
	if err != nil {
		panic("infer: a canonical encoding made here does not parse: " + err.Error())
	}
	info := &shapeInfo{canonical: c, id: schemaid.String(schemaid.Sum(canonical)), shape: sh}
	in.shapes[info.canonical] = info
	return info
}

// intern returns a string equal to s that the Inferrer owns, so that what
// leaves a request never points into its buffer, and repeats cost nothing.
func (in *Inferrer) intern(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.strs[s]; ok {
		return v
	}
	if len(in.strs) >= maxCached {
		clear(in.strs)
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

// internAttributes returns a normalized attribute set the Inferrer owns.
// attrs is sorted in place; s.buf is used as scratch.
func (in *Inferrer) internAttributes(s *scratch, attrs []schemaid.Attribute) []schemaid.Attribute {
	if len(attrs) == 0 {
		return nil
	}
	attrs = schemaid.NormalizeAttributes(attrs)
	s.buf = schemaid.AppendCanonicalAttributes(s.buf[:0], attrs)
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.attrSet[string(s.buf)]; ok {
		return v
	}
	if len(in.attrSet) >= maxCached {
		clear(in.attrSet)
	}
	v := make([]schemaid.Attribute, len(attrs))
	for i, a := range attrs {
		v[i] = schemaid.Attribute{Key: strings.Clone(a.Key), Type: a.Type}
	}
	in.attrSet[string(s.buf)] = v
	return v
}

// internProducer returns p with strings the Inferrer owns.
func (in *Inferrer) internProducer(p ingest.Producer) ingest.Producer {
	return ingest.Producer{
		ServiceName: in.intern(p.ServiceName), ServiceNamespace: in.intern(p.ServiceNamespace),
		ServiceVersion: in.intern(p.ServiceVersion), ServiceInstanceID: in.intern(p.ServiceInstanceID),
	}
}

// Recycle gives back the observations of a result once the caller is done
// with them, for a later request to reuse: they are the one allocation of a
// request, a dozen kilobytes at the yardstick's size. Calling it is optional.
func (in *Inferrer) Recycle(res ingest.Result) {
	if p := res.Points; p != nil && cap(p.Values) <= 1<<20 {
		clear(p.Values) // they view request buffers
		clear(p.Resource)
		in.points.Put(p)
	}
	obs := res.Observations
	if cap(obs) == 0 || cap(obs) > 1<<16 {
		return
	}
	clear(obs[:cap(obs)])
	obs = obs[:0]
	in.results.Put(&obs)
}

// finish turns the request's aggregation into the result.
func (in *Inferrer) finish(s *scratch) ingest.Result {
	res := s.res
	if p, _ := in.results.Get().(*[]ingest.Observation); p != nil && cap(*p) >= len(s.order) {
		res.Observations = (*p)[:len(s.order)]
	} else {
		res.Observations = make([]ingest.Observation, len(s.order))
	}
	for i, k := range s.order {
		r, sc := &s.resources[k.resource], &s.scopes[k.scope]
		res.Observations[i] = ingest.Observation{
			VariantID: k.shape.id, Shape: k.shape.shape, Canonical: k.shape.canonical, Description: k.description,
			Producer: r.producer, ScopeName: sc.name, ScopeVersion: sc.version,
			ResourceAttributes: r.attrs, ScopeAttributes: sc.attrs,
			DataPoints: s.counts[i],
		}
		if i < len(s.errs) {
			res.Observations[i].Errors = s.errs[i]
		}
		if i < len(s.examples) {
			res.Observations[i].NameExamples = ownedExamples(s.examples[i])
		}
		res.Observations[i].RecordBytes = s.recordBytes(i)
	}
	if s.track {
		in.finishPoints(s, &res)
	}
	return res
}

// finishPoints hands the request's log of points to the result, sorted by
// observation, with each observation's resource values.
func (in *Inferrer) finishPoints(s *scratch, res *ingest.Result) {
	pts, _ := in.points.Get().(*ingest.Points)
	if pts == nil {
		pts = &ingest.Points{}
	}
	pts.Resource = append(pts.Resource[:0], s.resVals...)
	s.points(pts, res.Observations)
	for i, k := range s.order {
		r := &s.resources[k.resource]
		res.Observations[i].ResourceValues = pts.Resource[r.valOff:r.valEnd:r.valEnd]
	}
	res.Points = pts
}

// grow returns b with length n, reusing its memory when it has enough.
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}
