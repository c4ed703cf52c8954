import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { CheckCircle2 } from "lucide-react";
import { useFindings } from "@/api/conformance";
import { LevelBadge } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { Examples, Expectation, FindingId, findingTitle, hasExpectation, InformationToggle, Producers, Replacement, splitInformation } from "@/components/finding";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { Finding } from "@/gen/tallycat/v1/conformance_service_pb";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { signalSearch, wordsOf } from "@/lib/signal";

const LIMIT = 10;

type Props = { schemaKey: string; signal: Signal; schemaId?: undefined } | { schemaId: string; schemaKey?: undefined; signal?: undefined };

/**
 * FindingsCard lists, compactly, what the registries say about a key of a
 * signal (all its schemas) or one schema: each finding once, with its
 * level, title, attribute, expected beside seen and, for a key, the
 * producers of the schemas it concerns; its id small. Information is
 * folded behind a count. The way to the Conformance page filtered to it
 * is in the header.
 */
export function FindingsCard({ schemaKey, signal, schemaId }: Props) {
  const q = useFindings({ schemaKey: schemaKey ?? "", signals: signal ? [signal] : [], schemaId: schemaId ?? "", pageSize: LIMIT });
  const [open, setOpen] = useState(false);
  const subject = schemaId ? "schema" : wordsOf(signal ?? Signal.METRIC).key;
  const total = Number(q.data?.totalSize ?? 0n);
  const findings = q.data?.findings ?? [];
  const more = Math.max(total, findings.length) - findings.length;
  const { action, information } = splitInformation(findings);
  const row = (f: Finding, i: number) => (
    <li
      key={`${f.schemaId}/${f.findingId}/${f.attribute}/${i}`}
      className="space-y-1 py-2 first:pt-0 last:pb-0"
      data-testid="finding"
      data-finding={f.findingId}
      title={f.message}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <LevelBadge level={f.level} />
        <span className="text-sm font-medium" data-testid="finding-title">
          {findingTitle(f)}
        </span>
        {f.attribute && (
          <code className="font-mono text-[13px] text-muted-foreground" data-testid="finding-attribute">
            {f.attribute}
          </code>
        )}
        <Expectation finding={f} />
        <Replacement finding={f} />
        {!hasExpectation(f) && !f.replacement && <span className="text-sm text-muted-foreground">{f.message}</span>}
        <Examples finding={f} />
        <FindingId id={f.findingId} className="ml-auto" />
      </div>
      {!schemaId && <Producers finding={f} />}
    </li>
  );
  return (
    <Card data-testid="findings-card">
      <CardHeader className="flex flex-row flex-wrap items-baseline justify-between gap-x-4 gap-y-1 space-y-0">
        <div className="space-y-1">
          <CardTitle className="text-base">Conformance</CardTitle>
          <CardDescription>What the semantic conventions and the team's registries say about this {subject}.</CardDescription>
        </div>
        <Link
          to="/conformance"
          search={schemaId ? { schema: schemaId } : { metric: schemaKey, ...signalSearch(signal ?? Signal.METRIC) }}
          className="text-sm text-primary hover:underline"
          data-testid="findings-link"
        >
          {more > 0 ? `All ${total} findings` : "On the Conformance page"} →
        </Link>
      </CardHeader>
      <CardContent>
        {q.error ? (
          <ErrorState error={q.error} retry={() => q.refetch()} />
        ) : q.isPending ? (
          <Skeleton className="h-16" />
        ) : findings.length === 0 ? (
          <p className="flex items-center gap-2 text-sm text-muted-foreground" data-testid="no-findings">
            <CheckCircle2 className="h-4 w-4 text-success" aria-hidden />
            No findings: this {subject} conforms to the registries.
          </p>
        ) : (
          <div className="space-y-2">
            {action.length > 0 ? (
              <ul className="divide-y" aria-label="Findings">
                {action.map(row)}
              </ul>
            ) : (
              <p className="flex items-center gap-2 text-sm text-muted-foreground" data-testid="no-action">
                <CheckCircle2 className="h-4 w-4 text-success" aria-hidden />
                Nothing here asks for action.
              </p>
            )}
            <InformationToggle count={information.length} open={open} onToggle={() => setOpen((o) => !o)} />
            {open && information.length > 0 && (
              <ul className="divide-y" aria-label="Information findings" data-testid="information-findings">
                {information.map(row)}
              </ul>
            )}
          </div>
        )}
        {more > 0 && <p className="pt-2 text-xs text-muted-foreground">…and {more} more.</p>}
      </CardContent>
    </Card>
  );
}
