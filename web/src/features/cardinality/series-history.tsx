import { useMemo, useState } from "react";
import uPlot from "uplot";
import { useSeriesHistory } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { SeriesPoint } from "@/gen/tallycat/v1/catalog_service_pb";
import { type Signal, Window } from "@/gen/tallycat/v1/schema_pb";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type ChartColors, useChartColors } from "@/lib/chart-colors";
import { formatCompact, formatRate, windowLabel } from "@/lib/format";
import { UPlotChart } from "./uplot-chart";

const BUCKET = 600; // seconds: the API's ten-minute buckets
const SPAN: Record<Window, number> = { [Window.UNSPECIFIED]: 3600, [Window.LAST_HOUR]: 3600, [Window.LAST_DAY]: 24 * 3600 };

/** Plotted is a history as the chart draws it: uPlot's columns, and each column's bucket start for the legend. */
export type Plotted = { data: uPlot.AlignedData; starts: number[]; from: number; to: number };

/**
 * toAligned turns the API's points (only buckets with data, oldest first)
 * into uPlot's columns over the window that ends at now: the buckets that
 * reach into it, each drawn as a step over its ten minutes (the last up
 * to now, as it is still filling), with a null where buckets are missing
 * so the line breaks instead of bridging a time without data. The x range
 * runs from the first bucket with data, not from the window's start: a
 * metric that began five minutes ago spans the chart, not its last sliver.
 */
export function toAligned(points: SeriesPoint[], now: number, window: Window): Plotted {
  const since = now - SPAN[window];
  const xs: number[] = [];
  const starts: number[] = [];
  const series: (number | null)[] = [];
  const rate: (number | null)[] = [];
  let prev: number | undefined;
  for (const p of points) {
    if (!p.start) continue;
    const x = timestampDate(p.start).getTime() / 1000;
    if (x + BUCKET <= since) continue;
    if (prev !== undefined && x - prev > BUCKET * 1.5) {
      xs.push(prev + BUCKET);
      starts.push(prev + BUCKET);
      series.push(null);
      rate.push(null);
    }
    xs.push(x);
    starts.push(x);
    series.push(Number(p.seriesEstimate));
    rate.push(p.dataPointsPerMinute);
    prev = x;
  }
  if (prev === undefined) return { data: [[], [], []], starts: [], from: since, to: now };
  // The last step ends where its bucket does, or now while it fills.
  const end = Math.max(Math.min(prev + BUCKET, now), prev + 1);
  xs.push(end);
  starts.push(prev);
  series.push(series.at(-1) ?? null);
  rate.push(rate.at(-1) ?? null);
  const from = Math.max(xs[0]!, since);
  return { data: [xs, series, rate], starts, from, to: Math.max(now, end, from + 60) };
}

/** niceMax is the round number at or above v that a y axis ends on: 10, 20, 50, 100, 200… (1 for nothing). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
const clockDay = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
const at = (s: number) => clock.format(new Date(s * 1000));

/** Counts, series and buckets, are whole: ticks step by whole numbers, 1, 2, 5, 10… */
const wholeIncrs = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];

/**
 * chartOptions draws the series (left axis, a step per bucket) and the
 * data point rate (right axis, dashed) from the first bucket with data to
 * now, in the theme's colours. The legend says the latest bucket's values
 * until the pointer picks another: a chart read at a glance needs no
 * hovering.
 */
function chartOptions(p: Plotted, colors: ChartColors): Omit<uPlot.Options, "width" | "height"> {
  const [, series, rate] = p.data as [number[], (number | null)[], (number | null)[]];
  const latest = (col: (number | null)[]) => [...col].reverse().find((v) => v != null) ?? null;
  const step = uPlot.paths?.stepped?.({ align: 1, alignGaps: 1 });
  const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
  const day = p.to - p.from > 12 * 3600;
  return {
    scales: {
      x: { time: true, range: () => [p.from, p.to] },
      series: { range: (_u, _min, max) => [0, niceMax(max)] },
      rate: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { ...axis, space: 70, values: (_u, splits) => splits.map((s) => (day && new Date(s * 1000).getHours() === 0 ? clockDay.format(new Date(s * 1000)) : at(s))) },
      { ...axis, scale: "series", size: 56, incrs: wholeIncrs, values: (_u, splits) => splits.map((v) => formatCompact(v)) },
      { scale: "rate", side: 1, stroke: colors.second, size: 64, grid: { show: false }, ticks: { stroke: colors.grid, width: 1 }, values: (_u, splits) => splits.map((v) => formatRate(v)) },
    ],
    legend: { live: true },
    cursor: { points: { size: 6 } },
    series: [
      { label: "Bucket", value: (_u, _v, _s, idx) => (idx == null ? "latest" : `${at(p.starts[idx]!)}–${at(p.starts[idx]! + BUCKET)}`) },
      {
        label: "Series",
        scale: "series",
        stroke: colors.line,
        width: 2,
        fill: colors.fill,
        paths: step,
        points: { show: series.filter((v) => v != null).length <= 2 },
        value: (_u, v, _s, idx) => {
          const shown = idx == null ? latest(series) : v;
          return shown == null ? "—" : formatCompact(shown);
        },
      },
      {
        label: "Data points a minute",
        scale: "rate",
        stroke: colors.second,
        width: 1.5,
        dash: [5, 4],
        paths: step,
        points: { show: false },
        value: (_u, v, _s, idx) => {
          const shown = idx == null ? latest(rate) : v;
          return shown == null ? "—" : formatRate(shown);
        },
      },
    ],
  };
}

type Props = { metric: string | undefined; signal?: Signal; window: Window; choices: string[]; onMetric: (key: string) => void };

/**
 * SeriesHistory plots a metric's series and its data point rate per ten
 * minutes over the window the page shows (the last hour or day), from the
 * first bucket with data to now.
 */
export function SeriesHistory({ metric, signal, window, choices, onMetric }: Props) {
  const q = useSeriesHistory(metric, signal);
  const colors = useChartColors();
  const points = q.data?.points;
  // The x axis ends when the answer came.
  const [mounted] = useState(() => Date.now());
  const now = Math.floor((q.dataUpdatedAt || mounted) / 1000);
  const plotted = useMemo(() => toAligned(points ?? [], now, window), [points, now, window]);
  const options = useMemo(() => chartOptions(plotted, colors), [plotted, colors]);
  const shown = (plotted.data[1] as (number | null)[]).filter((v): v is number => v != null);
  const rates = (plotted.data[2] as (number | null)[]).filter((v): v is number => v != null);
  const listed = metric && !choices.includes(metric) ? [metric, ...choices] : choices;
  const over = windowLabel[window];

  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3 space-y-0">
        <div className="space-y-1">
          <CardTitle className="text-base">Series over the {over}</CardTitle>
          <CardDescription>Per ten minutes, from the first with data; the dashed line is data points a minute.</CardDescription>
        </div>
        {listed.length > 0 && (
          <Select value={metric ?? ""} onValueChange={onMetric}>
            <SelectTrigger className="w-72 max-w-full font-mono text-[13px] [&>span]:truncate" aria-label="Metric to plot" title={metric}>
              <SelectValue placeholder="Choose a metric" />
            </SelectTrigger>
            <SelectContent>
              {listed.map((k) => (
                <SelectItem key={k} value={k} className="whitespace-nowrap font-mono text-[13px]">
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
        ) : shown.length === 0 ? (
          <p className="py-10 text-center text-sm text-muted-foreground">
            No data for <span className="whitespace-nowrap font-mono">{metric}</span> in the {over}.
          </p>
        ) : (
          <div className="space-y-2">
            <UPlotChart
              options={options}
              data={plotted.data}
              label={`Series of ${metric} over the ${over}`}
              className="[&_.u-legend]:text-xs [&_.u-legend]:text-muted-foreground"
            />
            <p
              className="text-xs text-muted-foreground"
              data-testid="series-summary"
              data-from={plotted.from}
              data-to={plotted.to}
              data-first={(plotted.data[0] as number[])[0]}
            >
              Latest {formatCompact(shown.at(-1) ?? 0)} series at {formatRate(rates.at(-1) ?? 0)}; peak {formatCompact(Math.max(...shown))} series over{" "}
              {spanWords(plotted.to - plotted.from)}.
            </p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

/** spanWords says how long the chart spans: "35 minutes", "3 hours". */
function spanWords(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
  const hours = Math.round(minutes / 60);
  return `${hours} hours`;
}
