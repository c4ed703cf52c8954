package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Cost snapshots: the reads that work figures out across every active
// stream (keys sorted by series or rate, each key's cost on a page of the
// list, the top series) merge at least one row per active stream and
// window part, which takes seconds with 10,000 active streams however the
// rows are rolled up (docs/BENCHMARKS.md, "Cost reads over a day"). A
// store told it may (SetCostFigureAge) works those figures out once per
// window and serves them from memory to every such read while they are
// younger than the age it was given; past that age it still serves them,
// and works them out afresh in the background, until they are StaleAfter
// ages old, when a read waits for fresh ones. A catalog that nobody reads
// therefore spends nothing on them, and one that people browse spends one
// working-out per window and age. The figures are each read's anyway,
// only older: a sort, a page and the top lists answered from one snapshot
// agree with each other. A store not told (the zero age) works them out
// for each read, as before, which is what the store suite holds the
// snapshot's answers equal to.

// StaleAfter is how many ages old a snapshot may be and still be served
// while a fresh one is worked out.
const StaleAfter = 10

// FreshPerWorkingOut bounds a snapshot's age by how long it took to work
// out, with the sorted lists read from it: it is served as it is for at
// most this many times that long (and at most the age the store was
// given). A small catalog, whose figures
// take milliseconds, thus answers every read with figures milliseconds
// old, as if it kept no snapshot; only a catalog whose figures take
// seconds serves them for long, and then spends at most one part in this
// many of a core on them per window while people browse.
const FreshPerWorkingOut = 20

// MaxTopLimit is the longest list ListTopSeries takes from a snapshot (the
// API's bound); a longer one is worked out for its read.
const MaxTopLimit = 100

// costSnapshot is what one working-out found, over one window.
type costSnapshot struct {
	// made is when the working-out began, by the wall clock, and took how
	// long it took: what its age and freshness are reckoned from (the
	// store's clock, which ends the window, may stand still in a test).
	// The lists sorted from it add what they took (under mu): they are
	// work it saves the reads after them too.
	made time.Time
	took time.Duration
	// costs is the cost of every key with data in the window.
	costs map[string]catalog.Cost
	// top and own are the top series at MaxTopLimit, of everyone's streams
	// and without TallyCat's own (TopFilter.ExcludeSelf).
	top, own *catalog.TopSeries

	// orders are the lists of keys sorted by these figures, by the filter
	// and sort they were read and sorted for (see sorted): a list sorted
	// by cost reads every key its filter passes, which at 100k keys is
	// most of its time, and its next pages would read them again.
	mu     sync.Mutex
	orders map[string][]string
}

// maxOrders bounds how many sorted lists a snapshot keeps; past it, all
// are forgotten and read again as asked for (a search typed letter by
// letter makes one each).
const maxOrders = 16

// sorted is the list of keys that pass filter, sorted by sort: the one
// kept for them, or read (read) and sorted by the snapshot's figures, and
// kept while the snapshot is served. Callers must not change it.
func (s *costSnapshot) sorted(filter Cond, sort tallycatv1.SchemaKeySort, descending bool, read func() ([]string, error)) ([]string, error) {
	id := fmt.Sprintf("%d %t %q %q", sort, descending, filter.SQL, filter.Args)
	s.mu.Lock()
	keys, ok := s.orders[id]
	s.mu.Unlock()
	if ok {
		return keys, nil
	}
	start := time.Now()
	keys, err := read()
	if err != nil {
		return nil, err
	}
	SortByCost(keys, s.costs, sort, descending)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.took += time.Since(start)
	if s.orders == nil || len(s.orders) >= maxOrders {
		s.orders = map[string][]string{}
	}
	s.orders[id] = keys
	return keys, nil
}

// costSnapshots holds a store's snapshots, one per window.
type costSnapshots struct {
	mu      sync.Mutex
	age     time.Duration
	byWin   map[tallycatv1.Window]*costSnapshot
	working singleflight.Group
	// ctx is every working-out's, which no reader's giving up cancels and
	// closing the store does; running counts the working-outs under way,
	// which closing waits for, and closed (under mu) refuses new ones.
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
	closed  bool
}

func newCostSnapshots() *costSnapshots {
	ctx, cancel := context.WithCancel(context.Background())
	return &costSnapshots{byWin: map[tallycatv1.Window]*costSnapshot{}, ctx: ctx, cancel: cancel}
}

// CloseCostSnapshots stops the working-outs under way and waits for them,
// so that none outlives the store's database; a store calls it first
// when it closes.
func (f Flows) CloseCostSnapshots() {
	c := f.snaps
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.running.Wait()
}

// SetCostFigureAge lets the store serve the figures across every active
// stream from a snapshot at most age old (and up to StaleAfter ages while
// a fresh one is worked out); zero, the default, works them out for each
// read.
func (f Flows) SetCostFigureAge(age time.Duration) {
	f.snaps.mu.Lock()
	defer f.snaps.mu.Unlock()
	f.snaps.age = max(age, 0)
	clear(f.snaps.byWin)
}

// snapshot is the snapshot a read over q's window may use: nil when the
// store works figures out for each read. It waits for a working-out only
// when there is no snapshot young enough to serve, and starts one in the
// background when the one it serves is older than the age.
func (c *costSnapshots) snapshot(ctx context.Context, r CostReader, q CostQuery) (*costSnapshot, error) {
	w, _ := q.Span()
	s, state := c.held(w)
	switch state {
	case off, fresh:
		return s, nil
	case stale:
		c.refresh(r, w)
		return s, nil
	}
	// The working-out is every waiting read's: it runs on a context of
	// its own, which no one reader's giving up cancels, and this read
	// stops waiting when its own context ends.
	select {
	case res := <-c.working.DoChan(w.String(), func() (any, error) { return c.workOut(r, w) }):
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*costSnapshot), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ready is the snapshot a read over q's window may use without waiting:
// nil when there is none young enough to serve, in which case one is
// worked out in the background for the reads after it.
func (c *costSnapshots) ready(r CostReader, q CostQuery) *costSnapshot {
	w, _ := q.Span()
	s, state := c.held(w)
	switch state {
	case off, fresh:
		return s
	case stale:
		c.refresh(r, w)
		return s
	}
	c.refresh(r, w)
	return nil
}

// refresh works the snapshot of window w out in the background, unless
// it is being worked out already (DoChan's channel holds the result, which
// no one need read: workOut logs what fails).
func (c *costSnapshots) refresh(r CostReader, w tallycatv1.Window) {
	c.working.DoChan(w.String(), func() (any, error) { return c.workOut(r, w) })
}

// A snapshot's state, as a read finds it.
type snapshotState int

const (
	off     snapshotState = iota // the store keeps none: no snapshot
	fresh                        // younger than the age: served as it is
	stale                        // older, but served while a fresh one is worked out
	missing                      // none, or too old to serve
)

// held is the snapshot of window w the store holds and its state now.
func (c *costSnapshots) held(w tallycatv1.Window) (*costSnapshot, snapshotState) {
	c.mu.Lock()
	age, s := c.age, c.byWin[w]
	c.mu.Unlock()
	switch {
	case age == 0:
		return nil, off
	case s == nil:
		return nil, missing
	}
	freshFor := min(age, FreshPerWorkingOut*s.cost())
	switch old := time.Since(s.made); {
	case old < freshFor:
		return s, fresh
	case old < StaleAfter*freshFor:
		return s, stale
	}
	return nil, missing
}

// workOutTimeout bounds a working-out, which no reader's context does.
const workOutTimeout = 5 * time.Minute

// workOut works the snapshot of window w out and keeps it; callers run it
// through c.working, once for every read that asks meanwhile. What fails
// is logged, once, as no reader may be waiting for it, and returned to
// those that are.
func (c *costSnapshots) workOut(r CostReader, w tallycatv1.Window) (any, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, fmt.Errorf("work out the cost figures of the %s: the store is closed", w)
	}
	c.running.Add(1)
	c.mu.Unlock()
	defer c.running.Done()
	ctx, cancel := context.WithTimeout(c.ctx, workOutTimeout)
	defer cancel()
	s, err := workOutSnapshot(ctx, r, QueryOf(r, w))
	if err != nil {
		if c.ctx.Err() == nil { // not the store closing
			slog.Warn("working out cost figures", "window", w.String(), "error", err)
		}
		return nil, fmt.Errorf("work out the cost figures of the %s: %w", w, err)
	}
	c.mu.Lock()
	if c.age > 0 {
		c.byWin[w] = s
	}
	c.mu.Unlock()
	return s, nil
}

// workOutSnapshot reads every active stream's rows over q's window once
// (what ListTopSeries reads) and works out from them every key's cost and
// both top lists.
func workOutSnapshot(ctx context.Context, r CostReader, q CostQuery) (*costSnapshot, error) {
	s := &costSnapshot{made: time.Now()}
	defer func() { s.took = time.Since(s.made) }()
	span, err := spanOf(ctx, r, q)
	if err != nil {
		return nil, err
	}
	streams, rows, err := ActiveCosts(ctx, r, KeyScope{}, q.Since(), CostRead{Folded: span})
	if err != nil {
		return nil, err
	}
	if s.costs, err = KeyCosts(streams, rows, q); err != nil {
		return nil, err
	}
	if s.top, err = topOf(ctx, r, streams, rows, q, MaxTopLimit); err != nil {
		return nil, err
	}
	own := slices.DeleteFunc(slices.Clone(streams), func(s KeyStream) bool { return s.Release.IsSelf() })
	if s.own, err = topOf(ctx, r, own, rows, q, MaxTopLimit); err != nil {
		return nil, err
	}
	return s, nil
}

// topOf is Top of the streams with the listed metrics' types.
func topOf(ctx context.Context, r CostReader, streams []KeyStream, rows []catalog.CostRow, q CostQuery, limit int) (*catalog.TopSeries, error) {
	top, err := Top(streams, rows, q, limit)
	if err != nil || len(top.Metrics) == 0 {
		return top, err
	}
	keys := make([]string, len(top.Metrics))
	for i, m := range top.Metrics {
		keys[i] = m.Key
	}
	types, err := r.MetricTypes(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := range top.Metrics {
		top.Metrics[i].Type = types[top.Metrics[i].Key]
	}
	return top, nil
}

// cost is how long the snapshot and its sorted lists took to work out.
func (s *costSnapshot) cost() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.took
}

// topAt is a snapshot's top lists cut to limit (DefaultTopLimit for 0),
// each list a copy a caller may keep.
func (s *costSnapshot) topAt(excludeSelf bool, limit int) *catalog.TopSeries {
	if limit <= 0 {
		limit = catalog.DefaultTopLimit
	}
	t := s.top
	if excludeSelf {
		t = s.own
	}
	return &catalog.TopSeries{
		Window:     t.Window,
		Metrics:    slices.Clone(t.Metrics[:min(limit, len(t.Metrics))]),
		Releases:   slices.Clone(t.Releases[:min(limit, len(t.Releases))]),
		Attributes: slices.Clone(t.Attributes[:min(limit, len(t.Attributes))]),
	}
}

// keyCosts is the snapshot's cost of every key with data in its window,
// or nil for no snapshot: a read works its keys' costs out itself.
func (s *costSnapshot) keyCosts() map[string]catalog.Cost {
	if s == nil {
		return nil
	}
	return s.costs
}
