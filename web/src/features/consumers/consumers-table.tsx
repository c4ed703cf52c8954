import { Link } from "@tanstack/react-router";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Consumer } from "@/gen/tallycat/v1/consumer_service_pb";
import { cn } from "@/lib/utils";
import { KindBadge } from "./consumer-link";

/** Count is a figure that is muted at zero and marked when it is bad news. */
function Count({ value, bad, testId }: { value: number; bad?: boolean; testId: string }) {
  return (
    <span className={cn("tabular-nums", value === 0 ? "text-muted-foreground" : bad && "font-medium text-destructive")} data-testid={testId}>
      {value.toLocaleString("en")}
    </span>
  );
}

/** skippedText lists a consumer's queries on other datasources by type: "loki 3, tempo 1". */
export function skippedText(skipped: { [type: string]: number }): string {
  return Object.entries(skipped)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => `${type} ${n}`)
    .join(", ");
}

type Props = { rows: Consumer[] | undefined; loading: boolean; emptyText: string };

/**
 * ConsumersTable lists dashboards and rules in the catalog's order (the
 * most severe findings first), each with its kind, folder and source,
 * its queries, those that do not parse and those that read what nothing
 * sends, and its findings by level.
 */
export function ConsumersTable({ rows, loading, emptyText }: Props) {
  if (loading && !rows) {
    return (
      <div className="space-y-2">
        <Skeleton className="h-10" />
        <Skeleton className="h-10" />
        <Skeleton className="h-10" />
      </div>
    );
  }
  return (
    <div className="rounded-lg border bg-background">
      <Table aria-label="Consumers">
        <TableHeader>
          <TableRow>
            <TableHead>Dashboard or rule</TableHead>
            <TableHead>Source</TableHead>
            <TableHead className="text-right">Queries</TableHead>
            <TableHead className="text-right" title="Queries that do not parse">
              Unparsed
            </TableHead>
            <TableHead className="text-right" title="Queries that read what nothing sends (a violation) or do not parse">
              Broken
            </TableHead>
            <TableHead className="text-right">Findings</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {(rows ?? []).map((c) => {
            const broken = c.broken > 0 || c.unparsed > 0;
            const skipped = skippedText(c.skipped);
            return (
              <TableRow key={c.consumerId} data-testid="consumer-row" data-broken={broken || undefined} className={cn(broken && "bg-destructive/[0.03]")}>
                <TableCell className="max-w-[28rem]">
                  <div className="flex flex-wrap items-center gap-2">
                    <Link
                      to="/consumers/$consumerId"
                      params={{ consumerId: c.consumerId }}
                      className="font-medium text-primary hover:underline"
                      data-testid="consumer-title"
                    >
                      {c.title || c.uid || "(untitled)"}
                    </Link>
                    <KindBadge kind={c.kind} />
                  </div>
                  {c.folder && (
                    <p className="truncate text-xs text-muted-foreground" title={c.folder} data-testid="consumer-folder">
                      {c.folder}
                    </p>
                  )}
                </TableCell>
                <TableCell className="max-w-[20rem]">
                  <span className="block truncate font-mono text-xs text-muted-foreground" title={c.source}>
                    {c.source}
                  </span>
                </TableCell>
                <TableCell className="text-right" title={skipped ? `Besides, on other datasources: ${skipped}` : undefined}>
                  <Count value={c.queryCount} testId="consumer-queries" />
                  {skipped && <p className="text-xs text-muted-foreground">+ skipped {Object.values(c.skipped).reduce((a, b) => a + b, 0)}</p>}
                </TableCell>
                <TableCell className="text-right">
                  <Count value={c.unparsed} bad testId="consumer-unparsed" />
                </TableCell>
                <TableCell className="text-right">
                  <Count value={c.broken} bad testId="consumer-broken" />
                </TableCell>
                <TableCell className="whitespace-nowrap text-right text-sm" data-testid="consumer-findings">
                  {c.violations === 0 && c.improvements === 0 ? (
                    <span className="text-muted-foreground">none</span>
                  ) : (
                    <span className="inline-flex flex-wrap justify-end gap-x-2">
                      {c.violations > 0 && (
                        <span className="text-red-700 dark:text-red-300">
                          {c.violations} {c.violations === 1 ? "violation" : "violations"}
                        </span>
                      )}
                      {c.improvements > 0 && (
                        <span className="text-amber-700 dark:text-amber-300">
                          {c.improvements} {c.improvements === 1 ? "improvement" : "improvements"}
                        </span>
                      )}
                    </span>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
          {rows && rows.length === 0 && (
            <TableRow>
              <TableCell colSpan={6} className="py-6 text-center text-muted-foreground">
                {emptyText}
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </div>
  );
}
