import { getRouteApi } from "@tanstack/react-router";
import { useTopSeries } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import { WindowToggle } from "@/components/window-toggle";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { NoSeries } from "./no-series";
import type { CardinalitySearch } from "./search";
import { SeriesHistory } from "./series-history";
import { TopAttributes, TopMetrics, TopReleases } from "./top-lists";

const route = getRouteApi("/cardinality");

/**
 * CardinalityPage says where the series are: the metrics and releases with
 * the most, the attributes that drive them, and a metric's series over the
 * last day.
 */
export function CardinalityPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<CardinalitySearch>) =>
    navigate({ search: (prev: CardinalitySearch) => ({ ...prev, ...patch }), replace: true });
  const window = search.window ?? Window.UNSPECIFIED;
  const setWindow = (w: Window) => setSearch({ window: w === Window.LAST_DAY ? w : undefined });

  const top = useTopSeries(window);
  const metrics = top.data?.metrics ?? [];
  const plotted = search.metric ?? metrics[0]?.schemaKey;
  const empty = top.data && metrics.length === 0 && top.data.releases.length === 0 && top.data.attributes.length === 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Cardinality</h1>
          <p className="max-w-3xl text-sm text-muted-foreground">
            Where the series are. Every distinct set of resource, scope and attribute values is a time series a metrics backend stores: the
            metrics and producers with the most, and the attributes that drive them.
          </p>
        </div>
        <WindowToggle value={window} onChange={setWindow} />
      </div>

      {top.error ? (
        <ErrorState error={top.error} retry={() => top.refetch()} />
      ) : top.isPending ? (
        <div className="grid gap-4 xl:grid-cols-2">
          <Skeleton className="h-72" />
          <Skeleton className="h-72" />
        </div>
      ) : empty ? (
        <NoSeries window={window} onLastDay={() => setWindow(Window.LAST_DAY)} />
      ) : (
        <>
          <div className="grid items-start gap-4 xl:grid-cols-2">
            <TopMetrics metrics={metrics} plotted={plotted} onPlot={(metric) => setSearch({ metric })} />
            <SeriesHistory
              metric={plotted}
              signal={metrics.find((m) => m.schemaKey === plotted)?.signal}
              choices={metrics.map((m) => m.schemaKey)}
              onMetric={(metric) => setSearch({ metric })}
            />
          </div>
          <div className="grid items-start gap-4 xl:grid-cols-5">
            <TopReleases releases={top.data.releases} className="xl:col-span-2" />
            <TopAttributes attributes={top.data.attributes} className="xl:col-span-3" />
          </div>
        </>
      )}
    </div>
  );
}
