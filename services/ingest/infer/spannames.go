package infer

import (
	"strings"
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
	set.cur[strings.Clone(name)] = struct{}{} // name may view a request
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

// admitKey memoizes, for one request, the limit's answer for a span name
// under a resource, a scope and a kind: spans of one name repeat, and the
// limit is asked once per name and request.
type admitKey struct {
	resource, scope int
	kind            schemaid.SpanKind
	name            string
}

// limitSpanName applies the limit to a span whose header is sh, of resource
// ri and scope si: past it, sh becomes the header of its scope's shape of
// the same kind, and the span's name is returned, to be kept as an example;
// otherwise it returns "". Deciding before the shape is looked up, rather
// than after, keeps names that carry ids from making a shape each.
func (in *Inferrer) limitSpanName(s *scratch, sh *schemaid.Shape, ri, si int) string {
	k := admitKey{resource: ri, scope: si, kind: sh.SpanKind, name: sh.Name}
	ok, seen := s.admitted[k]
	if !seen {
		p, sn := &s.resources[ri].producer, in.names
		key := nameKey{namespace: p.ServiceNamespace, service: p.ServiceName, version: p.ServiceVersion, scope: s.scopes[si].name, kind: sh.SpanKind}
		now := in.now().UnixNano()
		sn.mu.Lock()
		ok = sn.admit(key, sh.Name, now)
		sn.mu.Unlock()
		s.admitted[k] = ok
	}
	if ok {
		return ""
	}
	name := sh.Name
	sh.Name, sh.ByScope = s.scopeSchemaName(si), true
	return name
}

// addExample keeps name among the examples of slot i, up to
// maxNameExamples. It may view the request: finish copies the examples.
// The lists are reused from request to request.
func (s *scratch) addExample(i int, name string) {
	for len(s.examples) <= i {
		if n := len(s.examples); n < cap(s.examples) {
			s.examples = s.examples[:n+1]
			s.examples[n] = s.examples[n][:0]
		} else {
			s.examples = append(s.examples, make([]string, 0, maxNameExamples))
		}
	}
	if len(name) > maxExampleBytes || strings.IndexByte(name, 0) >= 0 {
		return // the API would refuse the whole observation for it
	}
	if len(s.examples[i]) < maxNameExamples && !contains(s.examples[i], name) {
		s.examples[i] = append(s.examples[i], name)
	}
}

// maxExampleBytes is the longest name example the API takes.
const maxExampleBytes = 1024

// ownedExamples copies a slot's examples, which may view the request, for
// the result to keep: one string holds them all.
func ownedExamples(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	all := strings.Join(names, "")
	out := make([]string, len(names))
	for i, n := range names {
		out[i], all = all[:len(n)], all[len(n):]
	}
	return out
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
