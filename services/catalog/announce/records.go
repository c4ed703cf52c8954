package announce

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// The attribute keys of the events (see the package documentation).
const (
	FindingID          = "tallycat.finding.id"
	FindingLevel       = "tallycat.finding.level"
	FindingSignalType  = "tallycat.finding.signal.type"
	FindingSignalName  = "tallycat.finding.signal.name"
	FindingSampleType  = "tallycat.finding.sample.type"
	FindingContext     = "tallycat.finding.context."
	FindingServices    = "tallycat.finding.service.names"
	FindingProducers   = "tallycat.finding.producers"
	SchemaID           = "tallycat.schema.id"
	SchemaKey          = "tallycat.schema.key"
	SchemaSignal       = "tallycat.schema.signal"
	ChangeKind         = "tallycat.schema.change.kind"
	ChangeTargetID     = "tallycat.schema.change.target_id"
	ChangeAdded        = "tallycat.schema.change.added_attributes"
	ProducerName       = "tallycat.producer.service.name"
	ProducerNamespace  = "tallycat.producer.service.namespace"
	ProducerVersion    = "tallycat.producer.service.version"
	ProducerInstanceID = "tallycat.producer.service.instance.id"
)

// The kinds of schema change sent.
const (
	KindFirstSeen = "schema_first_seen"
	KindMoved     = "producer_moved"
)

// levels are the level words and severities, as Weaver maps them.
var levels = map[tallycatv1.FindingLevel]struct {
	word     string
	severity log.Severity
}{
	tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION:   {"violation", log.SeverityError},
	tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT: {"improvement", log.SeverityWarn},
	tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION: {"information", log.SeverityInfo},
}

// FindingRecord is the tallycat.finding event of a finding, without its
// timestamps.
func FindingRecord(f conformance.Finding) log.Record {
	var r log.Record
	r.SetEventName(FindingEvent)
	l, ok := levels[f.Level]
	if !ok {
		l.word, l.severity = "unspecified", log.SeverityInfo
	}
	r.SetSeverity(l.severity)
	r.SetSeverityText(l.severity.String())
	r.SetBody(attribute.StringValue(f.Message))
	sig, name := catalog.ParseStoredKey(f.SchemaKey)
	sample := sig.String()
	if f.Attribute != "" {
		sample = "attribute"
	}
	r.AddAttributes(
		attribute.String(FindingID, f.ID),
		attribute.String(FindingLevel, l.word),
		attribute.String(FindingSignalType, sig.String()),
		attribute.String(FindingSignalName, name),
		attribute.String(FindingSampleType, sample),
		attribute.String(SchemaID, f.SchemaID),
	)
	for _, c := range []struct{ key, value string }{
		{"attribute_key", f.Attribute}, {"expected", f.Expected}, {"actual", f.Actual}, {"replacement", f.Replacement},
	} {
		if c.value != "" {
			r.AddAttributes(attribute.String(FindingContext+c.key, c.value))
		}
	}
	if len(f.Producers) > 0 {
		var names, releases []string
		for _, p := range f.Producers {
			names = append(names, p.ServiceName)
			releases = append(releases, p.String())
		}
		slices.Sort(names)
		slices.Sort(releases)
		r.AddAttributes(attribute.StringSlice(FindingServices, slices.Compact(names)),
			attribute.StringSlice(FindingProducers, slices.Compact(releases)))
	}
	return r
}

// SchemaChangeRecord is the tallycat.schema.change event of a timeline
// entry, without its observed timestamp, and whether the entry is one that
// is sent: a schema first seen or a release moved.
func SchemaChangeRecord(e catalog.Event) (log.Record, bool) {
	var r log.Record
	var kind string
	switch e.Kind {
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN:
		kind = KindFirstSeen
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED:
		kind = KindMoved
	default:
		return r, false
	}
	r.SetEventName(SchemaChangeEvent)
	r.SetTimestamp(e.At)
	r.SetSeverity(log.SeverityInfo)
	r.SetSeverityText(log.SeverityInfo.String())
	r.SetBody(attribute.StringValue(catalog.SummarizeEvent(&e)))
	// The key is sent as people read it: its name, and its signal apart
	// (never the stored key's prefix; see catalog.StoredKey).
	sig, name := catalog.ParseStoredKey(e.Key)
	r.AddAttributes(attribute.String(ChangeKind, kind), attribute.String(SchemaKey, name), attribute.String(SchemaSignal, sig.String()),
		attribute.String(SchemaID, e.SchemaID))
	if e.TargetSchemaID != "" {
		r.AddAttributes(attribute.String(ChangeTargetID, e.TargetSchemaID))
	}
	if len(e.Added) > 0 {
		keys := make([]string, len(e.Added))
		for i, a := range e.Added {
			keys[i] = a.Key
		}
		r.AddAttributes(attribute.StringSlice(ChangeAdded, keys))
	}
	if p := e.Producer; p != nil {
		r.AddAttributes(attribute.String(ProducerName, p.ServiceName))
		for _, a := range []struct{ key, value string }{
			{ProducerNamespace, p.ServiceNamespace}, {ProducerVersion, p.ServiceVersion}, {ProducerInstanceID, p.ServiceInstanceID},
		} {
			if a.value != "" {
				r.AddAttributes(attribute.String(a.key, a.value))
			}
		}
	}
	return r, true
}
