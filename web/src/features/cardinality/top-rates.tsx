import { Link } from "@tanstack/react-router";
import { SpanKindBadge } from "@/components/badges";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { ScopeMark } from "@/features/metrics/signal-cells";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { signalSearch, signalWords } from "@/lib/signal";

/** rateOf is a key's items a minute over the window; 0 without data in it. */
export const rateOf = (k: SchemaKeySummary) => k.cost?.dataPointsPerMinute ?? 0;

/** RateBar is a rate with a bar against the largest in its list. */
function RateBar({ value, max }: { value: number; max: number }) {
  const pct = max > 0 ? Math.max(2, (value / max) * 100) : 0;
  return (
    <span className="inline-flex items-center justify-end gap-2">
      <span className="hidden h-1.5 w-16 overflow-hidden rounded-full bg-muted sm:block" aria-hidden>
        <span className="block h-full rounded-full bg-primary/60" style={{ width: `${pct}%` }} />
      </span>
      <span className="w-16 text-right tabular-nums" data-testid="rate">
        {formatRate(value)}
      </span>
    </span>
  );
}

type Props = { signal: "span" | "log"; rows: SchemaKeySummary[] | undefined; window: Window; className?: string };

const descriptions = {
  span: "Spans have no series: a tracing backend charges for each span it ingests and keeps. The span names sent most often, all their schemas together; a scope whose span names embed ids is counted under one bucket, marked.",
  log: "Log records have no series: a logging backend charges for what it ingests. The log events sent most often, all their schemas together; a logger stands for its records without an event name.",
} as const;

/**
 * TopRates lists a signal's keys with the highest rate over the window:
 * for spans and logs, which a backend prices by volume rather than by
 * series, the rate is what costs. Only keys with data in the window are
 * listed, as the metrics' top list does.
 */
export function TopRates({ signal, rows, window, className }: Props) {
  const words = signalWords[signal];
  const listed = (rows ?? []).filter((k) => rateOf(k) > 0);
  const max = listed.reduce((m, k) => Math.max(m, rateOf(k)), 0);
  const span = windowLabel[window];
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">{words.title} with the highest rate</CardTitle>
        <CardDescription>{descriptions[signal]}</CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label={`Top ${words.keys}`}>
          <TableHeader>
            <TableRow>
              <TableHead>{signal === "span" ? "Span name" : "Event name or logger"}</TableHead>
              {signal === "span" && <TableHead>Kinds</TableHead>}
              <TableHead className="text-right" title={`${words.Items} a minute over the ${span}`}>
                Rate
              </TableHead>
              <TableHead className="whitespace-nowrap text-right" title={`${words.Items} received over the ${span}`}>
                {words.Items}
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {!rows &&
              Array.from({ length: 3 }, (_, i) => (
                <TableRow key={i}>
                  <TableCell colSpan={signal === "span" ? 4 : 3}>
                    <Skeleton className="h-5 w-full" />
                  </TableCell>
                </TableRow>
              ))}
            {listed.map((k) => (
              <TableRow key={k.schemaKey} data-testid={`top-${signal}`}>
                <TableCell>
                  <Link
                    to="/metrics/$key"
                    params={{ key: k.schemaKey }}
                    search={signalSearch(k.signal)}
                    className="inline-block max-w-[22rem] truncate whitespace-nowrap align-bottom font-mono text-[13px] font-medium text-primary hover:underline"
                    title={k.schemaKey}
                  >
                    {k.schemaKey}
                  </Link>
                  <ScopeMark k={k} signal={signal} />
                </TableCell>
                {signal === "span" && (
                  <TableCell>
                    <div className="flex gap-1 whitespace-nowrap">
                      {k.spanKinds.map((kind) => (
                        <SpanKindBadge key={kind} kind={kind} />
                      ))}
                    </div>
                  </TableCell>
                )}
                <TableCell className="text-right">
                  <RateBar value={rateOf(k)} max={max} />
                </TableCell>
                <TableCell className="text-right tabular-nums text-muted-foreground" title={`${formatCount(k.cost?.dataPoints ?? 0n)} ${words.items}`}>
                  {formatCompact(k.cost?.dataPoints ?? 0n)}
                </TableCell>
              </TableRow>
            ))}
            {rows && listed.length === 0 && (
              <TableRow>
                <TableCell colSpan={signal === "span" ? 4 : 3} className="py-6 text-center text-muted-foreground">
                  No {words.key} had {words.items} in this window.
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
        <Link
          to="/"
          search={{ ...signalSearch(signal), sort: SchemaKeySort.DATA_POINT_RATE, desc: true, window: window === Window.LAST_DAY ? window : undefined }}
          className="mt-3 inline-block text-sm text-primary hover:underline"
        >
          Every {words.key} by rate →
        </Link>
      </CardContent>
    </Card>
  );
}
