package api

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// ListServiceReleases implements tallycatv1connect.CatalogServiceHandler.
// Its page tokens are bound to the service, as every list's are to its
// filter.
func (h *CatalogHandler) ListServiceReleases(ctx context.Context, req *tallycatv1.ListServiceReleasesRequest) (*tallycatv1.ListServiceReleasesResponse, error) {
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), "service releases", req.GetServiceName())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	sr, err := h.Store.ListServiceReleases(ctx, req.GetServiceName(), pg.offset, pg.size)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListServiceReleasesResponse{Releases: each(sr.Releases, toServiceRelease),
		NextPageToken: pg.next(len(sr.Releases)), Keys: toKeyCounts(sr.Keys)}, nil
}

func toServiceRelease(r catalog.ServiceRelease) *tallycatv1.ServiceRelease {
	return &tallycatv1.ServiceRelease{ServiceNamespace: r.ServiceNamespace, ServiceVersion: r.ServiceVersion,
		InstanceCount: uint32(r.Instances), FirstSeen: ts(r.FirstSeen), LastSeen: ts(r.LastSeen), Keys: toKeyCounts(r.Keys)}
}

func toKeyCounts(k catalog.KeyCounts) *tallycatv1.KeyCounts {
	return &tallycatv1.KeyCounts{MetricCount: uint32(k.Metrics), SpanCount: uint32(k.Spans), LogCount: uint32(k.Logs)}
}
