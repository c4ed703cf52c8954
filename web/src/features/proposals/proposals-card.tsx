import { Code, ConnectError } from "@connectrpc/connect";
import { GitPullRequestArrow } from "lucide-react";
import { useProposals } from "@/api/versioning";
import { ErrorState } from "@/components/error-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ProposalItem } from "./proposal-item";

type Props = { schemaKey: string; schemaId?: undefined } | { schemaId: string; schemaKey?: undefined };

/**
 * ProposalsCard lists the versions TallyCat proposes for one schema, or for
 * the schemas of one metric, each with one click to accept or dismiss. It
 * shows nothing while there is none: most metrics have no versions.
 */
export function ProposalsCard({ schemaKey, schemaId }: Props) {
  const q = useProposals(schemaId ? { schemaId } : { schemaKey: schemaKey ?? "" });
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
