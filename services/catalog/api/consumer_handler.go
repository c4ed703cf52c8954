package api

import (
	"context"
	"strconv"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// ConsumerHandler implements tallycatv1connect.ConsumerServiceHandler: it
// converts and delegates to the consumers service, which keeps the
// reading of the stored dashboards and rules against the catalog.
type ConsumerHandler struct {
	Consumers *consumers.Service
}

var _ tallycatv1connect.ConsumerServiceHandler = (*ConsumerHandler)(nil)

// SyncConsumers implements tallycatv1connect.ConsumerServiceHandler.
func (h *ConsumerHandler) SyncConsumers(ctx context.Context, req *tallycatv1.SyncConsumersRequest) (*tallycatv1.SyncConsumersResponse, error) {
	sync := catalog.ConsumerSync{Origin: req.GetOrigin(), Unreadable: req.GetUnreadableSources(),
		Consumers: make([]catalog.Consumer, 0, len(req.GetConsumers()))}
	for _, c := range req.GetConsumers() {
		sync.Consumers = append(sync.Consumers, fromConsumer(c))
	}
	res, err := h.Consumers.Sync(ctx, sync)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.SyncConsumersResponse{Added: int32(res.Added), Updated: int32(res.Updated), Removed: int32(res.Removed),
		Unchanged: int32(res.Unchanged), Kept: int32(res.Kept), Unparsed: int32(res.Unparsed)}, nil
}

// ListConsumers implements tallycatv1connect.ConsumerServiceHandler.
func (h *ConsumerHandler) ListConsumers(ctx context.Context, req *tallycatv1.ListConsumersRequest) (*tallycatv1.ListConsumersResponse, error) {
	f := consumers.ConsumerFilter{Query: req.GetQuery(), BrokenOnly: req.GetBrokenOnly(), ExcludeSelf: req.GetExcludeSelfTelemetry()}
	parts := []string{req.GetQuery(), strconv.FormatBool(req.GetBrokenOnly()), strconv.FormatBool(req.GetExcludeSelfTelemetry())}
	for _, k := range req.GetKinds() {
		parts = append(parts, k.String())
		f.Kinds = append(f.Kinds, consumerKinds[k])
	}
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	f.Offset, f.Limit = pg.offset, pg.size
	cs, total, stats, err := h.Consumers.ListConsumers(ctx, f)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	out := &tallycatv1.ListConsumersResponse{TotalSize: int64(total), Stats: toConsumerStats(stats)}
	for _, c := range cs {
		out.Consumers = append(out.Consumers, toConsumer(c, false))
	}
	if pg.offset+len(cs) < total {
		out.NextPageToken = pg.next(len(cs))
	}
	return out, nil
}

// GetConsumer implements tallycatv1connect.ConsumerServiceHandler.
func (h *ConsumerHandler) GetConsumer(ctx context.Context, req *tallycatv1.GetConsumerRequest) (*tallycatv1.GetConsumerResponse, error) {
	c, err := h.Consumers.Consumer(ctx, req.GetConsumerId())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetConsumerResponse{Consumer: toConsumer(c, true)}, nil
}

// ListConsumerFindings implements tallycatv1connect.ConsumerServiceHandler.
func (h *ConsumerHandler) ListConsumerFindings(ctx context.Context, req *tallycatv1.ListConsumerFindingsRequest) (*tallycatv1.ListConsumerFindingsResponse, error) {
	f := consumers.FindingFilter{IDs: req.GetFindingIds(), MinLevel: fromFindingLevel(req.GetMinLevel()), ConsumerID: req.GetConsumerId(),
		Key: req.GetSchemaKey(), ExcludeSelf: req.GetExcludeSelfTelemetry()}
	parts := append([]string{req.GetMinLevel().String(), req.GetConsumerId(), req.GetSchemaKey(),
		strconv.FormatBool(req.GetExcludeSelfTelemetry())}, req.GetFindingIds()...)
	pg, err := openPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	f.Offset, f.Limit = pg.offset, pg.size
	fs, total, stats, err := h.Consumers.Findings(ctx, f)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	out := &tallycatv1.ListConsumerFindingsResponse{Findings: each(fs, toConsumerFinding), TotalSize: int64(total), Stats: toConsumerStats(stats)}
	if pg.offset+len(fs) < total {
		out.NextPageToken = pg.next(len(fs))
	}
	return out, nil
}

// GetUsage implements tallycatv1connect.ConsumerServiceHandler.
func (h *ConsumerHandler) GetUsage(ctx context.Context, req *tallycatv1.GetUsageRequest) (*tallycatv1.GetUsageResponse, error) {
	u, err := h.Consumers.Usage(ctx, req.GetSchemaKey())
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.GetUsageResponse{ConsumersSynced: u.Synced, Readers: each(u.Readers, toConsumerReader),
		Attributes: each(u.Attributes, toAttributeUsage), AllAttributes: u.AllAttributes, Findings: each(u.Findings, toConsumerFinding)}, nil
}
