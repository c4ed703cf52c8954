package infer

import (
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// InferTraces returns the observations of a decoded trace export request:
// one per span shape, producer and scope, counting spans and spans with
// status error. It is the reference ScanTraces must agree with.
func (in *Inferrer) InferTraces(req *coltracepb.ExportTraceServiceRequest) ingest.Result {
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()
	s.track = in.track
	for _, rs := range req.GetResourceSpans() {
		ri := in.decodedResource(s, rs.GetResource())
		for _, ss := range rs.GetScopeSpans() {
			si := in.decodedScope(s, ss.GetScope())
			for _, sp := range ss.GetSpans() {
				in.decodedSpan(s, sp, ri, si)
			}
		}
	}
	return in.finish(s)
}

// decodedSpan reads one span's shape: its own attributes (with their
// values, tracking costs), each event by its name with its attributes, and
// its links' attributes.
func (in *Inferrer) decodedSpan(s *scratch, sp *tracepb.Span, ri, si int) {
	s.beginItem(0)
	sh := schemaid.Shape{Signal: schemaid.Span, Name: sp.GetName(), SpanKind: spanKind(int32(sp.GetKind()))}
	attrs := s.decodedOwn(s.attrs[:0], sp.GetAttributes())
	for _, ev := range sp.GetEvents() {
		name := schemaid.MakeEventName(ev.GetName())
		attrs = append(attrs, eventField(name))
		attrs = appendSourceKeys(attrs, ev.GetAttributes(), schemaid.Event, name)
	}
	for _, l := range sp.GetLinks() {
		attrs = appendSourceKeys(attrs, l.GetAttributes(), schemaid.Link, schemaid.EventName{})
	}
	s.attrs = attrs
	in.item(s, &sh, attrs, ri, si, sp.GetStatus().GetCode() == statusError)
}

func appendSourceKeys(dst []schemaid.Attribute, kvs []*commonpb.KeyValue, src schemaid.Source, event schemaid.EventName) []schemaid.Attribute {
	for _, kv := range kvs {
		dst = append(dst, schemaid.Attribute{Key: kv.GetKey(), Type: ValueType(kv.GetValue()), Source: src, Event: event})
	}
	return dst
}

// InferLogs returns the observations of a decoded logs export request: one
// per log shape, producer and scope, counting records. It is the reference
// ScanLogs must agree with.
func (in *Inferrer) InferLogs(req *collogspb.ExportLogsServiceRequest) ingest.Result {
	s := in.pool.Get().(*scratch)
	defer in.pool.Put(s)
	s.reset()
	s.track = in.track
	for _, rl := range req.GetResourceLogs() {
		ri := in.decodedResource(s, rl.GetResource())
		for _, sl := range rl.GetScopeLogs() {
			si := in.decodedScope(s, sl.GetScope())
			for _, lr := range sl.GetLogRecords() {
				in.decodedLogRecord(s, lr, ri, si)
			}
		}
	}
	return in.finish(s)
}

// decodedLogRecord reads one log record's shape: its event name, its own
// attributes, its body's type and map keys, and its severity fields, with
// the values of its attributes and severity fields when tracking costs. Its
// size is proto.Size's: what it would be in protobuf, whatever it came in.
func (in *Inferrer) decodedLogRecord(s *scratch, lr *logspb.LogRecord, ri, si int) {
	s.beginItem(proto.Size(lr))
	attrs := s.decodedOwn(s.attrs[:0], lr.GetAttributes())
	attrName := ""
	for _, kv := range lr.GetAttributes() {
		if kv.GetKey() == eventNameKey {
			attrName = kv.GetValue().GetStringValue()
		}
	}
	if body := lr.GetBody(); body != nil {
		f := bodyField
		f.Type = ValueType(body)
		attrs = append(attrs, f)
		if m, ok := body.GetValue().(*commonpb.AnyValue_KvlistValue); ok {
			n := 0
			attrs = in.decodedBodyKeys(attrs, f.Key, m.KvlistValue, 1, &n)
		}
	}
	attrs = s.severityFields(attrs, int32(lr.GetSeverityNumber()), lr.GetSeverityText())
	s.attrs = attrs
	sh := s.logHeader(lr.GetEventName(), attrName, si)
	in.item(s, &sh, attrs, ri, si, false)
}

// decodedBodyKeys appends the keys of a map body's list at depth (its top
// level is 1), dotted after prefix, as bodyKeys reads them from the wire.
func (in *Inferrer) decodedBodyKeys(dst []schemaid.Attribute, prefix string, list *commonpb.KeyValueList, depth int, n *int) []schemaid.Attribute {
	for _, kv := range list.GetValues() {
		if *n >= in.limits.bodyKeys() {
			break
		}
		key := prefix + "." + kv.GetKey()
		if m, ok := kv.GetValue().GetValue().(*commonpb.AnyValue_KvlistValue); ok && depth < in.limits.bodyDepth() && len(m.KvlistValue.GetValues()) > 0 {
			dst = in.decodedBodyKeys(dst, key, m.KvlistValue, depth+1, n)
			continue
		}
		*n++
		dst = append(dst, schemaid.Attribute{Key: key, Type: ValueType(kv.GetValue()), Source: schemaid.Body})
	}
	return dst
}

// eventNameKey is the attribute by which SDKs older than LogRecord's
// event_name field name a log event.
const eventNameKey = "event.name"

// logHeader is the header of a log record's shape: its event name (the
// field, else the event.name attribute's), or, without one, its scope's,
// grouped by scope.
func (s *scratch) logHeader(field, attr string, si int) schemaid.Shape {
	sh := schemaid.Shape{Signal: schemaid.Log, Name: field}
	if sh.Name == "" {
		sh.Name = attr
	}
	if sh.Name == "" {
		sh.Name, sh.ByScope = s.scopeSchemaName(si), true
	}
	return sh
}
