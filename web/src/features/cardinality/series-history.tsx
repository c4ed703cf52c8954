import { useMemo } from "react";
import type uPlot from "uplot";
import { useSeriesHistory } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { SeriesPoint } from "@/gen/tallycat/v1/catalog_service_pb";
import type { Signal } from "@/gen/tallycat/v1/schema_pb";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { formatCompact, formatRate } from "@/lib/format";
import { UPlotChart } from "./uplot-chart";

const BUCKET = 600; // seconds: the API's ten-minute buckets
const DAY = 24 * 3600;

/**
 * toAligned turns the API's points (only buckets with data, oldest first)
 * into uPlot's columns, with a null where buckets are missing so the line
 * breaks instead of bridging a time without data.
 */
export function toAligned(points: SeriesPoint[]): uPlot.AlignedData {
  const xs: number[] = [];
  const series: (number | null)[] = [];
  const rate: (number | null)[] = [];
  let prev: number | undefined;
  for (const p of points) {
    if (!p.start) continue;
    const x = timestampDate(p.start).getTime() / 1000;
    if (prev !== undefined && x - prev > BUCKET * 1.5) {
      xs.push(prev + BUCKET);
      series.push(null);
      rate.push(null);
    }
    xs.push(x);
    series.push(Number(p.seriesEstimate));
    rate.push(p.dataPointsPerMinute);
    prev = x;
  }
  return [xs, series, rate];
}

/** chartOptions draws the series (left axis) and the data point rate (right axis) over the last 24 hours up to now. */
function chartOptions(now: number): Omit<uPlot.Options, "width" | "height"> {
  return {
    scales: {
      x: { time: true, range: () => [now - DAY, now] },
      series: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
      rate: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    axes: [
      { stroke: "#64748b", grid: { stroke: "#e2e8f0" }, ticks: { stroke: "#e2e8f0" } },
      {
        scale: "series",
        stroke: "#64748b",
        size: 56,
        grid: { stroke: "#e2e8f0" },
        ticks: { stroke: "#e2e8f0" },
        values: (_u, splits) => splits.map((v) => formatCompact(v)),
      },
      { scale: "rate", side: 1, stroke: "#94a3b8", size: 64, grid: { show: false }, values: (_u, splits) => splits.map((v) => formatRate(v)) },
    ],
    series: [
      {},
      {
        label: "Series",
        scale: "series",
        stroke: "#4f46e5",
        width: 2,
        fill: "rgba(79, 70, 229, 0.08)",
        value: (_u, v) => (v == null ? "—" : formatCompact(v)),
      },
      {
        label: "Data points a minute",
        scale: "rate",
        stroke: "#94a3b8",
        width: 1.5,
        dash: [5, 4],
        value: (_u, v) => (v == null ? "—" : formatRate(v)),
      },
    ],
  };
}

type Props = { metric: string | undefined; signal?: Signal; choices: string[]; onMetric: (key: string) => void };

/** SeriesHistory plots a metric's series, and its data point rate, per ten minutes over the last 24 hours. */
export function SeriesHistory({ metric, signal, choices, onMetric }: Props) {
  const q = useSeriesHistory(metric, signal);
  const points = q.data?.points;
  const data = useMemo(() => toAligned(points ?? []), [points]);
  // The x axis ends when the answer came: a metric that started an hour ago sits at the right.
  const options = useMemo(() => chartOptions(Math.floor((q.dataUpdatedAt || Date.now()) / 1000)), [q.dataUpdatedAt]);
  const last = points?.at(-1);
  const peak = points?.reduce((m, p) => (p.seriesEstimate > m ? p.seriesEstimate : m), 0n) ?? 0n;
  const listed = metric && !choices.includes(metric) ? [metric, ...choices] : choices;

  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3 space-y-0">
        <div className="space-y-1">
          <CardTitle className="text-base">Series over the last 24 hours</CardTitle>
          <CardDescription>Per ten minutes; the dashed line is data points a minute.</CardDescription>
        </div>
        {listed.length > 0 && (
          <Select value={metric ?? ""} onValueChange={onMetric}>
            <SelectTrigger className="w-72 font-mono text-[13px]" aria-label="Metric to plot">
              <SelectValue placeholder="Choose a metric" />
            </SelectTrigger>
            <SelectContent>
              {listed.map((k) => (
                <SelectItem key={k} value={k} className="font-mono text-[13px]">
                  {k}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </CardHeader>
      <CardContent data-testid="series-history">
        {!metric ? (
          <p className="py-10 text-center text-sm text-muted-foreground">No metric to plot yet.</p>
        ) : q.error ? (
          <ErrorState error={q.error} retry={() => q.refetch()} />
        ) : q.isPending ? (
          <Skeleton className="h-[220px]" />
        ) : !points || points.length === 0 ? (
          <p className="py-10 text-center text-sm text-muted-foreground">No data for {metric} in the last 24 hours.</p>
        ) : (
          <div className="space-y-2">
            <UPlotChart options={options} data={data} label={`Series of ${metric} over the last 24 hours`} />
            <p className="text-xs text-muted-foreground" data-testid="series-summary">
              Latest {formatCompact(last?.seriesEstimate ?? 0n)} series at {formatRate(last?.dataPointsPerMinute ?? 0)}; peak{" "}
              {formatCompact(peak)} series.
            </p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
