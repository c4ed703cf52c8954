package infer

import (
	"sync"
	"time"

	"github.com/tallycat/tallycat/internal/schemaid"
)

// The limit of distinct span names. A span name that embeds an id (GET
// /users/123) would make a schema per id; past a limit of new names per
// release, scope and span kind in a window (Limits.MaxSpanNames), the spans
// of further names are counted under one schema of the scope and kind,
// grouped by scope, with some of the names as examples. A name keeps its
// own schema while it is used at least once a window; the limit is on the
// names a window adds, so that a service whose real names outgrow the
// limit gets them over the next windows, while one that puts ids in names
// adds at most the limit of schemas a window, plus the scope's.
//
// The limit is kept by each ingest replica in memory: with several replicas
// behind a load balancer, each admits up to the limit, so a release may
// get up to that many times more names. The memory is bounded (see
// maxNamesRemembered and maxNameKeys).

// DefaultSpanNameWindow is the window of Limits.MaxSpanNames when
// Limits.SpanNameWindow is zero.
const DefaultSpanNameWindow = time.Hour

// Bounds of what the limit remembers: the names across every release,
// scope and kind, and the (release, scope, kind) keys. When the names are
// at their bound, no new name is admitted until windows pass; when the keys
// are, the keys of past windows are forgotten, and failing that all of
// them, which restarts every key's count.
const (
	maxNamesRemembered = 1 << 18
	maxNameKeys        = 1 << 14
)

// nameKey is what the limit counts names per: a release, a scope, a kind.
type nameKey struct {
	namespace, service, version, scope string
	kind                               schemaid.SpanKind
}

// nameSet is one key's names: those used in the current window and in the
// one before, and how many names the current window added.
type nameSet struct {
	start     int64
	cur, prev map[string]struct{}
	added     int
}

// spanNames is the limit's memory, shared by the requests of an Inferrer.
type spanNames struct {
	max    int
	window int64

	mu    sync.Mutex
	keys  map[nameKey]*nameSet
	names int // the names in every set's cur and prev
}

func newSpanNames(l Limits) *spanNames {
	if l.MaxSpanNames <= 0 {
		return nil
	}
	w := l.SpanNameWindow
	if w <= 0 {
		w = DefaultSpanNameWindow
	}
	return &spanNames{max: l.MaxSpanNames, window: int64(w), keys: map[nameKey]*nameSet{}}
}

// admit reports whether name keeps a schema of its own under k at now
// (unix nanoseconds), remembering it if so. The caller holds sn.mu.
func (sn *spanNames) admit(k nameKey, name string, now int64) bool {
	set := sn.keys[k]
	if set == nil {
		if len(sn.keys) >= maxNameKeys {
			sn.prune(now)
		}
		set = &nameSet{start: now, cur: map[string]struct{}{}}
		sn.keys[k] = set
	}
	if elapsed := now - set.start; elapsed >= sn.window {
		sn.names -= len(set.prev)
		set.prev = set.cur
		if elapsed >= 2*sn.window {
			sn.names -= len(set.prev)
			set.prev = nil
		}
		set.cur, set.added, set.start = map[string]struct{}{}, 0, now
	}
	if _, ok := set.cur[name]; ok {
		return true
	}
	_, known := set.prev[name]
	if !known && set.added >= sn.max || sn.names >= maxNamesRemembered {
		return false
	}
	if !known {
		set.added++
	}
	set.cur[name] = struct{}{}
	sn.names++
	return true
}

// prune forgets the keys no name was admitted under for two windows, or,
// when that frees nothing, every key.
func (sn *spanNames) prune(now int64) {
	for k, set := range sn.keys {
		if now-set.start >= 2*sn.window {
			sn.names -= len(set.cur) + len(set.prev)
			delete(sn.keys, k)
		}
	}
	if len(sn.keys) >= maxNameKeys {
		clear(sn.keys)
		sn.names = 0
	}
}

// limitSpanNames applies the limit to a request's span observations:
// those whose names are past it are moved to the shape grouped by their
// scope, with the same kind and attributes, and observations that meet
// there are merged, their names kept as examples.
func (in *Inferrer) limitSpanNames(s *scratch) {
	sn := in.names
	now := in.now().UnixNano()
	moved := false
	sn.mu.Lock()
	for i, k := range s.order {
		sh := &k.shape.shape
		if sh.Signal != schemaid.Span || sh.ByScope {
			continue
		}
		p, scope := &s.resources[k.resource].producer, s.scopes[k.scope].name
		key := nameKey{namespace: p.ServiceNamespace, service: p.ServiceName, version: p.ServiceVersion, scope: scope, kind: sh.SpanKind}
		if sn.admit(key, sh.Name, now) {
			continue
		}
		for len(s.examples) <= i {
			s.examples = append(s.examples, nil)
		}
		// A new slice: the result hands it out, and keeps it past the
		// request.
		s.examples[i] = []string{sh.Name}
		s.order[i].shape = in.byScope(s, k.shape, k.scope)
		moved = true
	}
	sn.mu.Unlock()
	if moved {
		s.mergeSlots()
	}
}

// byScope is the shape of info's span grouped by the scope si.
func (in *Inferrer) byScope(s *scratch, info *shapeInfo, si int) *shapeInfo {
	sh := schemaid.Shape{Signal: schemaid.Span, Name: s.scopeSchemaName(si), SpanKind: info.shape.SpanKind, ByScope: true}
	s.buf = schemaid.AppendCanonicalHeader(s.buf[:0], &sh)
	s.buf = schemaid.AppendCanonicalAttributesFor(s.buf, schemaid.Span, info.shape.Attributes)
	return in.lookup(s.buf)
}

// mergeSlots merges the slots of s.order that are one observation, adding
// their counts and errors and keeping up to maxNameExamples of their
// names, in the order of the first slot of each.
func (s *scratch) mergeSlots() {
	clear(s.agg)
	for len(s.errs) < len(s.order) {
		s.errs = append(s.errs, 0)
	}
	for len(s.examples) < len(s.order) {
		s.examples = append(s.examples, nil)
	}
	n := 0
	for i, k := range s.order {
		j, ok := s.agg[k]
		if !ok {
			s.agg[k] = n
			s.order[n], s.counts[n], s.errs[n], s.examples[n] = k, s.counts[i], s.errs[i], s.examples[i]
			n++
			continue
		}
		s.counts[j] += s.counts[i]
		s.errs[j] += s.errs[i]
		for _, name := range s.examples[i] {
			if len(s.examples[j]) < maxNameExamples && !contains(s.examples[j], name) {
				s.examples[j] = append(s.examples[j], name)
			}
		}
	}
	s.order, s.counts, s.errs, s.examples = s.order[:n], s.counts[:n], s.errs[:n], s.examples[:n]
}

// maxNameExamples is how many span names an observation grouped by scope
// carries, as the API allows.
const maxNameExamples = 10

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
