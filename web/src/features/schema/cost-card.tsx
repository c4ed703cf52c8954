import { Card, CardContent } from "@/components/ui/card";
import { WindowToggle } from "@/components/window-toggle";
import type { Cost, Window } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { signalWords, type SignalName } from "@/lib/signal";

type Props = { cost: Cost | undefined; window: Window; onWindow: (w: Window) => void; signal?: SignalName };

/**
 * CostCard is what a schema costs a backend over the window: a metric's
 * distinct series (one per resource, scope and data point attribute values),
 * and the rate of its data points, spans or log records, with the window to
 * count them over. Series are a metrics backend's: spans and logs have none.
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
