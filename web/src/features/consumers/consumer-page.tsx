import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { ChevronLeft } from "lucide-react";
import { useConsumer } from "@/api/consumers";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import type { Consumer } from "@/gen/tallycat/v1/consumer_service_pb";
import { KindBadge } from "./consumer-link";
import { skippedText } from "./consumers-table";
import { isBroken, QueryItem } from "./query-item";
import { formatLabel } from "./words";

/** ConsumerPage shows one dashboard or rule: where it comes from and each of its queries with what it reads and what is wrong. */
export function ConsumerPage({ consumerId }: { consumerId: string }) {
  const q = useConsumer(consumerId);
  return (
    <div className="space-y-6">
      <Link to="/consumers" className="inline-flex items-center text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft className="h-4 w-4" /> Consumers
      </Link>
      {q.error ? (
        <ErrorState error={q.error} retry={() => q.refetch()} />
      ) : q.isPending ? (
        <div className="space-y-4">
          <Skeleton className="h-10 w-96" />
          <Skeleton className="h-48" />
        </div>
      ) : q.data.consumer ? (
        <ConsumerView consumer={q.data.consumer} />
      ) : null}
    </div>
  );
}

function ConsumerView({ consumer: c }: { consumer: Consumer }) {
  const [brokenOnly, setBrokenOnly] = useState(false);
  const brokenCount = c.queries.filter(isBroken).length;
  const shown = brokenOnly ? c.queries.filter(isBroken) : c.queries;
  const skipped = skippedText(c.skipped);
  const title = c.title || c.uid || "(untitled)";
  return (
    <>
      <div className="space-y-1">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <KindBadge kind={c.kind} />
        </div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm" data-testid="consumer-meta">
          {c.folder && (
            <>
              <dt className="text-muted-foreground">Folder</dt>
              <dd>{c.folder}</dd>
            </>
          )}
          <dt className="text-muted-foreground">Source</dt>
          <dd className="break-all font-mono text-[13px]">
            {c.source}
            {formatLabel[c.format] && <span className="font-sans text-muted-foreground"> · {formatLabel[c.format]}</span>}
          </dd>
          {c.origin && (
            <>
              <dt className="text-muted-foreground">Synced from</dt>
              <dd className="break-all font-mono text-[13px]">
                {c.origin}
                {c.syncedAt && (
                  <span className="font-sans text-muted-foreground">
                    {" "}
                    · changed <RelativeTime value={c.syncedAt} />
                  </span>
                )}
              </dd>
            </>
          )}
        </dl>
        <p className="text-sm text-muted-foreground" data-testid="consumer-counts">
          {c.queryCount} {c.queryCount === 1 ? "query" : "queries"}
          {c.unparsed > 0 && `, ${c.unparsed} unparsed`}
          {c.broken > 0 && `, ${c.broken} broken`}
          {skipped && `; skipped on other datasources: ${skipped}`}
        </p>
      </div>

      {c.notes.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle className="text-base">What could not be read</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="list-disc space-y-0.5 pl-5 text-sm text-muted-foreground" data-testid="consumer-notes">
              {c.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}

      <section className="space-y-3" aria-label="Queries">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">Queries</h2>
          {brokenCount > 0 && brokenCount < c.queries.length && (
            <div className="flex items-center gap-2">
              <Switch id="broken-queries" checked={brokenOnly} onCheckedChange={setBrokenOnly} />
              <Label htmlFor="broken-queries" className="cursor-pointer text-sm font-normal text-muted-foreground">
                Broken only ({brokenCount})
              </Label>
            </div>
          )}
        </div>
        {shown.length === 0 ? (
          <p className="rounded-lg border bg-background p-6 text-sm text-muted-foreground">
            No Prometheus query{skipped ? `: its queries are on other datasources (${skipped})` : ""}.
          </p>
        ) : (
          <ol className="space-y-3">
            {shown.map((q, i) => (
              <QueryItem key={`${q.path}/${q.panel}/${q.refId}/${i}`} query={q} kind={c.kind} consumerTitle={c.title} />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
