package catalog

import (
	"fmt"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Keys of spans and logs. A schema key belongs to one signal: a metric and
// a span of the same name are two keys, with their own schemas, versions,
// timelines and producers. The stores keep one key column for all three, so
// the signal is in the stored key itself: a metric's stored key is its name,
// byte for byte what every release before spans and logs stored, and a
// span's or a log's is its name behind a prefix that starts with U+001F
// (the unit separator), which no metric name may hold (the API refuses it,
// PlanBatch refuses it, and a store's migration refuses a database that
// holds one). StoredKey and ParseStoredKey are the one place that knows the
// prefixes; everything people read (names in the API, messages, timeline
// summaries, announced records) shows the name and the signal apart.

const (
	spanKeyPrefix = "\x1fS\x1f"
	logKeyPrefix  = "\x1fL\x1f"
	// keyMark starts every stored key that is not a metric's.
	keyMark = "\x1f"
)

// StoredKey is the key under which the stores keep the schemas of sig named
// name: the name itself for a metric, "\x1fS\x1f"+name for a span and
// "\x1fL\x1f"+name for a log.
func StoredKey(sig schemaid.Signal, name string) string {
	switch sig {
	case schemaid.Span:
		return spanKeyPrefix + name
	case schemaid.Log:
		return logKeyPrefix + name
	}
	return name
}

// ParseStoredKey is StoredKey's inverse: the signal and the name a stored
// key stands for.
func ParseStoredKey(key string) (schemaid.Signal, string) {
	if !strings.HasPrefix(key, keyMark) {
		return schemaid.Metric, key
	}
	if name, ok := strings.CutPrefix(key, spanKeyPrefix); ok {
		return schemaid.Span, name
	}
	if name, ok := strings.CutPrefix(key, logKeyPrefix); ok {
		return schemaid.Log, name
	}
	return schemaid.Metric, key
}

// ShapeKey is the stored key of the schemas of a shape's signal and name.
func ShapeKey(sh *schemaid.Shape) string { return StoredKey(sh.Signal, sh.Name) }

// IsMetricKey reports whether a stored key is a metric's.
func IsMetricKey(key string) bool { return !strings.HasPrefix(key, keyMark) }

// DescribeKey names a stored key as messages show it: `metric "x"`,
// `span "GET /users"`, `log event "app.login"`; never with its prefix.
func DescribeKey(key string) string {
	sig, name := ParseStoredKey(key)
	return fmt.Sprintf("%s %q", SignalNoun(sig), name)
}

// SignalNoun is what messages call a key of sig.
func SignalNoun(sig schemaid.Signal) string {
	switch sig {
	case schemaid.Span:
		return "span"
	case schemaid.Log:
		return "log event"
	}
	return "metric"
}

// AllSignals lists every signal, for a KeyFilter that keeps every key.
var AllSignals = schemaid.Signals

// MaxNameExamples bounds the span names a by-scope span schema keeps as
// examples, as the API bounds those an observation carries.
const MaxNameExamples = 10

// InShape reports whether a field of source src is part of a schema's
// shape, and so of its id: the item's own attributes (DATA_POINT, which
// the catalog uses for a data point's, a span's and a log record's alike),
// a span's event and link attributes, a log record's body and severity
// fields. Resource and scope fields belong to the producers, not the shape.
func InShape(src tallycatv1.FieldSource) bool {
	_, ok := ShapeSource(src)
	return ok
}

// FieldSourceOf is the field source under which the catalog keeps a shape
// attribute of source s. An item's own attributes are DATA_POINT whatever
// the signal, so that every rule written for metrics' data point fields
// (presence, variants, proposals) holds for spans' and logs' own fields;
// the API shows them as SPAN or LOG_RECORD by the schema's signal.
func FieldSourceOf(s schemaid.Source) tallycatv1.FieldSource {
	switch s {
	case schemaid.Event:
		return tallycatv1.FieldSource_FIELD_SOURCE_EVENT
	case schemaid.Link:
		return tallycatv1.FieldSource_FIELD_SOURCE_LINK
	case schemaid.Body:
		return tallycatv1.FieldSource_FIELD_SOURCE_BODY
	case schemaid.Severity:
		return tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY
	}
	return tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT
}

// ShapeSource is FieldSourceOf's inverse: the shape attribute source a
// field source stands for, and false for one that is not in a shape
// (resource, scope, unspecified) or that the catalog does not keep (the
// API's SPAN and LOG_RECORD, which it keeps as DATA_POINT).
func ShapeSource(src tallycatv1.FieldSource) (schemaid.Source, bool) {
	switch src {
	case tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT:
		return schemaid.Own, true
	case tallycatv1.FieldSource_FIELD_SOURCE_EVENT:
		return schemaid.Event, true
	case tallycatv1.FieldSource_FIELD_SOURCE_LINK:
		return schemaid.Link, true
	case tallycatv1.FieldSource_FIELD_SOURCE_BODY:
		return schemaid.Body, true
	case tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY:
		return schemaid.Severity, true
	}
	return 0, false
}
