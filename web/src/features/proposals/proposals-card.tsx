import { Code, ConnectError } from "@connectrpc/connect";
import { GitPullRequestArrow } from "lucide-react";
import { useProposals } from "@/api/versioning";
import { ErrorState } from "@/components/error-state";
import type { Signal } from "@/gen/tallycat/v1/schema_pb";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ProposalItem } from "./proposal-item";

type Props = { schemaKey: string; signal: Signal; schemaId?: undefined } | { schemaId: string; schemaKey?: undefined; signal?: undefined };

/**
 * ProposalsCard lists the versions TallyCat proposes for one schema, or for
 * the schemas of one key of a signal, each with one click to accept or
 * dismiss. It shows nothing while there is none: most keys have no versions.
 */
export function ProposalsCard(props: Props) {
  const q = useProposals(props.schemaId !== undefined ? { schemaId: props.schemaId } : { schemaKey: props.schemaKey, signal: props.signal });
  const { schemaId } = props;
  // A metric or schema the catalog no longer holds has no proposals; the
  // page says it is gone.
  if (q.error && ConnectError.from(q.error).code === Code.NotFound) return null;
  if (q.error) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  const proposals = q.data?.proposals ?? [];
  if (proposals.length === 0) return null;
  return (
    <Card data-testid="proposals-card" className="border-primary/40">
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-base">
          <GitPullRequestArrow className="h-4 w-4 text-primary" aria-hidden />
          {proposals.length === 1 ? "Version proposal" : `${proposals.length} version proposals`}
        </CardTitle>
        <CardDescription>
          A release changed a versioned shape: TallyCat proposes the next version by SemVer, from what changed.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="divide-y" aria-label="Version proposals">
          {proposals.map((p) => (
            <ProposalItem key={`${p.schemaId}/${p.proposedVersion}`} proposal={p} withSchema={!schemaId} />
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
