package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// ListTopSeries implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) ListTopSeries(ctx context.Context, req *tallycatv1.ListTopSeriesRequest) (*tallycatv1.ListTopSeriesResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not yet"))
}

// GetSeriesHistory implements tallycatv1connect.CatalogServiceHandler.
func (h *CatalogHandler) GetSeriesHistory(ctx context.Context, req *tallycatv1.GetSeriesHistoryRequest) (*tallycatv1.GetSeriesHistoryResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not yet"))
}
