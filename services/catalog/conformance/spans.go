package conformance

import (
	"cmp"
	"fmt"

	"github.com/tallycat/tallycat/services/catalog"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Matching a span to the registry's span definitions.
//
// Nothing in a span as sent names the definition it follows: a span's name
// is free-form ("GET /users/{id}"), and the semantic conventions describe
// it in prose. Weaver's live-check therefore checks no requirement level on
// spans at all. TallyCat picks the definition a span schema follows by
// what the registry does make checkable, its kind and the attributes that
// identify it, because a definition's required attributes are exactly
// what every span of it carries: an HTTP server span always carries
// http.request.method, url.path and url.scheme, a database client span
// db.system.name, a messaging span messaging.system and
// messaging.operation.name. So:
//
//   - the span's kind must be the definition's (an unspecified kind counts
//     as internal, as OTLP lets a receiver take it);
//   - every attribute the definition requires (requirement level
//     `required`; a conditional requirement identifies nothing) must be on
//     the span, on every span or on some: one that some spans lack still
//     matches, and is then reported as missing from that share;
//   - a definition that requires nothing identifies nothing, and would
//     match every span of its kind (graphql.server, aws.s3.client): it is
//     never matched;
//   - a definition that pins a value (semconv.Span.Pinned: mongodb's span
//     is a database span whose db.system.name is "mongodb", Kafka's a
//     messaging span whose messaging.system is "kafka") differs from the
//     general one by that value only, and the catalog keeps no values of
//     span attributes: it is never matched, and the general definition,
//     whose requirements it narrows, is;
//   - a deprecated definition is not matched: it no longer says what to
//     send.
//
// Among the definitions that match, the one with the most required
// attributes wins (it says the most about the span: an HTTP client span
// with url.full, server.address and server.port is the HTTP client
// definition's), then the one with the most attributes in common with the
// span, then the one asking the fewest attributes the span lacks (two
// definitions alike as far as the span shows, such as messaging's create
// and send producer spans, are told apart by a value the catalog does not
// keep, and the smaller one adds no finding a doubt would cause), then the
// lower id, so that the same schema always matches the same definition.
// A span schema that matches no definition gets no requirement finding.

// spanKindOf is the registry's kind of a span schema's kind.
func spanKindOf(k schemaid.SpanKind) semconv.SpanKind {
	return semconv.SpanKind(spanKindSpec(k))
}

// spanMatch is a candidate definition and how well it fits a span.
type spanMatch struct {
	def                        *semconv.Span
	required, common, unshared int
}

// better reports whether m fits its span better than o (see above).
func (m spanMatch) better(o spanMatch) bool {
	if c := cmp.Or(cmp.Compare(m.required, o.required), cmp.Compare(m.common, o.common), cmp.Compare(o.unshared, m.unshared)); c != 0 {
		return c > 0
	}
	return m.def.ID < o.def.ID
}

// MatchSpan returns the registry's span definition a span schema follows,
// or nil when none matches (see above). A schema that groups a scope's
// spans (ByScope) stands for many spans and matches none.
func MatchSpan(reg *semconv.Registry, s catalog.Schema) *semconv.Span {
	if s.ByScope {
		return nil
	}
	return matchSpan(reg, s, ownPresence(s))
}

func matchSpan(reg *semconv.Registry, s catalog.Schema, own presence) *semconv.Span {
	kind := spanKindOf(s.SpanKind)
	var best *spanMatch
	for _, def := range reg.Spans() {
		if def.Kind != kind || def.Deprecated != nil || len(def.Pinned) > 0 {
			continue
		}
		m, ok := fit(def, own)
		if ok && (best == nil || m.better(*best)) {
			best = &m
		}
	}
	if best == nil {
		return nil
	}
	return best.def
}

// fit measures a definition against a span's attributes; false when the
// span lacks one of its required attributes or it requires none.
func fit(def *semconv.Span, own presence) (spanMatch, bool) {
	m := spanMatch{def: def}
	for _, a := range def.Attributes {
		if a.Deprecated != nil {
			continue
		}
		present := own.has(a)
		if a.Requirement == semconv.Required {
			if !present {
				return m, false
			}
			m.required++
		}
		if present {
			m.common++
		} else {
			m.unshared++
		}
	}
	return m, m.required > 0
}

// spanRequirements judges a span schema's own attributes by the
// requirement levels of the definition it matches, if any.
func (j Judge) spanRequirements(s catalog.Schema, add func(Finding)) {
	if s.ByScope {
		return
	}
	own := ownPresence(s)
	def := matchSpan(j.Registry, s, own)
	if def == nil {
		return
	}
	of := fmt.Sprintf("%s, which matches %s", catalog.DescribeKey(s.Key), def.ID)
	requirements(def.Attributes, own, "span", of, add)
}
