import { Link } from "@tanstack/react-router";
import { useConsumerFindings } from "@/api/consumers";
import { ErrorState } from "@/components/error-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { syncCommand } from "@/features/consumers/sync-hint";
import { formatCompact, formatCount, formatRate } from "@/lib/format";

/** SHOWN is how many unused metrics the card lists: those with the most series. */
const SHOWN = 10;

const money = (v: number | undefined) => (v === undefined ? "—" : v.toLocaleString(undefined, { maximumFractionDigits: v < 10 ? 2 : 0 }));

/**
 * UnusedMetrics lists the metrics no synced dashboard or rule reads,
 * the most series first, then the most data points a minute (the catalog
 * ranks them; not by price): what can stop being sent.
 * TallyCat's own are left out unless shown, as the page's other lists.
 * Before any dashboard or rule was synced nothing is known to be unused:
 * the list is hidden and the card says how to sync.
 */
export function UnusedMetrics({ showSelf }: { showSelf: boolean }) {
  const q = useConsumerFindings({ findingIds: ["unused_metric"], excludeSelfTelemetry: !showSelf, pageSize: SHOWN });
  const synced = (q.data?.stats?.consumers ?? 0) > 0;
  const rows = q.data?.findings ?? [];
  const total = Number(q.data?.totalSize ?? 0n);
  const priced = rows.some((f) => f.cost?.estimatedMonthlyCost !== undefined);
  return (
    <Card data-testid="unused-metrics">
      <CardHeader className="flex flex-row flex-wrap items-baseline justify-between gap-x-4 gap-y-1 space-y-0">
        <div className="space-y-1">
          <CardTitle className="text-base">Unused metrics</CardTitle>
          <CardDescription>
            Metrics no dashboard, alert or recording rule reads, costliest over the last hour first: what can stop being sent (
            <code className="font-mono text-xs">tallycat collector-config --drop-unused</code> writes the processors that drop them).
          </CardDescription>
        </div>
        {synced && (
          <Link to="/consumers" className="text-sm text-primary hover:underline">
            The dashboards and rules read →
          </Link>
        )}
      </CardHeader>
      <CardContent>
        {q.error ? (
          <ErrorState error={q.error} retry={() => q.refetch()} />
        ) : q.isPending ? (
          <Skeleton className="h-24" />
        ) : !synced ? (
          <p className="text-sm text-muted-foreground" data-testid="unused-unknown">
            No dashboard or rule has been synced to the catalog, so nothing is known to be unused. Sync them from CI with{" "}
            <code className="break-all font-mono text-xs text-foreground">{syncCommand}</code> (see the{" "}
            <Link to="/consumers" className="text-primary hover:underline">
              Consumers
            </Link>{" "}
            page).
          </p>
        ) : rows.length === 0 ? (
          <p className="text-sm text-muted-foreground" data-testid="no-unused">
            Every metric is read by a dashboard or rule.
          </p>
        ) : (
          <Table aria-label="Unused metrics">
            <TableHeader>
              <TableRow>
                <TableHead>Metric</TableHead>
                <TableHead className="text-right">Series</TableHead>
                <TableHead className="text-right">Data points</TableHead>
                {priced && <TableHead className="text-right">Per month</TableHead>}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((f) => (
                <TableRow key={f.schemaKey} data-testid="unused-metric">
                  <TableCell>
                    <Link to="/metrics/$key" params={{ key: f.schemaKey }} className="break-all font-mono text-[13px] font-medium text-primary hover:underline">
                      {f.schemaKey}
                    </Link>
                  </TableCell>
                  <TableCell className="text-right tabular-nums" title={`≈ ${formatCount(f.cost?.seriesEstimate ?? 0n)} series`} data-testid="unused-series">
                    {formatCompact(f.cost?.seriesEstimate ?? 0n)}
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-right tabular-nums text-muted-foreground" data-testid="unused-rate">
                    {formatRate(f.cost?.dataPointsPerMinute ?? 0)}
                  </TableCell>
                  {priced && (
                    <TableCell className="text-right tabular-nums" data-testid="unused-monthly">
                      {money(f.cost?.estimatedMonthlyCost)}
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {synced && total > rows.length && (
          <p className="pt-2 text-xs text-muted-foreground">
            …and {total - rows.length} more, none with more series than those listed (they are ordered by series, then by data points a
            minute).
          </p>
        )}
      </CardContent>
    </Card>
  );
}
