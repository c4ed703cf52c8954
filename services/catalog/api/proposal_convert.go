package api

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog/proposals"
)

// toVersionProposal converts a proposal to its message.
func toVersionProposal(p proposals.Proposal) *tallycatv1.VersionProposal {
	return &tallycatv1.VersionProposal{
		SchemaId: p.SchemaID, SchemaKey: p.SchemaKey, BaseSchemaId: p.BaseSchemaID, BaseVersion: p.BaseVersion,
		ProposedVersion: p.ProposedVersion, ChangeLevel: p.Level, Reasons: p.Reasons,
	}
}
