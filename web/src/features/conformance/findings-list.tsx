import { Link } from "@tanstack/react-router";
import { LevelBadge } from "@/components/badges";
import { Examples, Expectation, hasExpectation, Producers, Replacement } from "@/components/finding";
import { RelativeTime } from "@/components/relative-time";
import { SchemaLink } from "@/components/schema-link";
import { Skeleton } from "@/components/ui/skeleton";
import type { Finding } from "@/gen/tallycat/v1/conformance_service_pb";
import { findingLevelLabel } from "@/lib/format";
import { signalSearch } from "@/lib/signal";

/** FindingRow is one finding in full: level, id, metric and schema, attribute, message, expected beside seen, replacement, producers. */
function FindingRow({ finding: f }: { finding: Finding }) {
  return (
    <li className="space-y-1.5 py-3" data-testid="finding" data-level={findingLevelLabel[f.level]} data-finding={f.findingId}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <LevelBadge level={f.level} />
        <code className="font-mono text-[13px] font-semibold" data-testid="finding-id">
          {f.findingId}
        </code>
        {f.schemaKey && (
          <Link
            to="/metrics/$key"
            params={{ key: f.schemaKey }}
            search={signalSearch(f.signal)}
            className="break-all font-mono text-[13px] text-primary hover:underline"
            data-testid="finding-metric"
          >
            {f.schemaKey}
          </Link>
        )}
        {f.schemaId && (
          <span className="text-xs text-muted-foreground">
            schema <SchemaLink id={f.schemaId} />
          </span>
        )}
        {f.attribute && (
          <span className="text-xs text-muted-foreground">
            attribute{" "}
            <code className="font-mono text-[13px] text-foreground" data-testid="finding-attribute">
              {f.attribute}
            </code>
          </span>
        )}
        {f.firstSeen && (
          <span className="ml-auto text-xs text-muted-foreground">
            since <RelativeTime value={f.firstSeen} />
          </span>
        )}
      </div>
      <p className="text-sm" data-testid="finding-message">
        {f.message}
      </p>
      <Examples finding={f} max={10} />
      {(hasExpectation(f) || f.replacement || f.producers.length > 0) && (
        <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
          <Expectation finding={f} />
          <Replacement finding={f} />
          <Producers producers={f.producers} />
        </div>
      )}
    </li>
  );
}

/** FindingsList is a page of findings, most severe first as the catalog sorts them. */
export function FindingsList({ findings, loading, emptyText }: { findings: Finding[] | undefined; loading: boolean; emptyText: string }) {
  if (loading && !findings) {
    return (
      <div className="space-y-3">
        <Skeleton className="h-16" />
        <Skeleton className="h-16" />
      </div>
    );
  }
  if (!findings || findings.length === 0) {
    return <p className="py-6 text-center text-sm text-muted-foreground">{emptyText}</p>;
  }
  return (
    <ul className="divide-y" aria-label="Findings">
      {findings.map((f, i) => (
        <FindingRow key={`${f.schemaId}/${f.findingId}/${f.attribute}/${i}`} finding={f} />
      ))}
    </ul>
  );
}
