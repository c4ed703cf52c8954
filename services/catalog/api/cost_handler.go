package api

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// ListTopSeries implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListTopSeries(ctx context.Context, req *tallycatv1.ListTopSeriesRequest) (*tallycatv1.ListTopSeriesResponse, error) {
	top, err := h.Store.ListTopSeries(ctx, req.GetWindow(), int(req.GetLimit()))
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return toTopSeries(top), nil
}

// GetSeriesHistory implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) GetSeriesHistory(ctx context.Context, req *tallycatv1.GetSeriesHistoryRequest) (*tallycatv1.GetSeriesHistoryResponse, error) {
	points, err := h.Store.GetSeriesHistory(ctx, req.GetSchemaKey())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetSeriesHistoryResponse{Points: each(points, toSeriesPoint)}, nil
}
