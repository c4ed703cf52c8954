package api

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog/proposals"
)

// toVersionProposal converts a proposal to its message.
func toVersionProposal(p proposals.Proposal) *tallycatv1.VersionProposal {
	sig, name := keyOf(p.SchemaKey)
	return &tallycatv1.VersionProposal{
		SchemaId: p.SchemaID, SchemaKey: name, Signal: sig, BaseSchemaId: p.BaseSchemaID, BaseVersion: p.BaseVersion,
		ProposedVersion: p.ProposedVersion, ChangeLevel: p.Level, Reasons: p.Reasons, Breaks: each(p.Breaks, breakToProto),
	}
}
