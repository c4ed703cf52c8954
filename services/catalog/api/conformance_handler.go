package api

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// ConformanceHandler serves tallycatv1connect.ConformanceServiceHandler: it
// converts and delegates to the catalog's findings.
type ConformanceHandler struct {
	Findings *conformance.Findings
	// Consumers says what nobody reads, for drop_unused.
	Consumers *consumers.Service
}

var _ tallycatv1connect.ConformanceServiceHandler = (*ConformanceHandler)(nil)

// ListFindings implements tallycatv1connect.ConformanceServiceHandler.
func (h *ConformanceHandler) ListFindings(ctx context.Context, req *tallycatv1.ListFindingsRequest) (*tallycatv1.ListFindingsResponse, error) {
	parts := append([]string{req.GetSchemaKey(), req.GetSchemaId(), req.GetServiceName(), req.GetMinLevel().String()}, req.GetFindingIds()...)
	var signals []schemaid.Signal
	for _, s := range req.GetSignals() {
		parts = append(parts, s.String())
		signals = append(signals, schemaid.SignalFromAPI(s))
	}
	if req.GetExcludeSelfTelemetry() {
		parts = append(parts, "exclude_self_telemetry")
	}
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	// A key named with one signal is that signal's; otherwise a metric's,
	// the only signal judged.
	key := ""
	if req.GetSchemaKey() != "" {
		sig := schemaid.Metric
		if len(signals) == 1 {
			sig = signals[0]
		}
		key = catalog.StoredKey(sig, req.GetSchemaKey())
	}
	// Listed grouped: a finding true of several schemas of a key is one
	// row naming them (see conformance.Group).
	found, total, err := h.Findings.Groups(ctx, conformance.FindingFilter{
		SchemaKey: key, Signals: signals, SchemaID: req.GetSchemaId(), ServiceName: req.GetServiceName(),
		MinLevel: req.GetMinLevel(), FindingIDs: req.GetFindingIds(), ExcludeSelf: req.GetExcludeSelfTelemetry(),
		Offset: pg.offset, Limit: pg.size,
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	res := &tallycatv1.ListFindingsResponse{NextPageToken: pg.next(len(found)), TotalSize: int64(total)}
	for _, f := range found {
		res.Findings = append(res.Findings, toFindingGroup(f))
	}
	return res, nil
}

// GetConformanceSummary implements tallycatv1connect.ConformanceServiceHandler.
func (h *ConformanceHandler) GetConformanceSummary(ctx context.Context, req *tallycatv1.GetConformanceSummaryRequest) (*tallycatv1.GetConformanceSummaryResponse, error) {
	// The summary is of the last full judging; make sure there was one.
	if _, _, err := h.Findings.List(ctx, conformance.FindingFilter{Limit: 1}); err != nil {
		return nil, toConnectError(ctx, err)
	}
	f := conformance.SummaryFilter{ExcludeSelf: req.GetExcludeSelfTelemetry()}
	for _, k := range req.GetSchemaKeys() {
		f.Keys = append(f.Keys, storedKey(req.GetSignal(), k))
	}
	return toConformanceSummaryTitled(h.Findings.SummaryOf(f)), nil
}

// ExportRegistry implements tallycatv1connect.ConformanceServiceHandler.
func (h *ConformanceHandler) ExportRegistry(ctx context.Context, _ *tallycatv1.ExportRegistryRequest) (*tallycatv1.ExportRegistryResponse, error) {
	files, err := h.Findings.Export(ctx)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	res := &tallycatv1.ExportRegistryResponse{}
	for _, f := range files {
		res.Files = append(res.Files, &tallycatv1.RegistryFile{Path: f.Path, Content: f.Content})
	}
	return res, nil
}

// GetCollectorConfig implements tallycatv1connect.ConformanceServiceHandler.
// With drop_unused, the processors also drop what the consumers' reading
// says nobody reads, and the response says what that saves
// (conformance.DropUnused decides both); before any consumer is synced
// that is FAILED_PRECONDITION (consumers.Service.Unused).
func (h *ConformanceHandler) GetCollectorConfig(ctx context.Context, req *tallycatv1.GetCollectorConfigRequest) (*tallycatv1.GetCollectorConfigResponse, error) {
	opts := toCollectorOptions(req)
	var savings *tallycatv1.CollectorSavings
	if req.GetDropUnused() {
		unused, err := h.Consumers.Unused(ctx)
		if err != nil {
			return nil, toConnectError(ctx, err)
		}
		var saved conformance.UnusedSavings
		if opts, saved, err = conformance.DropUnused(opts, toConformanceUnused(unused)); err != nil {
			return nil, toConnectError(ctx, err)
		}
		savings = toCollectorSavings(saved)
	}
	config, err := h.Findings.CollectorConfig(ctx, opts)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetCollectorConfigResponse{Config: config, Savings: savings}, nil
}

// toConformanceUnused converts the consumers' unused findings.
func toConformanceUnused(u consumers.Unused) conformance.Unused {
	out := conformance.Unused{Types: u.Types}
	for _, f := range u.Metrics {
		m := conformance.UnusedMetric{Key: f.Key}
		if f.Cost != nil {
			m.Series, m.DataPointsPerMinute, m.MonthlyCost = f.Cost.Series, f.Cost.DataPointsPerMinute, f.Cost.MonthlyCost
		}
		out.Metrics = append(out.Metrics, m)
	}
	for _, f := range u.Attributes {
		out.Attributes = append(out.Attributes, conformance.UnusedAttribute{Key: f.Key, Attribute: f.Attribute, SeriesSaved: f.SeriesSaved})
	}
	return out
}

// toCollectorSavings converts what dropping the unused saves.
func toCollectorSavings(s conformance.UnusedSavings) *tallycatv1.CollectorSavings {
	return &tallycatv1.CollectorSavings{
		MetricsDropped:          uint32(s.MetricsDropped),
		AttributesDeleted:       uint32(s.AttributesDeleted),
		SeriesSaved:             s.SeriesSaved,
		DataPointsPerMonthSaved: s.DataPointsPerMonthSaved,
		EstimatedMonthlySaving:  s.MonthlySaving,
	}
}

// toCollectorOptions converts a GetCollectorConfigRequest.
func toCollectorOptions(req *tallycatv1.GetCollectorConfigRequest) conformance.CollectorOptions {
	return conformance.CollectorOptions{CardinalityCaps: req.GetIncludeCardinalityCaps()}
}
