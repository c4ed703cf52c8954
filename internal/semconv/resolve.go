package semconv

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Empty returns a registry with nothing in it, the base for a team that
// drops the built-in semantic conventions.
func Empty() *Registry {
	r := &Registry{attrs: map[string]*attrDef{}, groups: map[string]*group{}, metrics: map[string]*Metric{},
		spans: map[string]*Span{}, events: map[string]*Event{}}
	r.finish()
	return r
}

// keptGroups are the group types a registry keeps for the `extends` and
// `ref_group` of later layers: a team extends attribute groups, metrics,
// spans (a team's span refining span.http.server) and events. Entities and
// the other refinements are resolved, so their errors are reported, but
// not kept, which keeps the built-in table smaller.
var keptGroups = map[string]bool{"attribute_group": true, "metric": true, "span": true, "span_refinement": true, "event": true}

// resolver resolves one layer's groups on top of a base registry.
type resolver struct {
	base  *Registry
	attrs map[string]*attrDef  // the base's definitions and this layer's
	local map[string]*rawGroup // this layer's groups by id
	done  map[string]*group
	busy  map[string]bool // groups being flattened, to find `extends` cycles
	errs  []*Error
}

func (r *resolver) fail(g *rawGroup, line int, format string, args ...any) {
	r.errs = append(r.errs, &Error{File: g.file, Line: line, Group: g.id, Msg: fmt.Sprintf(format, args...)})
}

// build resolves a layer made of files on top of base and returns the new
// registry; base is not changed.
func build(base *Registry, src Source, files []*rawFile) (*Registry, error) {
	if base == nil {
		base = Empty()
	}
	r := &resolver{
		base:  base,
		attrs: maps.Clone(base.attrs),
		local: map[string]*rawGroup{},
		done:  map[string]*group{},
		busy:  map[string]bool{},
	}
	type place struct {
		file string
		line int
	}
	defined := map[string]place{} // attribute key -> where this layer defines it
	var groups []*rawGroup
	for _, f := range files {
		if f.schemaURL != "" {
			src.SchemaURL = f.schemaURL
		}
		for _, g := range f.groups {
			if !g.synthetic {
				if first, dup := r.local[g.id]; dup {
					r.fail(g, g.line, "group id also defined at %s:%d", first.file, first.line)
					continue
				}
				r.local[g.id] = g
				groups = append(groups, g)
			}
			for _, a := range g.attrs {
				if a.def == nil {
					continue
				}
				if first, dup := defined[a.def.Key]; dup {
					r.fail(g, a.line, "attribute %q is also defined at %s:%d", a.def.Key, first.file, first.line)
					continue
				}
				defined[a.def.Key] = place{g.file, a.line}
				r.attrs[a.def.Key] = a.def
			}
		}
	}
	metrics := maps.Clone(base.metrics)
	metricGroup := map[string]*rawGroup{}
	for _, g := range groups {
		fg := r.flatten(g)
		if g.typ != "metric" || g.metricName == "" {
			continue
		}
		if first, dup := metricGroup[g.metricName]; dup {
			r.fail(g, g.line, "metric %q is also defined by group %q (%s:%d)", g.metricName, first.id, first.file, first.line)
			continue
		}
		metricGroup[g.metricName] = g
		metrics[g.metricName] = &Metric{
			Name: g.metricName, Group: g.id, Instrument: g.instrument, Unit: g.unit,
			Stability: g.stability, Deprecated: g.deprecated, uses: fg.uses,
		}
	}
	spans, events := r.signals(groups)
	if len(r.errs) > 0 {
		return nil, joinErrors(r.errs)
	}
	reg := &Registry{
		sources: append(slices.Clone(base.sources), src),
		attrs:   r.attrs,
		groups:  maps.Clone(base.groups),
		metrics: metrics,
		spans:   spans,
		events:  events,
	}
	for id, g := range r.done {
		if keptGroups[g.typ] {
			reg.groups[id] = g
		}
	}
	reg.finish()
	return reg, nil
}

// signals returns the base's span definitions and events with this layer's
// on top: a span group of the same id, or an event of the same name,
// replaces the one below. Groups are flattened already.
func (r *resolver) signals(groups []*rawGroup) (map[string]*Span, map[string]*Event) {
	spans, events := maps.Clone(r.base.spans), maps.Clone(r.base.events)
	eventGroup := map[string]*rawGroup{}
	for _, g := range groups {
		fg := r.done[g.id]
		switch {
		case spanGroups[g.typ]:
			sp := r.spanOf(g, fg.uses)
			if sp.Kind == "" {
				r.fail(g, g.line, "a span needs a `span_kind` (or, refining a span, a span that has one)")
				continue
			}
			spans[g.id] = sp
		case g.typ == "event" && g.eventName != "":
			if first, dup := eventGroup[g.eventName]; dup {
				r.fail(g, g.line, "event %q is also defined by group %q (%s:%d)", g.eventName, first.id, first.file, first.line)
				continue
			}
			eventGroup[g.eventName] = g
			events[g.eventName] = &Event{Name: g.eventName, Group: g.id, Stability: g.stability, Deprecated: g.deprecated,
				Body: g.body, uses: fg.uses}
		}
	}
	return spans, events
}

// flatten resolves a group of this layer: the attributes of the group it
// extends (resolved first, transitively), then those of the groups it
// includes with v2 `ref_group` (which replace inherited ones of the same
// key), then its own entries, which add attributes or override inherited
// ones field by field, as Weaver does. Errors are recorded and resolution
// goes on, so that one load reports as many problems as it can.
func (r *resolver) flatten(g *rawGroup) *group {
	if fg, ok := r.done[g.id]; ok {
		return fg
	}
	r.busy[g.id] = true
	defer delete(r.busy, g.id)
	fg := &group{id: g.id, typ: g.typ}
	byKey := map[string]int{}
	put := func(u use) {
		if i, ok := byKey[u.key]; ok {
			fg.uses[i] = u
			return
		}
		byKey[u.key] = len(fg.uses)
		fg.uses = append(fg.uses, u)
	}
	if g.extends != "" {
		for _, u := range r.parent(g, g.extends, g.extendsLine, "extends") {
			put(u)
		}
	}
	fromInclude := map[string]string{}
	for _, inc := range g.includes {
		for _, u := range r.parent(g, inc.id, inc.line, "ref_group") {
			if other, dup := fromInclude[u.key]; dup {
				r.fail(g, inc.line, "ref_group %q brings attribute %q that ref_group %q already brings", inc.id, u.key, other)
				continue
			}
			fromInclude[u.key] = inc.id
			put(u)
		}
	}
	for _, a := range g.attrs {
		u := a.over
		if a.def == nil {
			if _, ok := r.attrs[a.ref]; !ok {
				r.fail(g, a.line, "ref %q: no attribute of that key is defined in this registry or the ones below it", a.ref)
				continue
			}
			if i, ok := byKey[u.key]; ok {
				u = override(fg.uses[i], u)
			}
		}
		put(u) // a definition replaces whatever was inherited
	}
	slices.SortFunc(fg.uses, func(a, b use) int { return strings.Compare(a.key, b.key) })
	r.done[g.id] = fg
	return fg
}

// parent returns the resolved attributes of the group that g extends or
// includes: one of this layer (resolved now if need be) or of the layers
// below.
func (r *resolver) parent(g *rawGroup, id string, line int, how string) []use {
	if r.busy[id] {
		r.fail(g, line, "%s %q forms a cycle", how, id)
		return nil
	}
	if pg, ok := r.local[id]; ok {
		return r.flatten(pg).uses
	}
	if pg, ok := r.base.groups[id]; ok {
		return pg.uses
	}
	r.fail(g, line, "%s %q: no group of that id in this registry or the ones below it", how, id)
	return nil
}

// override puts a reference's overrides on top of an inherited use: each
// field the reference states wins.
func override(inherited, local use) use {
	if local.level != "" {
		inherited.level, inherited.unless = local.level, local.unless
	}
	if local.stability != "" {
		inherited.stability = local.stability
	}
	if local.deprecated != nil {
		inherited.deprecated = local.deprecated
	}
	return inherited
}
