package infer

import (
	"encoding/binary"
	"slices"
	"unsafe"

	"github.com/tallycat/tallycat/internal/schemaid"
)

// The repeat-item fast path of spans and log records. An instrumentation
// sets a span's attributes in the same order every time, and a logger call
// site its record's: the spans of one name and kind, and the records of one
// event name, nearly always carry the same keys, of the same types, in the
// same order, whatever their values. Resolving an item's shape from its
// attributes means sorting them (otelhttp sets a dozen, not in key order),
// encoding them canonically and hashing the encoding, which was about half
// of a span's scanning. So the scratch remembers, for each header (resource,
// scope, name, span kind, grouping) seen in a request, the last few
// attribute layouts read under it, each exactly as read (source, event,
// key, value type, in order, before any sorting), with the shape and slot it
// resolved to. An item whose layout is equal
// to a remembered one gets that shape without sorting, encoding or hashing.
//
// It is exact, not a heuristic: an item's shape is a function of its header
// after the span name limit, of the limits and of its layout, nothing else,
// so two items with equal headers and layouts in one request resolve to the
// same shape and slot. The limit's verdict on a name holds for a request
// (it is memoized per request anyway): a header is remembered once the
// limit has admitted its name, and the spans of names past the limit share
// their scope's header and layouts. An item that a limit may
// refuse (a key too long, more attributes than allowed) never takes the
// fast path: it goes the slow path, which refuses it before the span name
// limit counts its name. The memory lives in the request's scratch,
// because the layouts view the request's bytes and the slots number the
// request's observations; the first item of each layout in a request
// resolves its shape the slow way, with the shared caches as before.

// repeatWays is how many layouts are remembered per header: a span name
// has a layout for success and one for failure (error.type, an exception
// event), and a logger's records without an event name, all under their
// scope's header, a few.
const repeatWays = 4

// repeatKey is an item's header in a request, before the span name limit.
type repeatKey struct {
	resource, scope int32
	kind            schemaid.SpanKind
	byScope         bool
	name            string // may view the request
}

// repeatEntry is what the request remembers of a header: the block of
// layouts of its shape, -1 until an item of it is counted. A span header
// has one only when the span name limit admits its name: the spans of the
// names past it, which an id in the name makes new in every span, are
// remembered under their scope's header, and a name past the limit asks the
// limit again (its memo answers) rather than adding one entry per id.
type repeatEntry struct {
	block int32
}

// repeatWay is one layout remembered under a header and what it resolved
// to: the shape, the slot of the request's observation, and where each of
// the item's counted fields lies among the shape's fields (see
// itemCounted).
type repeatWay struct {
	layout []schemaid.Attribute // as read; may view the request
	info   *shapeInfo           // nil: nothing resolved (refused, or unused)
	slot   int
	perm   []int32
}

// repeatBlock is a shape header's ways, replaced in turn once all are used.
type repeatBlock struct {
	ways [repeatWays]repeatWay
	used int
	next int
}

// repeats is the request's memory of headers and layouts. A small table
// of headers, indexed by a hash of a few words of the header that costs
// next to nothing, is asked before the map, whose hash of a struct holding
// a string costs about as much as the rest of the lookup: a batch
// interleaves a few dozen headers (each route's server span, its database
// and client spans).
type repeats struct {
	index   map[repeatKey]int32 // into entries
	entries []repeatEntry
	blocks  []repeatBlock
	n       int // blocks in use this request
	recent  [1 << recentBits]recentHeader
}

// recentBits sizes the table of recent headers.
const recentBits = 6

// recentHeader is a header looked up lately and its entry, plus one (0:
// none).
type recentHeader struct {
	key   repeatKey
	entry int32
}

// recentSlot is the place of header k in the table of recent headers: a
// mix of its name's length, first and last eight bytes, kind, grouping and
// scope. Names that differ only in their middle share a place, and take it
// from each other; the map still finds them.
func recentSlot(k *repeatKey) int {
	n := k.name
	var a, b uint64
	if len(n) >= 8 {
		a = binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(n), 8))
		b = binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(n[len(n)-8:]), 8))
	} else {
		for i := 0; i < len(n); i++ {
			a = a<<8 | uint64(n[i])
		}
	}
	c := uint64(len(n)) | uint64(k.kind)<<16 | uint64(k.scope)<<24
	if k.byScope {
		c |= 1 << 23
	}
	h := (a*0x9E3779B97F4A7C15 ^ b) * 0xff51afd7ed558ccd
	h = (h ^ c ^ uint64(k.resource)<<48) * 0xc4ceb9fe1a85ec53
	return int(h >> (64 - recentBits))
}

// reset forgets the last request: its layouts and names view its buffers,
// and are cleared so that a pooled scratch keeps none alive.
func (r *repeats) reset() {
	clear(r.index)
	r.entries = r.entries[:0]
	r.recent = [1 << recentBits]recentHeader{}
	for i := range r.blocks[:r.n] {
		b := &r.blocks[i]
		for j := range b.ways {
			w := &b.ways[j]
			clear(w.layout[:cap(w.layout)])
			w.layout, w.info, w.perm = w.layout[:0], nil, w.perm[:0]
		}
		b.used, b.next = 0, 0
	}
	r.n = 0
}

// find returns the index of header k's entry, if it has one.
func (r *repeats) find(k repeatKey) (int32, bool) {
	h := &r.recent[recentSlot(&k)]
	if h.entry > 0 && h.key == k {
		return h.entry - 1, true
	}
	i, ok := r.index[k]
	if ok {
		*h = recentHeader{key: k, entry: i + 1}
	}
	return i, ok
}

// entry returns the index of header k's entry, adding it when k is new.
func (r *repeats) entry(k repeatKey) int32 {
	if i, ok := r.find(k); ok {
		return i
	}
	if r.index == nil {
		r.index = map[repeatKey]int32{}
	}
	r.entries = append(r.entries, repeatEntry{block: -1})
	i := int32(len(r.entries) - 1)
	r.index[k] = i
	r.recent[recentSlot(&k)] = recentHeader{key: k, entry: i + 1}
	return i
}

// block returns the block of layouts of entry e, taking a new one the
// first time.
func (r *repeats) block(e int32) *repeatBlock {
	b := r.entries[e].block
	if b < 0 {
		if r.n == len(r.blocks) {
			r.blocks = append(r.blocks, repeatBlock{})
		}
		b = int32(r.n)
		r.n++
		r.entries[e].block = b
	}
	return &r.blocks[b]
}

// way returns the way of the layout attrs (as read) and whether it holds
// the layout's shape. When it does not, the way is the one the slow path
// resolves the layout into: the way that already holds the layout, left
// empty by a refused item, or a new or replaced one holding a copy of it
// (the slow path may sort attrs in place). Its info stays nil until the
// item is counted.
func (b *repeatBlock) way(attrs []schemaid.Attribute) (*repeatWay, bool) {
	for i := range b.ways[:b.used] {
		w := &b.ways[i]
		if len(w.layout) == len(attrs) && slices.Equal(w.layout, attrs) {
			return w, w.info != nil
		}
	}
	var w *repeatWay
	if b.used < repeatWays {
		w = &b.ways[b.used]
		b.used++
	} else {
		w = &b.ways[b.next]
		b.next = (b.next + 1) % repeatWays
	}
	w.layout, w.info, w.perm = append(w.layout[:0], attrs...), nil, w.perm[:0]
	return w, false
}
