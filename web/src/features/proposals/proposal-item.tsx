import { Link } from "@tanstack/react-router";
import { Badge } from "@/components/ui/badge";
import { SchemaLink } from "@/components/schema-link";
import { ConsumerBreaks } from "@/features/consumers/breaks";
import { ChangeLevel, type VersionProposal } from "@/gen/tallycat/v1/versioning_service_pb";
import { changeLevelLabel } from "@/lib/format";
import { signalSearch } from "@/lib/signal";
import { ProposalActions } from "./proposal-actions";

const levelVariant = {
  [ChangeLevel.UNSPECIFIED]: "outline",
  [ChangeLevel.PATCH]: "secondary",
  [ChangeLevel.MINOR]: "success",
  [ChangeLevel.MAJOR]: "warning",
} as const;

/**
 * ProposalItem is one proposed version: what it is relative to, what
 * changed (the reasons are the diff), the way to compare the two schemas
 * side by side, and the buttons to accept or dismiss it. withSchema names
 * the schema it is for, where the page lists several.
 */
export function ProposalItem({ proposal: p, withSchema = false }: { proposal: VersionProposal; withSchema?: boolean }) {
  return (
    <li
      className="space-y-2 py-3 first:pt-0 last:pb-0"
      data-testid="proposal"
      data-version={p.proposedVersion}
      data-level={changeLevelLabel[p.changeLevel]}
    >
      <p className="text-sm leading-6" data-testid="proposal-summary">
        Proposed version <code className="font-mono font-semibold">{p.proposedVersion}</code>{" "}
        <Badge variant={levelVariant[p.changeLevel]}>({changeLevelLabel[p.changeLevel]})</Badge>
        {withSchema && (
          <>
            {" "}
            for schema <SchemaLink id={p.schemaId} />
          </>
        )}{" "}
        relative to <code className="font-mono">{p.baseVersion}</code> of schema <SchemaLink id={p.baseSchemaId} />
      </p>
      <ConsumerBreaks breaks={p.breaks} />
      {p.reasons.length > 0 && (
        <ul className="list-disc space-y-0.5 pl-5 text-sm text-muted-foreground" aria-label={`Changes since ${p.baseVersion}`}>
          {p.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <div className="flex flex-wrap items-start justify-between gap-2">
        <ProposalActions proposal={p} />
        <Link
          to="/metrics/$key"
          params={{ key: p.schemaKey }}
          search={{ ...signalSearch(p.signal), superseded: true, base: p.baseSchemaId, target: p.schemaId }}
          hash="compare"
          className="text-sm text-primary hover:underline"
          data-testid="proposal-diff-link"
        >
          Compare with {p.baseVersion} →
        </Link>
      </div>
    </li>
  );
}
