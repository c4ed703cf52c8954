package api

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// toFindingGroup converts a finding as ListFindings lists it: once, with
// its title and every schema it concerns (see conformance.Group), so that
// clients need neither group nor name findings themselves.
func toFindingGroup(g conformance.Group) *tallycatv1.Finding {
	out := toFinding(g.Finding)
	out.Title = conformance.Title(g.ID)
	for _, c := range g.Schemas {
		out.Schemas = append(out.Schemas, &tallycatv1.ConcernedSchema{SchemaId: c.SchemaID, Producers: toFindingProducers(c.Producers)})
	}
	return out
}

func toFindingProducers(rs []catalog.ReleaseIdentity) []*tallycatv1.FindingProducer {
	out := make([]*tallycatv1.FindingProducer, 0, len(rs))
	for _, p := range rs {
		out = append(out, &tallycatv1.FindingProducer{ServiceName: p.ServiceName, ServiceNamespace: p.ServiceNamespace, ServiceVersion: p.ServiceVersion})
	}
	return out
}

// toConformanceSummaryTitled converts the summary, with each finding id's
// title beside its counts.
func toConformanceSummaryTitled(s conformance.Summary) *tallycatv1.GetConformanceSummaryResponse {
	out := toConformanceSummary(s)
	for _, c := range out.ByFinding {
		c.Title = conformance.Title(c.Name)
	}
	return out
}
