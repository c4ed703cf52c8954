import { getRouteApi } from "@tanstack/react-router";
import { useSchemaKeys, useTopSeries } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { SelfTelemetrySwitch } from "@/components/self-telemetry-switch";
import { Skeleton } from "@/components/ui/skeleton";
import { WindowToggle } from "@/components/window-toggle";
import { windowLabel } from "@/lib/format";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Signal, Window } from "@/gen/tallycat/v1/schema_pb";
import { useShowSelf } from "@/lib/self-telemetry";
import { NoSeries } from "./no-series";
import type { CardinalitySearch } from "./search";
import { SeriesHistory } from "./series-history";
import { TopAttributes, TopMetrics, TopReleases } from "./top-lists";
import { rateOf, TopRates } from "./top-rates";
import { UnusedMetrics } from "./unused-metrics";

const route = getRouteApi("/cardinality");

/** TOP is how long each list is. */
const TOP = 10;

/** useTopRates lists a signal's keys with the highest rate over the window, TallyCat's own left out unless shown. */
function useTopRates(signal: Signal, window: Window, showSelf: boolean) {
  return useSchemaKeys({ signals: [signal], sort: SchemaKeySort.DATA_POINT_RATE, descending: true, pageSize: TOP, window, excludeSelfTelemetry: !showSelf });
}

/**
 * CardinalityPage says where the cost is. For metrics, the series: the
 * metrics and releases with the most, the attributes that drive them, and
 * a metric's series over the last day. Spans and logs have no series; a
 * tracing or logging backend prices them by volume, so for them it lists
 * the span names and log events with the highest rate, the span names
 * that embed ids (counted under their scope) marked, as the series of a
 * metric whose attribute embeds ids would stand out.
 */
export function CardinalityPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<CardinalitySearch>) =>
    navigate({ search: (prev: CardinalitySearch) => ({ ...prev, ...patch }), replace: true });
  const window = search.window ?? Window.UNSPECIFIED;
  const setWindow = (w: Window) => setSearch({ window: w === Window.LAST_DAY ? w : undefined });

  // TallyCat's own metrics (its RPCs, a series per API method browsed)
  // would top the lists of a small fleet: left out unless shown.
  const [showSelf] = useShowSelf();
  const top = useTopSeries(window, TOP, !showSelf);
  const spans = useTopRates(Signal.SPAN, window, showSelf);
  const logs = useTopRates(Signal.LOG, window, showSelf);
  const metrics = top.data?.metrics ?? [];
  const plotted = search.metric ?? metrics[0]?.schemaKey;
  const noSeries = top.data && metrics.length === 0 && top.data.releases.length === 0 && top.data.attributes.length === 0;
  const active = (rows: SchemaKeySummary[] | undefined) => (rows ?? []).some((k) => rateOf(k) > 0);
  // Nothing counted of any signal: say how to send it. Spans or logs
  // alone are worth their lists, so without series the page waits for them.
  const loading = top.isPending || (noSeries && (spans.isPending || logs.isPending));
  const empty = noSeries && !active(spans.data?.schemaKeys) && !active(logs.data?.schemaKeys);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Cardinality</h1>
          <p className="max-w-3xl text-sm text-muted-foreground">
            Where the cost is. Every distinct set of resource, scope and attribute values is a time series a metrics backend stores: the
            metrics and producers with the most, and the attributes that drive them. Spans and log records have no series; their backends
            charge for how many arrive: the span names and log events sent most often.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <SelfTelemetrySwitch />
          <WindowToggle value={window} onChange={setWindow} />
        </div>
      </div>

      {top.error ? (
        <ErrorState error={top.error} retry={() => top.refetch()} />
      ) : loading ? (
        <div className="grid gap-4 xl:grid-cols-2">
          <Skeleton className="h-72" />
          <Skeleton className="h-72" />
        </div>
      ) : empty ? (
        <NoSeries window={window} onLastDay={() => setWindow(Window.LAST_DAY)} />
      ) : (
        <>
          {noSeries ? (
            <p className="rounded-lg border bg-background p-4 text-sm text-muted-foreground" data-testid="no-metric-series">
              No metric had data points in the {windowLabel[window]}: no series to count.
            </p>
          ) : (
            <>
              <div className="grid items-start gap-4 xl:grid-cols-2">
                <TopMetrics metrics={metrics} plotted={plotted} onPlot={(metric) => setSearch({ metric })} />
                <SeriesHistory
                  metric={plotted}
                  signal={metrics.find((m) => m.schemaKey === plotted)?.signal}
                  window={window}
                  choices={metrics.map((m) => m.schemaKey)}
                  onMetric={(metric) => setSearch({ metric })}
                />
              </div>
              <div className="grid items-start gap-4 xl:grid-cols-5">
                <TopReleases releases={top.data.releases} className="xl:col-span-2" />
                <TopAttributes attributes={top.data.attributes} className="xl:col-span-3" />
              </div>
              <UnusedMetrics showSelf={showSelf} />
            </>
          )}
          <div className="grid items-start gap-4 xl:grid-cols-2">
            {spans.error ? (
              <ErrorState error={spans.error} retry={() => spans.refetch()} />
            ) : (
              <TopRates signal="span" rows={spans.data?.schemaKeys} window={window} />
            )}
            {logs.error ? (
              <ErrorState error={logs.error} retry={() => logs.refetch()} />
            ) : (
              <TopRates signal="log" rows={logs.data?.schemaKeys} window={window} />
            )}
          </div>
        </>
      )}
    </div>
  );
}
