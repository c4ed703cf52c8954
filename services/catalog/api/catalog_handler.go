// Package api serves the catalog's Connect services: one handler struct per
// service, validation by interceptor, and one error mapping.
package api

import (
	"context"
	"strconv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog"
)

// CatalogHandler implements tallycatv1connect.CatalogServiceHandler.
type CatalogHandler struct {
	Store catalog.Store
}

var _ tallycatv1connect.CatalogServiceHandler = (*CatalogHandler)(nil)

func pageSize(n int32) int {
	if n <= 0 {
		return catalog.DefaultPageSize
	}
	return int(n)
}

// nextToken returns the token of the page after one that started at offset
// and held n of at most size rows.
func nextToken(offset, n, size int, fingerprint uint64) string {
	if n < size {
		return ""
	}
	return catalog.EncodePageToken(offset+n, fingerprint)
}

// ListSchemaKeys implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListSchemaKeys(ctx context.Context, req *tallycatv1.ListSchemaKeysRequest) (*tallycatv1.ListSchemaKeysResponse, error) {
	parts := []string{req.GetQuery(), req.GetServiceName(), req.GetSort().String(), strconv.FormatBool(req.GetDescending())}
	for _, t := range req.GetMetricTypes() {
		parts = append(parts, t.String())
	}
	fp := catalog.Fingerprint(parts...)
	offset, err := catalog.DecodePageToken(req.GetPageToken(), fp)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	size := pageSize(req.GetPageSize())
	keys, total, err := h.Store.ListSchemaKeys(ctx, catalog.KeyFilter{
		Query: req.GetQuery(), MetricTypes: req.GetMetricTypes(), ServiceName: req.GetServiceName(),
		Sort: req.GetSort(), Descending: req.GetDescending(), Offset: offset, Limit: size,
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	next := ""
	if int64(offset+len(keys)) < total {
		next = nextToken(offset, len(keys), size, fp)
	}
	return &tallycatv1.ListSchemaKeysResponse{SchemaKeys: each(keys, toKeySummary), NextPageToken: next, TotalSize: total}, nil
}

// ListSchemas implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListSchemas(ctx context.Context, req *tallycatv1.ListSchemasRequest) (*tallycatv1.ListSchemasResponse, error) {
	schemas, err := h.Store.ListSchemas(ctx, req.GetSchemaKey(), req.GetIncludeSuperseded())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListSchemasResponse{Schemas: each(schemas, toSchema)}, nil
}

// GetSchema implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) GetSchema(ctx context.Context, req *tallycatv1.GetSchemaRequest) (*tallycatv1.GetSchemaResponse, error) {
	d, err := h.Store.GetSchema(ctx, req.GetSchemaId())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetSchemaResponse{
		Schema: toSchema(d.Schema), Producers: each(d.Producers, toProducer), Scopes: each(d.Scopes, toScope),
		Versions: each(d.Versions, toVersion), Variants: each(d.Variants, toVariant), Releases: each(d.Releases, toRelease),
	}, nil
}

// ListProducers implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListProducers(ctx context.Context, req *tallycatv1.ListProducersRequest) (*tallycatv1.ListProducersResponse, error) {
	fp := catalog.Fingerprint(req.GetSchemaId(), req.GetSchemaKey(), req.GetServiceName())
	offset, err := catalog.DecodePageToken(req.GetPageToken(), fp)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	size := pageSize(req.GetPageSize())
	producers, err := h.Store.ListProducers(ctx, catalog.ProducerFilter{
		SchemaID: req.GetSchemaId(), SchemaKey: req.GetSchemaKey(), ServiceName: req.GetServiceName(),
		Offset: offset, Limit: size,
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListProducersResponse{Producers: each(producers, toProducer), NextPageToken: nextToken(offset, len(producers), size, fp)}, nil
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
	fp := catalog.Fingerprint(req.GetSchemaKey())
	offset, err := catalog.DecodePageToken(req.GetPageToken(), fp)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	size := pageSize(req.GetPageSize())
	events, err := h.Store.ListSchemaEvents(ctx, req.GetSchemaKey(), offset, size)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListSchemaEventsResponse{Events: each(events, toEvent), NextPageToken: nextToken(offset, len(events), size, fp)}, nil
}
