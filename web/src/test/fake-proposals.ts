import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { SchemaVersionSchema, VersionStatus, type ConsumerBreak, type SchemaVersion } from "@/gen/tallycat/v1/schema_pb";
import {
  ChangeLevel,
  VersionProposalSchema,
  type AcceptProposalRequest,
  type DismissProposalRequest,
  type ListProposalsRequest,
  type VersionProposal,
} from "@/gen/tallycat/v1/versioning_service_pb";

const schemaA = "a".repeat(32);
const schemaD = "d".repeat(32);

/**
 * proposalA is the version proposed for schemaA: checkout 1.4.1 moved to it
 * from schemaD, versioned 0.9.0, adding http.request.method on some points.
 */
export const proposalA: VersionProposal = create(VersionProposalSchema, {
  schemaId: schemaA,
  schemaKey: "http.server.request.duration",
  baseSchemaId: schemaD,
  baseVersion: "0.9.0",
  proposedVersion: "0.10.0",
  changeLevel: ChangeLevel.MINOR,
  reasons: ["added optional attribute http.request.method (string)"],
});

type Calls = { acceptProposal: string[]; dismissProposal: { version: string; reason: string }[] };

/**
 * fakeProposals is the fake catalog's proposals: listed until accepted or
 * dismissed, an accepted one becoming its schema's version. staleProposal
 * makes the catalog refuse proposalA as no longer made, and drop it; breaks
 * makes proposalA break those consumers' queries, and so major.
 */
export function fakeProposals(opts: { staleProposal?: boolean; breaks?: ConsumerBreak[] }, calls: Calls) {
  let proposals = [
    opts.breaks
      ? create(VersionProposalSchema, {
          ...proposalA,
          proposedVersion: "1.0.0",
          changeLevel: ChangeLevel.MAJOR,
          reasons: [...proposalA.reasons, "breaks 2 dashboard and rule queries"],
          breaks: opts.breaks,
        })
      : proposalA,
  ];
  const accepted = new Map<string, SchemaVersion>();
  const take = (schemaId: string, version: string) => {
    const p = proposals.find((p) => p.schemaId === schemaId && p.proposedVersion === version);
    proposals = proposals.filter((q) => q !== p);
    if (!p || opts.staleProposal) {
      throw new ConnectError(`schema ${schemaId} has no proposal of version ${version}`, Code.FailedPrecondition);
    }
  };
  const handlers = {
    listProposals: (req: ListProposalsRequest) => ({
      proposals: proposals.filter((p) => (req.schemaId ? p.schemaId === req.schemaId : p.schemaKey === req.schemaKey)),
    }),
    acceptProposal(req: AcceptProposalRequest) {
      calls.acceptProposal.push(req.proposedVersion);
      take(req.schemaId, req.proposedVersion);
      const version = create(SchemaVersionSchema, {
        schemaId: req.schemaId,
        version: req.proposedVersion,
        status: VersionStatus.ACTIVE,
        actor: "anonymous",
        assignedAt: { seconds: BigInt(Math.floor(Date.now() / 1000) - 60) },
      });
      accepted.set(req.schemaId, version);
      return { version };
    },
    dismissProposal(req: DismissProposalRequest) {
      calls.dismissProposal.push({ version: req.proposedVersion, reason: req.reason });
      take(req.schemaId, req.proposedVersion);
      return {};
    },
  };
  return { handlers, accepted };
}
