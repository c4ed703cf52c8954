package api

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"connectrpc.com/connect"

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
	pg, err := openSelectionPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	f.Offset, f.Limit = pg.offset, pg.size
	cs, total, stats, err := h.Consumers.ListConsumers(ctx, f)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	if err := pg.check(stats.Selection); err != nil {
		return nil, err
	}
	out := &tallycatv1.ListConsumersResponse{TotalSize: int64(total), Stats: toConsumerStats(stats)}
	for _, c := range cs {
		out.Consumers = append(out.Consumers, toConsumer(c, false))
	}
	if pg.offset+len(cs) < total {
		out.NextPageToken = pg.next(len(cs), stats.Selection)
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
	pg, err := openSelectionPage(req.GetPageToken(), req.GetPageSize(), parts...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	f.Offset, f.Limit = pg.offset, pg.size
	fs, total, stats, err := h.Consumers.Findings(ctx, f)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	if err := pg.check(stats.Selection); err != nil {
		return nil, err
	}
	out := &tallycatv1.ListConsumerFindingsResponse{Findings: each(fs, toConsumerFinding), TotalSize: int64(total), Stats: toConsumerStats(stats)}
	if pg.offset+len(fs) < total {
		out.NextPageToken = pg.next(len(fs), stats.Selection)
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

// selectionPage is a page of a selection that a new reading may change
// between pages: its token carries, besides the filter's fingerprint,
// the selection it was cut from (consumers.Stats.Selection), as
// "<selection in hex>.<page token>", the selection being part of the
// fingerprint too, so that it cannot be changed alone.
type selectionPage struct {
	page
	parts []string
	// selection is the token's; "" on the first page.
	selection string
}

// openSelectionPage opens a token of a selection: EINVALID when it is not
// one this server issued or was issued for another filter.
func openSelectionPage(token string, size int32, parts ...string) (selectionPage, error) {
	p := selectionPage{parts: parts}
	inner := ""
	if token != "" {
		var ok bool
		p.selection, inner, ok = strings.Cut(token, ".")
		if !ok || p.selection == "" {
			return p, catalog.Errorf(catalog.EINVALID, "page_token: not a token this server issued")
		}
	}
	var err error
	p.page, err = openPage(inner, size, append(slices.Clone(parts), p.selection)...)
	return p, err
}

// check refuses, as ABORTED, a page whose selection is no longer the one
// its token was cut from: a new reading (a sync, the catalog's metrics
// changing) selects other consumers or findings, or orders them anew, and
// going on would skip or repeat some. The client starts again from the
// first page. (The catalog's error codes have no ABORTED: this is the
// RPC's own.)
func (p selectionPage) check(selection uint64) error {
	if p.selection == "" || p.selection == strconv.FormatUint(selection, 16) {
		return nil
	}
	return connect.NewError(connect.CodeAborted, errors.New(
		"page_token: the consumers were judged anew since the first page (a sync, or the catalog's metrics changed), "+
			"so the pages no longer follow each other; start again without a token"))
}

// next returns the token of the page after this one, which held n rows
// of selection: none when it was not full.
func (p selectionPage) next(n int, selection uint64) string {
	if n < p.size {
		return ""
	}
	sel := strconv.FormatUint(selection, 16)
	return sel + "." + catalog.EncodePageToken(p.offset+n, catalog.Fingerprint(append(slices.Clone(p.parts), sel)...))
}
