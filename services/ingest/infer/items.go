package infer

import (
	"hash/maphash"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// The builder of span and log shapes. A span or a log record is a data point
// of its shape: its name (a span's, a log's event name or, grouped by scope,
// the scope's), its kind for a span, and its attributes from every source.
// Both ways in, the scanner and the decoded reference, hand each item here,
// so that they agree by construction on everything but the reading.

// UnknownScope names the schema of a scope without a name where a schema
// grouped by scope needs one (a log record without an event name): the
// catalog requires a name, and OpenTelemetry names an unknown service
// unknown_service in the same way.
const UnknownScope = "unknown_scope"

// scopeSchemaName is the name of the schema grouped by the scope si.
func (s *scratch) scopeSchemaName(si int) string {
	if n := s.scopes[si].name; n != "" {
		return n
	}
	return UnknownScope
}

// spanKind is a span's kind as OTLP numbers it, with a number OTLP does not
// define taken as unspecified, as the SDKs' own exporters never send one.
func spanKind(k int32) schemaid.SpanKind {
	if k < int32(schemaid.SpanKindUnspecified) || k > int32(schemaid.SpanKindConsumer) {
		return schemaid.SpanKindUnspecified
	}
	return schemaid.SpanKind(k)
}

// statusError is OTLP's Status.STATUS_CODE_ERROR.
const statusError = 2

// The fields a log record contributes beyond its attributes.
var (
	bodyField           = schemaid.Attribute{Key: "body", Source: schemaid.Body}
	severityNumberField = schemaid.Attribute{Key: "severity_number", Type: tallycatv1.ValueType_VALUE_TYPE_INT, Source: schemaid.Severity}
	severityTextField   = schemaid.Attribute{Key: "severity_text", Type: tallycatv1.ValueType_VALUE_TYPE_STRING, Source: schemaid.Severity}
)

// eventField is the field that stands for a span event itself, so that an
// event without attributes is part of the shape and its presence says how
// many spans carried it.
func eventField(name schemaid.EventName) schemaid.Attribute {
	return schemaid.Attribute{Source: schemaid.Event, Event: name, Type: tallycatv1.ValueType_VALUE_TYPE_EMPTY}
}

// item counts one span or log record whose header (signal, name, kind,
// grouping) is sh and whose attributes from every source are attrs, under
// resource ri and scope si; failed says a span's status was error. An item
// over a limit, or a span without a name, is refused with the reason; a span
// whose name is past the limit of span names is counted under its scope's
// shape (sh is changed), its name kept as an example.
// attrs may be sorted in place and may hold strings that point into the
// request: nothing here keeps them beyond the request.
//
// An item that cannot be refused asks the span name limit first, then
// looks its layout up among those of its header counted before in the
// request (see repeat.go), and only when it is new there resolves its shape
// from its attributes, the slow path. An item that may be refused goes the
// slow path in the order that refuses it before the limit counts its name.
func (in *Inferrer) item(s *scratch, sh *schemaid.Shape, attrs []schemaid.Attribute, ri, si int, failed bool) {
	noun, moved := "log record", ""
	limit := sh.Signal == schemaid.Span && in.names != nil
	if sh.Signal == schemaid.Span {
		noun = "span"
		if sh.Name == "" {
			s.res.Reject(1, "a span of kind %s has no name", schemaid.SpanKindToken(sh.SpanKind))
			return
		}
	}
	var way *repeatWay
	if !in.refusable(attrs) {
		if !in.slowItems {
			var hit bool
			if way, hit = in.repeatWay(s, sh, attrs, ri, si, &moved); hit {
				s.counted(way.slot, way.info, way.perm, failed, moved)
				return
			}
		} else if limit {
			moved = in.limitSpanName(s, sh, ri, si)
		}
		limit = false
	}
	if max := in.limits.MaxKeyBytes; max > 0 {
		for _, a := range attrs {
			if len(a.Key) > max {
				s.res.Reject(1, "%s %q: an attribute key of %d bytes; the limit is %d", noun, clip(sh.Name), len(a.Key), max)
				return
			}
		}
	}
	// Counted once normalized: a span's events repeat their fields.
	attrs = schemaid.NormalizeAttributes(attrs)
	if max := in.limits.MaxAttributes; max > 0 && len(attrs) > max {
		s.res.Reject(1, "%s %q: %d distinct fields; the limit is %d", noun, clip(sh.Name), len(attrs), max)
		return
	}
	if limit {
		moved = in.limitSpanName(s, sh, ri, si)
	}
	s.buf = schemaid.AppendCanonicalHeader(s.buf[:0], sh)
	s.buf = schemaid.AppendCanonicalAttributesFor(s.buf, sh.Signal, attrs)
	h := maphash.Bytes(in.seed, s.buf)
	info := s.local[h]
	if info == nil || info.canonical != string(s.buf) {
		info = in.lookup(s.buf)
		s.local[h] = info
	}
	k := aggKey{shape: info, resource: ri, scope: si}
	i, ok := s.agg[k]
	if !ok {
		i = len(s.order)
		s.order = append(s.order, k)
		s.counts = append(s.counts, 0)
		s.agg[k] = i
	}
	var perm []int32
	if way != nil {
		way.perm = s.item.positions(way.perm[:0], info.shape.Attributes)
		way.info, way.slot, perm = info, i, way.perm
	} else {
		s.perm = s.item.positions(s.perm[:0], info.shape.Attributes)
		perm = s.perm
	}
	s.counted(i, info, perm, failed, moved)
}

// refusable reports whether an item with attributes attrs may be over a
// limit: a key too long, or more attributes than allowed (as read: once
// normalized they may be fewer, which only the slow path works out).
func (in *Inferrer) refusable(attrs []schemaid.Attribute) bool {
	if max := in.limits.MaxAttributes; max > 0 && len(attrs) > max {
		return true
	}
	if max := in.limits.MaxKeyBytes; max > 0 {
		for i := range attrs {
			if len(attrs[i].Key) > max {
				return true
			}
		}
	}
	return false
}

// repeatWay returns the way of an item's layout among those of its header
// counted before in the request, and whether that way knows its shape. A
// span that will be counted is put to the span name limit here, the first
// time its header is seen in the request (once remembered, its name was
// admitted); past the limit, sh becomes its scope's header and moved its
// name.
func (in *Inferrer) repeatWay(s *scratch, sh *schemaid.Shape, attrs []schemaid.Attribute, ri, si int, moved *string) (*repeatWay, bool) {
	k := repeatKey{resource: int32(ri), scope: int32(si), kind: sh.SpanKind, byScope: sh.ByScope, name: sh.Name}
	e, ok := s.rep.find(k)
	if !ok {
		if sh.Signal == schemaid.Span && in.names != nil {
			if *moved = in.limitSpanName(s, sh, ri, si); *moved != "" {
				k.name, k.byScope = sh.Name, sh.ByScope
			}
		}
		e = s.rep.entry(k)
	}
	return s.rep.block(e).way(attrs)
}

// counted counts the item just read in slot i, of shape info: its values
// go where perm says among the shape's fields; moved is its name when the
// span name limit moved it to its scope's shape.
func (s *scratch) counted(i int, info *shapeInfo, perm []int32, failed bool, moved string) {
	s.counts[i]++
	s.itemCounted(i, len(info.shape.Attributes), perm)
	if moved != "" {
		s.addExample(i, moved)
	}
	if failed {
		for len(s.errs) <= i {
			s.errs = append(s.errs, 0)
		}
		s.errs[i]++
	}
	s.res.DataPoints++
}
