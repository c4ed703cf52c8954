package api

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/proposals"
)

// VersioningHandler implements tallycatv1connect.VersioningServiceHandler.
type VersioningHandler struct {
	Store catalog.Store
	// Consumers names the dashboard and rule queries a proposal breaks;
	// nil names none.
	Consumers *consumers.Service
}

var _ tallycatv1connect.VersioningServiceHandler = (*VersioningHandler)(nil)

// AssignVersion implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) AssignVersion(ctx context.Context, req *tallycatv1.AssignVersionRequest) (*tallycatv1.AssignVersionResponse, error) {
	v, err := h.Store.AssignVersion(ctx, catalog.VersionChange{
		SchemaID: req.GetSchemaId(), Version: req.GetVersion(), Status: req.GetStatus(), Reason: req.GetReason(), Actor: actorFrom(ctx),
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.AssignVersionResponse{Version: toVersion(v)}, nil
}

// SetVersionStatus implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) SetVersionStatus(ctx context.Context, req *tallycatv1.SetVersionStatusRequest) (*tallycatv1.SetVersionStatusResponse, error) {
	v, err := h.Store.SetVersionStatus(ctx, catalog.VersionChange{
		SchemaID: req.GetSchemaId(), Status: req.GetStatus(), Reason: req.GetReason(), Actor: actorFrom(ctx),
	})
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.SetVersionStatusResponse{Version: toVersion(v)}, nil
}

// ListVersions implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) ListVersions(ctx context.Context, req *tallycatv1.ListVersionsRequest) (*tallycatv1.ListVersionsResponse, error) {
	key := ""
	if req.GetSchemaKey() != "" {
		key = storedKey(req.GetSignal(), req.GetSchemaKey())
	}
	vs, err := h.Store.ListVersions(ctx, req.GetSchemaId(), key)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListVersionsResponse{Versions: each(vs, toVersion)}, nil
}

// ListProposals implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) ListProposals(ctx context.Context, req *tallycatv1.ListProposalsRequest) (*tallycatv1.ListProposalsResponse, error) {
	key := ""
	if req.GetSchemaKey() != "" {
		key = storedKey(req.GetSignal(), req.GetSchemaKey())
	}
	ps, err := proposals.ListProposals(ctx, h.Store, key, req.GetSchemaId(), h.proposalOptions()...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.ListProposalsResponse{Proposals: each(ps, toVersionProposal)}, nil
}

// AcceptProposal implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) AcceptProposal(ctx context.Context, req *tallycatv1.AcceptProposalRequest) (*tallycatv1.AcceptProposalResponse, error) {
	v, err := proposals.AcceptProposal(ctx, h.Store, req.GetSchemaId(), req.GetProposedVersion(), actorFrom(ctx), h.proposalOptions()...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.AcceptProposalResponse{Version: toVersion(v)}, nil
}

// DismissProposal implements tallycatv1connect.VersioningServiceHandler.
func (h *VersioningHandler) DismissProposal(ctx context.Context, req *tallycatv1.DismissProposalRequest) (*tallycatv1.DismissProposalResponse, error) {
	err := proposals.DismissProposal(ctx, h.Store, req.GetSchemaId(), req.GetProposedVersion(), actorFrom(ctx), req.GetReason(), h.proposalOptions()...)
	if err != nil {
		return nil, toConnectError(ctx, err)
	}
	return &tallycatv1.DismissProposalResponse{}, nil
}

// proposalOptions make proposals name the consumers their changes break,
// when the handler has the consumers service. Accepting and dismissing
// check against the proposals as listed, so all three use them.
func (h *VersioningHandler) proposalOptions() []proposals.Option {
	if h.Consumers == nil {
		return nil
	}
	return []proposals.Option{proposals.WithBreaker(h.Consumers)}
}
