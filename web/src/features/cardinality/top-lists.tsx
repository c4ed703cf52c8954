import { Link } from "@tanstack/react-router";
import { LineChart } from "lucide-react";
import { HighCardinalityBadge, MetricTypeBadge, SourceBadge } from "@/components/badges";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { TopAttribute, TopMetric, TopRelease } from "@/gen/tallycat/v1/catalog_service_pb";
import { FieldSource, type Cost } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate } from "@/lib/format";
import { signalSearch } from "@/lib/signal";
import { cn } from "@/lib/utils";

/**
 * WholeName is a metric or attribute name on one line, cut short with an
 * ellipsis where the column is too narrow and whole in its title: a name
 * broken after its dots reads as several names.
 */
function WholeName({ name, className }: { name: string; className?: string }) {
  return (
    <span className={cn("block max-w-[22rem] truncate whitespace-nowrap", className)} title={name}>
      {name}
    </span>
  );
}

/** SeriesBar is a series figure with a bar against the largest in its list. */
function SeriesBar({ value, max }: { value: bigint; max: bigint }) {
  const pct = max > 0n ? Math.max(2, (Number(value) / Number(max)) * 100) : 0;
  return (
    <span className="inline-flex items-center justify-end gap-2" title={`≈ ${formatCount(value)} series`}>
      <span className="hidden h-1.5 w-16 overflow-hidden rounded-full bg-muted sm:block" aria-hidden>
        <span className="block h-full rounded-full bg-primary/60" style={{ width: `${pct}%` }} />
      </span>
      <span className="w-12 text-right tabular-nums" data-testid="series">
        {formatCompact(value)}
      </span>
    </span>
  );
}

const seriesOf = (c: Cost | undefined) => c?.seriesEstimate ?? 0n;
const monthlyOf = (c: Cost | undefined) => c?.estimatedMonthlyCost;
/** byMonthly ranks by the price model's monthly estimate when the catalog has one, else keeps the server's order (series). */
function byMonthly<T extends { cost?: Cost }>(rows: T[]): { rows: T[]; priced: boolean } {
  const priced = rows.some((r) => monthlyOf(r.cost) !== undefined);
  return { rows: priced ? [...rows].sort((a, b) => (monthlyOf(b.cost) ?? 0) - (monthlyOf(a.cost) ?? 0)) : rows, priced };
}
const money = (v: number | undefined) => (v === undefined ? "—" : v.toLocaleString(undefined, { maximumFractionDigits: v < 10 ? 2 : 0 }));
const maxOf = (costs: (Cost | undefined)[]) => costs.reduce((m, c) => (seriesOf(c) > m ? seriesOf(c) : m), 0n);
const none = (colSpan: number, text: string) => (
  <TableRow>
    <TableCell colSpan={colSpan} className="py-6 text-center text-muted-foreground">
      {text}
    </TableCell>
  </TableRow>
);

type MetricsProps = { metrics: TopMetric[]; plotted: string | undefined; onPlot: (key: string) => void };

/** TopMetrics lists the metrics with the most series, each a link to its page and a button to plot it. */
export function TopMetrics({ metrics: served, plotted, onPlot }: MetricsProps) {
  const { rows: metrics, priced } = byMonthly(served);
  const max = maxOf(metrics.map((m) => m.cost));
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Metrics with the most series</CardTitle>
        <CardDescription>All of a metric's schemas together.</CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label="Top metrics">
          <TableHeader>
            <TableRow>
              <TableHead>Metric</TableHead>
              <TableHead>Type</TableHead>
              <TableHead className="text-right">Series</TableHead>
              <TableHead className="text-right">Rate</TableHead>
              {priced && <TableHead className="text-right">Per month</TableHead>}
              <TableHead className="w-10">
                <span className="sr-only">Plot</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {metrics.map((m) => (
              <TableRow key={m.schemaKey} data-testid="top-metric" className={cn(plotted === m.schemaKey && "bg-accent/60")}>
                <TableCell>
                  <Link to="/metrics/$key" params={{ key: m.schemaKey }} search={signalSearch(m.signal)} className="font-mono text-[13px] font-medium text-primary hover:underline">
                    <WholeName name={m.schemaKey} />
                  </Link>
                  {m.schemaCount > 1 && <p className="text-xs text-muted-foreground">{m.schemaCount} schemas</p>}
                </TableCell>
                <TableCell>
                  <MetricTypeBadge type={m.metricType} />
                </TableCell>
                <TableCell className="text-right">
                  <SeriesBar value={seriesOf(m.cost)} max={max} />
                </TableCell>
                <TableCell className="whitespace-nowrap text-right tabular-nums text-muted-foreground">{formatRate(m.cost?.dataPointsPerMinute ?? 0)}</TableCell>
                {priced && <TableCell className="text-right tabular-nums" data-testid="monthly">{money(monthlyOf(m.cost))}</TableCell>}
                <TableCell>
                  <button
                    type="button"
                    aria-label={`Plot ${m.schemaKey}`}
                    aria-pressed={plotted === m.schemaKey}
                    title="Plot its series over the last 24 hours"
                    onClick={() => onPlot(m.schemaKey)}
                    className={cn(
                      "rounded p-1 hover:bg-accent hover:text-foreground",
                      plotted === m.schemaKey ? "text-primary" : "text-muted-foreground",
                    )}
                  >
                    <LineChart className="h-4 w-4" aria-hidden />
                  </button>
                </TableCell>
              </TableRow>
            ))}
            {metrics.length === 0 && none(priced ? 6 : 5, "No metric had data points in this window.")}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

/** TopReleases lists the releases (a service at one version, every instance pooled) with the most series over all their metrics. */
export function TopReleases({ releases, className }: { releases: TopRelease[]; className?: string }) {
  const max = maxOf(releases.map((r) => r.cost));
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">Producers with the most series</CardTitle>
        <CardDescription>Each release (a service at one version), every instance and metric together.</CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label="Top releases">
          <TableHeader>
            <TableRow>
              <TableHead>Release</TableHead>
              <TableHead className="text-right">Metrics</TableHead>
              <TableHead className="text-right">Series</TableHead>
              <TableHead className="text-right">Rate</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {releases.map((r) => (
              <TableRow key={`${r.serviceNamespace}/${r.serviceName}/${r.serviceVersion}`} data-testid="top-release">
                <TableCell>
                  <Link to="/" search={{ service: r.serviceName }} className="font-medium text-primary hover:underline" title="The metrics of this service">
                    {r.serviceName}
                  </Link>
                  <p className="text-xs text-muted-foreground">
                    {[r.serviceNamespace, r.serviceVersion].filter(Boolean).join(" · ") || "no version"}
                  </p>
                </TableCell>
                <TableCell className="text-right tabular-nums">{r.metricCount}</TableCell>
                <TableCell className="text-right">
                  <SeriesBar value={seriesOf(r.cost)} max={max} />
                </TableCell>
                <TableCell className="whitespace-nowrap text-right tabular-nums text-muted-foreground">{formatRate(r.cost?.dataPointsPerMinute ?? 0)}</TableCell>
              </TableRow>
            ))}
            {releases.length === 0 && none(4, "No release sent data points in this window.")}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

/** TopAttributes lists the attributes with the most distinct values: what drives a metric's series. */
export function TopAttributes({ attributes, className }: { attributes: TopAttribute[]; className?: string }) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">Attributes that drive cardinality</CardTitle>
        <CardDescription>
          Each distinct value of an attribute is a series of its own: the attributes with the most values, and their metric's series for scale.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label="Top attributes">
          <TableHeader>
            <TableRow>
              <TableHead>Attribute</TableHead>
              <TableHead>Metric</TableHead>
              <TableHead className="whitespace-nowrap text-right">Distinct values</TableHead>
              <TableHead className="whitespace-nowrap text-right">Metric series</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {attributes.map((a) => (
              <TableRow key={`${a.schemaKey}/${a.source}/${a.name}`} data-testid="top-attribute">
                <TableCell>
                  <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
                    <code className="font-mono text-[13px]">
                      <WholeName name={a.name} className="max-w-[11rem]" />
                    </code>
                    {a.source !== FieldSource.DATA_POINT && <SourceBadge source={a.source} />}
                  </span>
                </TableCell>
                <TableCell>
                  <Link to="/metrics/$key" params={{ key: a.schemaKey }} search={signalSearch(a.signal)} className="font-mono text-[13px] text-primary hover:underline">
                    <WholeName name={a.schemaKey} className="max-w-[11rem]" />
                  </Link>
                </TableCell>
                <TableCell className="text-right">
                  <span className="inline-flex items-center justify-end gap-1.5 whitespace-nowrap">
                    {a.highCardinality && <HighCardinalityBadge />}
                    <span className="tabular-nums" data-testid="distinct-values" title={`≈ ${formatCount(a.distinctEstimate)} distinct values`}>
                      {formatCompact(a.distinctEstimate)}
                    </span>
                  </span>
                </TableCell>
                <TableCell className="text-right tabular-nums text-muted-foreground" title={`≈ ${formatCount(a.seriesEstimate)} series`}>
                  {formatCompact(a.seriesEstimate)}
                </TableCell>
              </TableRow>
            ))}
            {attributes.length === 0 && none(4, "No attribute carried values in this window.")}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
