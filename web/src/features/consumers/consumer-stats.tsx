import { Card, CardContent } from "@/components/ui/card";
import type { ConsumerStats } from "@/gen/tallycat/v1/consumer_service_pb";
import { formatShare } from "@/lib/format";
import { skippedText } from "./consumers-table";

/** Stat is one figure with its label and a line that explains it. */
function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="min-w-[9rem] space-y-0.5" data-testid={testId}>
      <p className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{label}</p>
      <p className="text-2xl font-semibold tabular-nums">{value}</p>
      {note && <p className="text-xs text-muted-foreground">{note}</p>}
    </div>
  );
}

const n = (v: number) => v.toLocaleString("en");

/**
 * ConsumerStatsCard counts what was read and judged: the dashboards and
 * rules, their queries and those that do not parse, the queries skipped
 * for another datasource, and how many of the catalog's metrics any
 * query reads (the rest are what nobody reads).
 */
export function ConsumerStatsCard({ stats }: { stats: ConsumerStats }) {
  const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
  const notJudged = [
    stats.prometheusOwnSeries > 0 && `${n(stats.prometheusOwnSeries)} on Prometheus' own series (up, ALERTS)`,
    stats.recordedSeries > 0 && `${n(stats.recordedSeries)} on series recording rules write`,
  ].filter(Boolean);
  return (
    <Card>
      <CardContent className="flex flex-wrap gap-x-10 gap-y-4 pt-6">
        <Stat label="Dashboards and rules" value={n(stats.consumers)} testId="stat-consumers" />
        <Stat
          label="Queries"
          value={n(stats.queries)}
          note={notJudged.length > 0 ? `not judged: ${notJudged.join("; ")}` : undefined}
          testId="stat-queries"
        />
        <Stat label="Unparsed" value={n(stats.unparsed)} note="kept with the parser's error" testId="stat-unparsed" />
        <Stat
          label="Skipped"
          value={n(skipped)}
          note={skipped > 0 ? `other datasources: ${skippedText(stats.skipped)}` : "no query on another datasource"}
          testId="stat-skipped"
        />
        <Stat
          label="Metrics read"
          value={`${n(stats.usedMetrics)} of ${n(stats.metrics)}`}
          note={stats.metrics > 0 ? `${formatShare(stats.usedMetrics / stats.metrics)} of the catalog's metrics are read by a query` : undefined}
          testId="stat-metrics"
        />
      </CardContent>
    </Card>
  );
}
