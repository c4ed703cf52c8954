// Package api serves the catalog's Connect services to the UI, the ingest
// and the CLI, as tallycat-catalog's main mounts it: one handler struct per
// service that converts and delegates, validation by interceptor, and one
// error mapping.
package api

import (
	"context"
	"log/slog"
	"strconv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// CatalogHandler implements tallycatv1connect.CatalogServiceHandler.
type CatalogHandler struct {
	Store catalog.Store
	// Consumers names the dashboard and rule queries a timeline move
	// breaks; nil names none.
	Consumers *consumers.Service
}

var _ tallycatv1connect.CatalogServiceHandler = (*CatalogHandler)(nil)

// page is where a list request starts and how much it takes: every list
// RPC pages the same way, with tokens bound to the request's filter (the
// parts) and catalog.DefaultPageSize when the request names no size.
type page struct {
	offset, size int
	fingerprint  uint64
}

func openPage(token string, size int32, parts ...string) (page, error) {
	p := page{size: int(size), fingerprint: catalog.Fingerprint(parts...)}
	if p.size <= 0 {
		p.size = catalog.DefaultPageSize
	}
	var err error
	p.offset, err = catalog.DecodePageToken(token, p.fingerprint)
	return p, err
}

// next returns the token of the page after this one, which held n rows:
// none when it was not full.
func (p page) next(n int) string {
	if n < p.size {
		return ""
	}
	return catalog.EncodePageToken(p.offset+n, p.fingerprint)
}

// ListSchemaKeys implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListSchemaKeys(ctx context.Context, req *tallycatv1.ListSchemaKeysRequest) (*tallycatv1.ListSchemaKeysResponse, error) {
	parts := []string{req.GetQuery(), req.GetServiceName(), req.GetSort().String(), strconv.FormatBool(req.GetDescending()), req.GetWindow().String()}
	for _, t := range req.GetMetricTypes() {
		parts = append(parts, t.String())
	}
	var signals []schemaid.Signal
	for _, s := range req.GetSignals() {
		parts = append(parts, s.String())
		signals = append(signals, schemaid.SignalFromAPI(s))
	}
	// Named only when set, so that a token handed out before they were
	// fields still opens its page.
	if req.GetExcludeSelfTelemetry() {
		parts = append(parts, "exclude_self_telemetry")
	}
	if req.GetDivergingOnly() {
		parts = append(parts, "diverging_only")
	}
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	keys, total, err := h.Store.ListSchemaKeys(ctx, catalog.KeyFilter{
		Query: req.GetQuery(), Signals: signals, MetricTypes: req.GetMetricTypes(), ServiceName: req.GetServiceName(),
		Sort: req.GetSort(), Descending: req.GetDescending(), Window: req.GetWindow(),
		ExcludeSelf: req.GetExcludeSelfTelemetry(), Diverging: req.GetDivergingOnly(), Offset: pg.offset, Limit: pg.size,
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	next := ""
	if int64(pg.offset+len(keys)) < total {
		next = pg.next(len(keys))
	}
	return &tallycatv1.ListSchemaKeysResponse{SchemaKeys: each(keys, toKeySummary), NextPageToken: next, TotalSize: total}, nil
}

// ListSchemas implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListSchemas(ctx context.Context, req *tallycatv1.ListSchemasRequest) (*tallycatv1.ListSchemasResponse, error) {
	schemas, err := h.Store.ListSchemas(ctx, storedKey(req.GetSignal(), req.GetSchemaKey()), req.GetIncludeSuperseded())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListSchemasResponse{Schemas: each(schemas, toSchema), Releases: each(schemas, toSchemaReleases)}, nil
}

// toSchemaReleases is a listed schema's releases, as naming it needs them.
func toSchemaReleases(s catalog.Schema) *tallycatv1.SchemaReleases {
	return &tallycatv1.SchemaReleases{SchemaId: s.ID, Releases: each(s.Releases, toRelease)}
}

// GetSchema implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) GetSchema(ctx context.Context, req *tallycatv1.GetSchemaRequest) (*tallycatv1.GetSchemaResponse, error) {
	d, err := h.Store.GetSchema(ctx, req.GetSchemaId(), req.GetWindow())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	sig, _ := catalog.ParseStoredKey(d.Schema.Key)
	return &tallycatv1.GetSchemaResponse{
		Schema: toSchema(d.Schema), Producers: each(d.Producers, toProducer), Scopes: each(d.Scopes, toScope),
		Versions: each(d.Versions, toVersion), Variants: each(d.Variants, toVariant(sig)), Releases: each(d.Releases, toRelease),
	}, nil
}

// ListProducers implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListProducers(ctx context.Context, req *tallycatv1.ListProducersRequest) (*tallycatv1.ListProducersResponse, error) {
	key := ""
	if req.GetSchemaKey() != "" {
		key = storedKey(req.GetSignal(), req.GetSchemaKey())
	}
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), req.GetSchemaId(), key, req.GetServiceName(),
		strconv.FormatBool(req.GetMostRecentFirst()))
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	producers, err := h.Store.ListProducers(ctx, catalog.ProducerFilter{
		SchemaID: req.GetSchemaId(), SchemaKey: key, ServiceName: req.GetServiceName(),
		MostRecentFirst: req.GetMostRecentFirst(), Offset: pg.offset, Limit: pg.size,
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListProducersResponse{Producers: each(producers, toProducer), NextPageToken: pg.next(len(producers))}, nil
}

// DiffSchemas implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) DiffSchemas(ctx context.Context, req *tallycatv1.DiffSchemasRequest) (*tallycatv1.DiffSchemasResponse, error) {
	both, err := h.Store.GetSchemas(ctx, req.GetBaseSchemaId(), req.GetTargetSchemaId())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return toDiff(catalog.Diff(both[0], both[1])), nil
}

// ListSchemaEvents implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListSchemaEvents(ctx context.Context, req *tallycatv1.ListSchemaEventsRequest) (*tallycatv1.ListSchemaEventsResponse, error) {
	key := storedKey(req.GetSignal(), req.GetSchemaKey())
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), key)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	events, err := h.Store.ListSchemaEvents(ctx, key, pg.offset, pg.size)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	out := each(events, toEvent)
	if h.Consumers != nil {
		// What the changes break is an addition to the timeline: when it
		// cannot be worked out (a stored consumer that does not read),
		// the timeline is answered without it, and the log says why.
		// Proposals fail closed instead: a version must not be proposed
		// without knowing what it breaks.
		breaks, err := h.Consumers.EventBreaks(ctx, events)
		if err != nil {
			slog.ErrorContext(ctx, "the timeline is answered without what its changes break", "schema_key", key, "error", err)
		}
		for i, bs := range breaks {
			out[i].Breaks = each(bs, breakToProto)
			out[i].Summary = catalog.SummarizeEventBreaks(&events[i], bs)
		}
	}
	return &tallycatv1.ListSchemaEventsResponse{Events: out, NextPageToken: pg.next(len(events))}, nil
}

// ListServices implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListServices(ctx context.Context, req *tallycatv1.ListServicesRequest) (*tallycatv1.ListServicesResponse, error) {
	parts := []string{"services"}
	if req.GetExcludeSelfTelemetry() {
		parts = append(parts, "exclude_self_telemetry")
	}
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	services, err := h.Store.ListServices(ctx, catalog.ServiceFilter{ExcludeSelf: req.GetExcludeSelfTelemetry(), Offset: pg.offset, Limit: pg.size})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListServicesResponse{Services: each(services, toService), NextPageToken: pg.next(len(services))}, nil
}

// ListTopSeries implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListTopSeries(ctx context.Context, req *tallycatv1.ListTopSeriesRequest) (*tallycatv1.ListTopSeriesResponse, error) {
	top, err := h.Store.ListTopSeries(ctx, catalog.TopFilter{Window: req.GetWindow(), Limit: int(req.GetLimit()), ExcludeSelf: req.GetExcludeSelfTelemetry()})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return toTopSeries(top), nil
}

// GetSeriesHistory implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) GetSeriesHistory(ctx context.Context, req *tallycatv1.GetSeriesHistoryRequest) (*tallycatv1.GetSeriesHistoryResponse, error) {
	points, err := h.Store.GetSeriesHistory(ctx, storedKey(req.GetSignal(), req.GetSchemaKey()))
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetSeriesHistoryResponse{Points: each(points, toSeriesPoint)}, nil
}
