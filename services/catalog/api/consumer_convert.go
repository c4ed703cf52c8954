package api

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/consumers/usage"
	"github.com/tallycat/tallycat/services/catalog"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
)

// Consumers' kinds and formats: the API's enums and the strings
// catalog.Consumer keeps (those of internal/consumers).
var (
	consumerKinds = map[tallycatv1.ConsumerKind]string{
		tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD:      string(consumers.Dashboard),
		tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE:     string(consumers.AlertRule),
		tallycatv1.ConsumerKind_CONSUMER_KIND_RECORDING_RULE: string(consumers.RecordingRule),
	}
	consumerFormats = map[tallycatv1.ConsumerFormat]string{
		tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD:   string(consumers.GrafanaDashboard),
		tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_ALERT_RULES: string(consumers.GrafanaAlertRules),
		tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES:    string(consumers.PrometheusRules),
		tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PERSES_DASHBOARD:    string(consumers.PersesDashboard),
	}
	kindsByName   = invert(consumerKinds)
	formatsByName = invert(consumerFormats)
)

func invert[K comparable](m map[K]string) map[string]K {
	out := make(map[string]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// fromConsumer is a consumer a sync brings. Its id, origin and sync time
// are the sync's to set; the output-only fields are ignored.
func fromConsumer(c *tallycatv1.Consumer) catalog.Consumer {
	out := catalog.Consumer{Kind: consumerKinds[c.GetKind()], Format: consumerFormats[c.GetFormat()], Source: c.GetSource(),
		UID: c.GetUid(), Title: c.GetTitle(), Folder: c.GetFolder(), Body: catalog.ConsumerBody{Notes: c.GetNotes()}}
	for _, q := range c.GetQueries() {
		out.Body.Queries = append(out.Body.Queries, catalog.ConsumerQuery{Panel: q.GetPanel(), RefID: q.GetRefId(), Path: q.GetPath(),
			Line: int(q.GetLine()), Datasource: q.GetDatasource(), Raw: q.GetRaw(), Expr: q.GetExpr(), GroupLabels: q.GetGroupLabels()})
	}
	if len(c.GetSkipped()) > 0 {
		out.Body.Skipped = make(map[string]int, len(c.GetSkipped()))
		for typ, n := range c.GetSkipped() {
			out.Body.Skipped[typ] = int(n)
		}
	}
	return out
}

// toConsumer converts a consumer of a reading; its queries only when
// withQueries (GetConsumer has them, lists do not).
func toConsumer(c cservice.Consumer, withQueries bool) *tallycatv1.Consumer {
	out := &tallycatv1.Consumer{
		ConsumerId: c.ID, Kind: kindsByName[c.Kind], Format: formatsByName[c.Format], Source: c.Source, Uid: c.UID,
		Title: c.Title, Folder: c.Folder, Notes: c.Body.Notes, Origin: c.Origin, SyncedAt: ts(c.SyncedAt),
		QueryCount: int32(len(c.Queries)), Unparsed: int32(c.Unparsed), Broken: int32(c.Broken),
		Violations: int32(c.Violations), Improvements: int32(c.Improvements),
	}
	if len(c.Body.Skipped) > 0 {
		out.Skipped = make(map[string]int32, len(c.Body.Skipped))
		for typ, n := range c.Body.Skipped {
			out.Skipped[typ] = int32(n)
		}
	}
	if withQueries {
		out.Queries = each(c.Queries, toConsumerQuery)
	}
	return out
}

func toConsumerQuery(q cservice.Query) *tallycatv1.ConsumerQuery {
	return &tallycatv1.ConsumerQuery{Panel: q.Panel, RefId: q.RefID, Path: q.Path, Line: int32(q.Line), Datasource: q.Datasource,
		Raw: q.Raw, Expr: q.Expr, GroupLabels: q.GroupLabels, Error: q.Error, SchemaKeys: q.Keys,
		Findings: each(q.Findings, toConsumerFinding)}
}

var findingLevels = map[usage.Level]tallycatv1.FindingLevel{
	usage.Violation:   tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION,
	usage.Improvement: tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT,
	usage.Information: tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION,
}

// fromFindingLevel is a request's level; unspecified is 0, every level.
func fromFindingLevel(l tallycatv1.FindingLevel) usage.Level {
	for level, api := range findingLevels {
		if api == l {
			return level
		}
	}
	return 0
}

func toConsumerFinding(f usage.Finding) *tallycatv1.ConsumerFinding {
	out := &tallycatv1.ConsumerFinding{
		FindingId: f.ID, Title: f.Title, Level: findingLevels[f.Level], Consumer: toConsumerRef(f.Consumer), Query: toQueryRef(f.Query),
		Selector: f.Selector, Metric: f.Metric, SchemaKey: f.Key, Candidates: f.Candidates, Label: f.Label, Uses: f.Uses,
		Attribute: f.Attribute, Error: f.Error, Message: f.Message, SeriesSaved: f.SeriesSaved,
		Near: each(f.Near, func(n usage.Near) *tallycatv1.NearKey { return &tallycatv1.NearKey{SchemaKey: n.Key, Name: n.Name} }),
	}
	if f.Cost != nil {
		out.Cost = toCost(&catalog.Cost{Window: cservice.Window, Series: f.Cost.Series, DataPointsPerMinute: f.Cost.DataPointsPerMinute,
			Monthly: f.Cost.MonthlyCost})
	}
	return out
}

func toConsumerRef(c *usage.ConsumerRef) *tallycatv1.ConsumerRef {
	if c == nil {
		return nil
	}
	return &tallycatv1.ConsumerRef{ConsumerId: c.ID, Kind: kindsByName[string(c.Kind)], Title: c.Title, Folder: c.Folder,
		Source: c.Source, Uid: c.UID}
}

func toQueryRef(q *usage.QueryRef) *tallycatv1.ConsumerQueryRef {
	if q == nil {
		return nil
	}
	return &tallycatv1.ConsumerQueryRef{Panel: q.Panel, RefId: q.RefID, Path: q.Path, Line: int32(q.Line), Expr: q.Expr, ParsedExpr: q.Parsed}
}

// toConsumerStats converts a reading's counts, the levels by name.
func toConsumerStats(s cservice.Stats) *tallycatv1.ConsumerStats {
	out := &tallycatv1.ConsumerStats{
		Consumers: int32(s.Consumers), Queries: int32(s.Queries), Unparsed: int32(s.Unparsed),
		PrometheusOwnSeries: int32(s.OwnSeries), RecordedSeries: int32(s.Recorded),
		Metrics: int32(s.Metrics), UsedMetrics: int32(s.UsedMetrics), Levels: map[string]int32{},
	}
	if len(s.Skipped) > 0 {
		out.Skipped = make(map[string]int32, len(s.Skipped))
		for typ, n := range s.Skipped {
			out.Skipped[typ] = int32(n)
		}
	}
	for level, n := range s.Levels {
		out.Levels[level.String()] = int32(n)
	}
	return out
}

func toConsumerReader(r cservice.Reader) *tallycatv1.ConsumerReader {
	ref := r.Consumer
	return &tallycatv1.ConsumerReader{Consumer: toConsumerRef(&ref), Panel: r.Panel, RefId: r.RefID, Path: r.Path,
		Attributes: r.Attributes, AllAttributes: r.AllAttributes}
}

var attributeSources = map[string]tallycatv1.FieldSource{
	"resource":   tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE,
	"scope":      tallycatv1.FieldSource_FIELD_SOURCE_SCOPE,
	"data_point": tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT,
}

func toAttributeUsage(a cservice.AttributeUse) *tallycatv1.AttributeUsage {
	return &tallycatv1.AttributeUsage{Attribute: a.Attribute, Source: attributeSources[a.Source], Labels: a.Labels, Readers: int32(a.Readers)}
}

// breakToProto converts a query a schema change breaks, as version
// proposals and the timeline name them.
func breakToProto(b catalog.ConsumerBreak) *tallycatv1.ConsumerBreak {
	return &tallycatv1.ConsumerBreak{
		Consumer: &tallycatv1.ConsumerRef{ConsumerId: b.ConsumerID, Kind: kindsByName[b.Kind], Title: b.Title, Folder: b.Folder,
			Source: b.Source, Uid: b.UID},
		Query:     &tallycatv1.ConsumerQueryRef{Panel: b.Panel, RefId: b.RefID, Path: b.Path, Line: int32(b.Line), Expr: b.Expr},
		FindingId: b.FindingID, Message: b.Message, Metric: b.Metric, Label: b.Label,
	}
}
