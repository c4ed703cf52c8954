import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { LevelBadge } from "@/components/badges";
import { Examples, Expectation, FindingId, findingTitle, hasExpectation, InformationToggle, Producers, Replacement, splitInformation } from "@/components/finding";
import { RelativeTime } from "@/components/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import type { Finding } from "@/gen/tallycat/v1/conformance_service_pb";
import { findingLevelLabel } from "@/lib/format";
import { signalSearch } from "@/lib/signal";

/**
 * FindingRow is one finding in full, once however many schemas it
 * concerns: its level, title and id, the key and attribute it is about,
 * its message, expected beside seen, the replacement, and the producers of
 * the schemas it concerns, each a link to its schema.
 */
function FindingRow({ finding: f }: { finding: Finding }) {
  return (
    <li className="space-y-1.5 py-3" data-testid="finding" data-level={findingLevelLabel[f.level]} data-finding={f.findingId}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <LevelBadge level={f.level} />
        <span className="font-medium" data-testid="finding-title">
          {findingTitle(f)}
        </span>
        <FindingId id={f.findingId} />
        {f.firstSeen && (
          <span className="ml-auto text-xs text-muted-foreground">
            since <RelativeTime value={f.firstSeen} />
          </span>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
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
        {f.attribute && (
          <span className="text-xs text-muted-foreground">
            attribute{" "}
            <code className="font-mono text-[13px] text-foreground" data-testid="finding-attribute">
              {f.attribute}
            </code>
          </span>
        )}
        <Producers finding={f} />
      </div>
      <p className="text-sm" data-testid="finding-message">
        {f.message}
      </p>
      <Examples finding={f} max={10} />
      {(hasExpectation(f) || f.replacement) && (
        <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
          <Expectation finding={f} />
          <Replacement finding={f} />
        </div>
      )}
    </li>
  );
}

type Props = {
  findings: Finding[] | undefined;
  loading: boolean;
  emptyText: string;
  /** fold folds the information-level findings behind a toggle that counts them, unless a filter asked for them. */
  fold?: boolean;
};

/**
 * FindingsList is a page of findings, most severe first as the catalog
 * sorts them. Information asks for no action and can be most of a page (a
 * metric's opt-in attributes), so it is folded by default behind a count.
 */
export function FindingsList({ findings, loading, emptyText, fold = true }: Props) {
  const [open, setOpen] = useState(false);
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
  const { action, information } = splitInformation(findings);
  const folded = fold && !open;
  const shown = fold ? action : findings;
  return (
    <div className="space-y-2">
      {shown.length > 0 && (
        <ul className="divide-y" aria-label="Findings">
          {shown.map((f, i) => (
            <FindingRow key={`${f.schemaId}/${f.findingId}/${f.attribute}/${i}`} finding={f} />
          ))}
        </ul>
      )}
      {fold && (
        <>
          {action.length === 0 && folded && <p className="pt-2 text-sm text-muted-foreground">Nothing on this page asks for action.</p>}
          <InformationToggle count={information.length} open={open} onToggle={() => setOpen((o) => !o)} className="pt-1" />
          {!folded && (
            <ul className="divide-y border-t" aria-label="Information findings" data-testid="information-findings">
              {information.map((f, i) => (
                <FindingRow key={`${f.schemaId}/${f.findingId}/${f.attribute}/${i}`} finding={f} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
