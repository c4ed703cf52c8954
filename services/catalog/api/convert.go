package api

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// Conversions from the catalog's domain types to the API's messages: the
// one place that knows both. The API names a key by its signal and its
// name (schema_key is the name), never by the catalog's stored key (see
// catalog.StoredKey); and it shows a span's or a log record's own
// attributes as SPAN or LOG_RECORD fields, which the catalog keeps as
// DATA_POINT for every signal.

// keyOf is the signal and the name a stored key stands for, as the API
// says them.
func keyOf(key string) (tallycatv1.Signal, string) {
	sig, name := catalog.ParseStoredKey(key)
	return sig.API(), name
}

// storedKey is the stored key of the name a request names under signal
// (unset: a metric's).
func storedKey(sig tallycatv1.Signal, name string) string {
	return catalog.StoredKey(schemaid.SignalFromAPI(sig), name)
}

// fieldSource is the source the API shows for a field of a schema of sig:
// the catalog keeps an item's own fields as DATA_POINT whatever the signal
// (see catalog.FieldSourceOf), which a span shows as SPAN and a log as
// LOG_RECORD.
func fieldSource(sig schemaid.Signal, src tallycatv1.FieldSource) tallycatv1.FieldSource {
	if src != tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
		return src
	}
	return schemaid.APISource(sig, schemaid.Own)
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func each[T, U any](in []T, fn func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = fn(v)
	}
	return out
}

// toField converts the fields of a schema of sig.
func toField(sig schemaid.Signal) func(catalog.Field) *tallycatv1.Field {
	return func(f catalog.Field) *tallycatv1.Field {
		out := toSignalField(f)
		out.Source = fieldSource(sig, f.Source)
		return out
	}
}

func toSignalField(f catalog.Field) *tallycatv1.Field {
	return &tallycatv1.Field{Name: f.Name, Source: f.Source, EventName: f.Event, ValueType: f.Type, Presence: f.Presence, SeenRatio: f.SeenRatio,
		FirstSeen: ts(f.FirstSeen), LastSeen: ts(f.LastSeen), TypeConflict: f.TypeConflict,
		DistinctEstimate: f.Distinct, HighCardinality: f.HighCardinality, ExampleValuesState: f.ExamplesState,
		ExampleValues: each(f.Examples, func(s cardinality.Share) *tallycatv1.ValueShare {
			return &tallycatv1.ValueShare{Value: s.Value, DataPoints: s.DataPoints, Share: s.Share}
		})}
}

// toCost converts a cost; nil (not worked out) stays unset.
func toCost(c *catalog.Cost) *tallycatv1.Cost {
	if c == nil {
		return nil
	}
	return &tallycatv1.Cost{Window: c.Window, SeriesEstimate: c.Series, DataPointsPerMinute: c.DataPointsPerMinute, DataPoints: c.DataPoints,
		EstimatedMonthlyCost: c.Monthly, LogBytes: c.LogBytes, LogBytesPerMinute: c.LogBytesPerMinute}
}

func toTopSeries(t *catalog.TopSeries) *tallycatv1.ListTopSeriesResponse {
	return &tallycatv1.ListTopSeriesResponse{
		Window: t.Window,
		Metrics: each(t.Metrics, func(m catalog.TopMetric) *tallycatv1.TopMetric {
			sig, name := keyOf(m.Key)
			return &tallycatv1.TopMetric{SchemaKey: name, Signal: sig, MetricType: m.Type, Cost: toCost(&m.Cost), SchemaCount: uint32(m.Schemas)}
		}),
		Releases: each(t.Releases, func(r catalog.TopRelease) *tallycatv1.TopRelease {
			return &tallycatv1.TopRelease{ServiceName: r.ServiceName, ServiceNamespace: r.ServiceNamespace, ServiceVersion: r.ServiceVersion,
				Cost: toCost(&r.Cost), MetricCount: uint32(r.Metrics)}
		}),
		Attributes: each(t.Attributes, func(a catalog.TopAttribute) *tallycatv1.TopAttribute {
			sig, name := keyOf(a.Key)
			return &tallycatv1.TopAttribute{SchemaKey: name, Signal: sig, Name: a.Name, Source: fieldSource(schemaid.SignalFromAPI(sig), a.Source),
				DistinctEstimate: a.Distinct, HighCardinality: a.HighCardinality, SeriesEstimate: a.Series}
		}),
	}
}

func toSeriesPoint(p catalog.SeriesPoint) *tallycatv1.SeriesPoint {
	return &tallycatv1.SeriesPoint{Start: ts(p.Start), SeriesEstimate: p.Series, DataPointsPerMinute: p.DataPointsPerMinute}
}

// toShapeField converts the shape attributes of an item of sig (a variant's,
// a move's added ones) to fields.
func toShapeField(sig schemaid.Signal) func(schemaid.Attribute) *tallycatv1.Field {
	return func(a schemaid.Attribute) *tallycatv1.Field {
		return &tallycatv1.Field{Name: a.Key, Source: fieldSource(sig, catalog.FieldSourceOf(a.Source)), EventName: a.Event.String(), ValueType: a.Type}
	}
}

func toSchema(s catalog.Schema) *tallycatv1.Schema {
	sig, name := catalog.ParseStoredKey(s.Key)
	out := &tallycatv1.Schema{
		SchemaId: s.ID, SchemaKey: name, Signal: sig.API(), MetricType: s.Type, Unit: s.Unit, Temporality: s.Temporality,
		Monotonic: s.Monotonic, SpanKind: tallycatv1.SpanKind(s.SpanKind), ByScope: s.ByScope, ErrorCount: s.Errors, NameExamples: s.NameExamples,
		Description: s.Description, DescriptionConflict: s.DescriptionConflict, Fields: each(s.Fields, toField(sig)),
		ProducerCount: uint32(s.ProducerCount), FirstSeen: ts(s.FirstSeen), LastSeen: ts(s.LastSeen), DataPointCount: s.DataPoints,
		Superseded: s.Superseded, SupersededBy: s.SupersededBy, ReleaseCount: uint32(s.ReleaseCount), TypeConflict: s.TypeConflict,
		Cost: toCost(s.Cost),
	}
	if s.CurrentVersion != nil {
		out.CurrentVersion = toVersion(*s.CurrentVersion)
	}
	return out
}

func toVersion(v catalog.Version) *tallycatv1.SchemaVersion {
	return &tallycatv1.SchemaVersion{SchemaId: v.SchemaID, Version: v.Version, Status: v.Status, Reason: v.Reason,
		Actor: v.Actor, AssignedAt: ts(v.AssignedAt)}
}

func toProducer(p catalog.Producer) *tallycatv1.Producer {
	return &tallycatv1.Producer{ServiceName: p.ServiceName, ServiceNamespace: p.ServiceNamespace, ServiceVersion: p.ServiceVersion,
		ServiceInstanceId: p.ServiceInstanceID, FirstSeen: ts(p.FirstSeen), LastSeen: ts(p.LastSeen),
		SchemaCount: uint32(p.SchemaCount), SupersededBy: p.SupersededBy}
}

func toRelease(r catalog.Release) *tallycatv1.Release {
	return &tallycatv1.Release{ServiceName: r.ServiceName, ServiceNamespace: r.ServiceNamespace, ServiceVersion: r.ServiceVersion,
		InstanceCount: uint32(r.Instances), FirstSeen: ts(r.FirstSeen), LastSeen: ts(r.LastSeen), SupersededBy: r.SupersededBy,
		DataPointCount: r.DataPoints, Cost: toCost(r.Cost)}
}

func toService(s catalog.Service) *tallycatv1.Service {
	return &tallycatv1.Service{ServiceName: s.Name, ReleaseCount: uint32(s.Releases), InstanceCount: uint32(s.Instances),
		FirstSeen: ts(s.FirstSeen), LastSeen: ts(s.LastSeen)}
}

// toVariant converts the variants of a schema of sig.
func toVariant(sig schemaid.Signal) func(catalog.Variant) *tallycatv1.SchemaVariant {
	return func(v catalog.Variant) *tallycatv1.SchemaVariant {
		return &tallycatv1.SchemaVariant{VariantId: v.ID, Attributes: each(v.Attributes, toShapeField(sig)),
			DataPointCount: v.DataPoints, FirstSeen: ts(v.FirstSeen), LastSeen: ts(v.LastSeen)}
	}
}

func toScope(s catalog.Scope) *tallycatv1.Scope {
	return &tallycatv1.Scope{Name: s.Name, Version: s.Version, FirstSeen: ts(s.FirstSeen), LastSeen: ts(s.LastSeen)}
}

func toKeySummary(k catalog.KeySummary) *tallycatv1.SchemaKeySummary {
	sig, name := keyOf(k.Key)
	return &tallycatv1.SchemaKeySummary{SchemaKey: name, Signal: sig, SpanKinds: each(k.SpanKinds, func(sk schemaid.SpanKind) tallycatv1.SpanKind {
		return tallycatv1.SpanKind(sk)
	}), MetricType: k.Type, Unit: k.Unit, MetricTypes: k.Types, Units: k.Units,
		SchemaCount: uint32(k.Schemas), ProducerCount: uint32(k.Producers), FirstSeen: ts(k.FirstSeen), LastSeen: ts(k.LastSeen),
		Versioned: k.Versioned, Deprecated: k.Deprecated, Description: k.Description, SupersededSchemaCount: uint32(k.Superseded),
		Cost: toCost(&k.Cost), ByScope: k.ByScope, DataPointCount: k.DataPoints, ErrorCount: k.Errors,
		Versions: each(k.Versions, func(v catalog.KeyVersion) *tallycatv1.KeyVersion {
			return &tallycatv1.KeyVersion{SchemaId: v.SchemaID, Version: v.Version, Status: v.Status, Superseded: v.Superseded}
		}), Diverging: k.Diverging}
}

func toEvent(e catalog.Event) *tallycatv1.SchemaEvent {
	sig, name := catalog.ParseStoredKey(e.Key)
	out := &tallycatv1.SchemaEvent{SchemaKey: name, Signal: sig.API(), SchemaId: e.SchemaID, Kind: e.Kind, OccurredAt: ts(e.At),
		Actor: e.Actor, PreviousDescription: e.PreviousDescription, Description: e.Description, Summary: catalog.SummarizeEvent(&e),
		TargetSchemaId: e.TargetSchemaID, AddedFields: each(e.Added, toShapeField(sig))}
	if e.Producer != nil {
		out.Producer = &tallycatv1.Producer{ServiceName: e.Producer.ServiceName, ServiceNamespace: e.Producer.ServiceNamespace,
			ServiceVersion: e.Producer.ServiceVersion, ServiceInstanceId: e.Producer.ServiceInstanceID}
	}
	if e.Version != nil {
		out.Version = toVersion(*e.Version)
	}
	return out
}

func toDiff(d *catalog.SchemaDiff) *tallycatv1.DiffSchemasResponse {
	base, _ := catalog.ParseStoredKey(d.Base.Key)
	target, _ := catalog.ParseStoredKey(d.Target.Key)
	return &tallycatv1.DiffSchemasResponse{
		Base: toSchema(d.Base), Target: toSchema(d.Target),
		Added: each(d.Added, toField(target)), Removed: each(d.Removed, toField(base)),
		Changed: each(d.Changed, func(c catalog.FieldChange) *tallycatv1.FieldChange {
			return &tallycatv1.FieldChange{Name: c.Name, Base: toField(base)(c.Base), Target: toField(target)(c.Target)}
		}),
		MetadataChanges: each(d.MetadataChanges, func(c catalog.MetadataChange) *tallycatv1.MetadataChange {
			return &tallycatv1.MetadataChange{Property: c.Property, Base: c.Base, Target: c.Target}
		}),
		Identical: d.Identical,
	}
}

func toFinding(f conformance.Finding) *tallycatv1.Finding {
	sig, name := keyOf(f.SchemaKey)
	out := &tallycatv1.Finding{
		FindingId: f.ID, Level: f.Level, Message: f.Message, SchemaId: f.SchemaID, SchemaKey: name, Signal: sig,
		Attribute: f.Attribute, Expected: f.Expected, Actual: f.Actual, Replacement: f.Replacement, FirstSeen: ts(f.FirstSeen),
		Examples: f.Examples,
	}
	for _, p := range f.Producers {
		out.Producers = append(out.Producers, &tallycatv1.FindingProducer{ServiceName: p.ServiceName, ServiceNamespace: p.ServiceNamespace, ServiceVersion: p.ServiceVersion})
	}
	return out
}

func toConformanceSummary(s conformance.Summary) *tallycatv1.GetConformanceSummaryResponse {
	coverage := func(c conformance.Coverage) *tallycatv1.Coverage {
		return &tallycatv1.Coverage{Total: c.Total, Defined: c.Defined, Ratio: c.Ratio()}
	}
	counts := func(cs []conformance.FindingCount) []*tallycatv1.FindingCount {
		out := make([]*tallycatv1.FindingCount, 0, len(cs))
		for _, c := range cs {
			out = append(out, toFindingCount(c))
		}
		return out
	}
	return &tallycatv1.GetConformanceSummaryResponse{
		Metrics: coverage(s.Metrics), Attributes: coverage(s.Attributes), DataPoints: coverage(s.DataPoints),
		Total: toFindingCount(s.Total), ByFinding: counts(s.ByFinding), ByService: counts(s.ByService), Registries: s.Registries,
		ByKey: each(s.ByKey, func(c conformance.FindingCount) *tallycatv1.FindingCount {
			out := toFindingCount(c)
			_, out.Name = catalog.ParseStoredKey(c.Name)
			return out
		}),
	}
}

func toFindingCount(c conformance.FindingCount) *tallycatv1.FindingCount {
	return &tallycatv1.FindingCount{Name: c.Name, Violations: uint32(c.Violations), Improvements: uint32(c.Improvements), Information: uint32(c.Information)}
}
