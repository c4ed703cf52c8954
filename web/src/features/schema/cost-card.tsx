import { Card, CardContent } from "@/components/ui/card";
import { WindowToggle } from "@/components/window-toggle";
import type { Cost, Window } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { signalWords, type SignalName } from "@/lib/signal";

type Props = { cost: Cost | undefined; window: Window; onWindow: (w: Window) => void; signal?: SignalName };

/** byteUnits are decimal, as backends bill logs by the gigabyte of 10^9 bytes. */
const byteUnits: [number, string][] = [
  [1e9, "GB"],
  [1e6, "MB"],
  [1e3, "kB"],
];

/** formatBytesRate renders bytes a minute: 950 B/min, 12 kB/min, 3.4 MB/min. */
export function formatBytesRate(perMinute: number): string {
  if (!Number.isFinite(perMinute) || perMinute <= 0) return "0 B/min";
  for (const [size, unit] of byteUnits) {
    const v = perMinute / size;
    if (v >= 1) return `${v < 9.95 ? v.toFixed(1) : Math.round(v)} ${unit}/min`;
  }
  return `${Math.round(perMinute)} B/min`;
}

/** formatMoney renders an estimate in the price model's currency, which the catalog does not name. */
export function formatMoney(v: number): string {
  return v.toLocaleString("en", { maximumFractionDigits: v < 10 ? 2 : 0 });
}

/** priceBasis says, by signal, what the price model prices and by which flags. */
const priceBasis: Record<SignalName, string> = {
  metric: "its series and data point rate (--price-per-1k-series-month, --price-per-million-points)",
  span: "its span rate (--price-per-million-spans)",
  log: "its log bytes a minute (--price-per-gb-logs)",
};

/**
 * CostCard is what a schema costs a backend over the window: a metric's
 * distinct series (one per resource, scope and data point attribute values),
 * the rate of its data points, spans or log records, a log's bytes a minute
 * (each record's protobuf size as the ingest received it), and, under the
 * catalog's price model, what a month at these figures would cost, with the
 * window to count them over. Series are a metrics backend's: spans and logs
 * have none.
 */
export function CostCard({ cost, window, onWindow, signal = "metric" }: Props) {
  const over = `over the ${windowLabel[window]}`;
  const { Items } = signalWords[signal];
  const stats: [string, string, string][] = [
    ["Rate", cost ? formatRate(cost.dataPointsPerMinute) : "—", `${Items} a minute ${over}, over the part of it that had data`],
    [`${Items} in the ${windowLabel[window]}`, cost ? formatCount(cost.dataPoints) : "—", `Received ${over}`],
  ];
  if (signal === "metric") {
    stats.unshift([
      "Series",
      cost ? formatCompact(cost.seriesEstimate) : "—",
      cost ? `≈ ${formatCount(cost.seriesEstimate)} distinct time series ${over}: one per distinct resource, scope and attribute values` : "Not counted yet",
    ]);
  }
  if (signal === "log") {
    stats.push([
      "Bytes",
      cost ? formatBytesRate(cost.logBytesPerMinute) : "—",
      cost
        ? `${formatCount(cost.logBytes)} bytes of log records ${over}, each record's protobuf size as the ingest received it, a minute over the same time as the rate`
        : "Not counted yet",
    ]);
  }
  if (cost?.estimatedMonthlyCost !== undefined) {
    stats.push([
      "Monthly estimate",
      formatMoney(cost.estimatedMonthlyCost),
      `What 30 days at ${priceBasis[signal]} ${over} would cost under the catalog's price model, in its currency`,
    ]);
  }
  return (
    <Card>
      <CardContent className="flex flex-wrap items-center gap-x-10 gap-y-3 pt-4">
        <dl className="flex flex-wrap gap-x-10 gap-y-2" aria-label="Cost" data-testid="schema-cost">
          {stats.map(([k, v, title]) => (
            <div key={k} title={title}>
              <dt className="text-xs text-muted-foreground">{k}</dt>
              <dd className="text-xl font-semibold tabular-nums">{v}</dd>
            </div>
          ))}
        </dl>
        <div className="ml-auto flex items-center gap-2 text-sm text-muted-foreground">
          Cost over the
          <WindowToggle value={window} onChange={onWindow} />
        </div>
      </CardContent>
    </Card>
  );
}
