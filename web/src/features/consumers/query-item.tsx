import type { ConsumerQuery } from "@/gen/tallycat/v1/consumer_service_pb";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import type { ConsumerKind } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";
import { ConsumerFindingRow, KeyLink } from "./consumer-finding";
import { placeOf, queryAnchor } from "./words";

/** isBroken says whether a query does not parse or reads what nothing sends (a violation). */
export function isBroken(q: ConsumerQuery): boolean {
  return Boolean(q.error) || q.findings.some((f) => f.level === FindingLevel.VIOLATION);
}

/**
 * QueryItem is one query of a dashboard or rule: where it is (panel or
 * rule, ref id, datasource), its expression as parsed (and as written when
 * template variables changed it), the metric keys it reads, each a link,
 * and its findings; a query that does not parse shows the parser's error.
 */
export function QueryItem({ query: q, kind, consumerTitle }: { query: ConsumerQuery; kind: ConsumerKind; consumerTitle: string }) {
  const broken = isBroken(q);
  const place = placeOf(kind, consumerTitle, { panel: q.panel, refId: "" }) || q.panel;
  return (
    <li
      id={queryAnchor(q)}
      className={cn("scroll-mt-4 space-y-2 rounded-lg border bg-background p-4 target:ring-2 target:ring-primary", broken && "border-destructive/40")}
      data-testid="consumer-query"
      data-broken={broken || undefined}
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="font-medium" data-testid="query-place">
          {place || "(no panel)"}
        </span>
        {q.refId && (
          <span className="text-xs text-muted-foreground" data-testid="query-ref">
            ref <code className="font-mono">{q.refId}</code>
          </span>
        )}
        {q.datasource && <span className="text-xs text-muted-foreground">datasource {q.datasource}</span>}
        {(q.path || q.line > 0) && (
          <code className="ml-auto break-all font-mono text-[11px] text-muted-foreground" title="Where the query is in its document">
            {q.path}
            {q.line > 0 && ` (line ${q.line})`}
          </code>
        )}
      </div>
      <pre className="whitespace-pre-wrap break-all rounded-md bg-muted px-3 py-2 font-mono text-[13px]" data-testid="query-expr">
        {q.expr || q.raw}
      </pre>
      {q.raw && q.expr && q.raw !== q.expr && (
        <p className="text-xs text-muted-foreground">
          as written: <code className="whitespace-pre-wrap break-all font-mono">{q.raw}</code>
        </p>
      )}
      {q.error ? (
        <p className="break-words text-sm text-destructive" data-testid="query-error">
          Does not parse: <span className="font-mono text-xs">{q.error}</span>
        </p>
      ) : (
        <p className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-sm" data-testid="query-keys">
          <span className="text-muted-foreground">reads</span>
          {q.schemaKeys.length === 0 ? (
            <span className="text-muted-foreground">no metric the catalog holds</span>
          ) : (
            q.schemaKeys.map((k) => <KeyLink key={k} schemaKey={k} testId="query-key" />)
          )}
          {q.groupLabels.length > 0 && (
            <span className="text-xs text-muted-foreground">
              lists the values of <code className="font-mono">{q.groupLabels.join(", ")}</code>
            </span>
          )}
        </p>
      )}
      {q.findings.length > 0 && (
        <ul className="divide-y border-t pt-2" aria-label="Findings of this query">
          {q.findings.map((f, i) => (
            <ConsumerFindingRow key={`${f.findingId}/${f.selector}/${f.label}/${i}`} finding={f} showKey />
          ))}
        </ul>
      )}
    </li>
  );
}
