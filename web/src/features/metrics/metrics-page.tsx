import { useEffect, useMemo, useState } from "react";
import { getRouteApi } from "@tanstack/react-router";
import { Search } from "lucide-react";
import { useSchemaKeys, useServices } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { Pager } from "@/components/pager";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { WindowToggle } from "@/components/window-toggle";
import { MetricType, Window } from "@/gen/tallycat/v1/schema_pb";
import { metricTypeLabel } from "@/lib/format";
import { EmptyCatalog } from "./empty-catalog";
import { MetricsTable } from "./metrics-table";
import type { MetricsSearch } from "./search";

const route = getRouteApi("/");
const PAGE_SIZE = 50;
const ALL = "all";

/** MetricsPage lists every metric name with a summary of its schemas. */
export function MetricsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<MetricsSearch>) =>
    navigate({ search: (prev: MetricsSearch) => ({ ...prev, ...patch }), replace: true });

  // The search box updates the URL 250 ms after the last keystroke.
  const [query, setQuery] = useState(search.q ?? "");
  useEffect(() => setQuery(search.q ?? ""), [search.q]);
  useEffect(() => {
    const t = setTimeout(() => {
      if ((search.q ?? "") !== query) setSearch({ q: query || undefined });
    }, 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // Page tokens are a stack: the API pages forward, Previous pops.
  const filterKey = JSON.stringify(search);
  const [tokens, setTokens] = useState<string[]>([""]);
  useEffect(() => setTokens([""]), [filterKey]);
  const pageToken = tokens[tokens.length - 1] ?? "";

  const keys = useSchemaKeys({
    query: search.q ?? "",
    metricTypes: search.type ? [search.type] : [],
    serviceName: search.service ?? "",
    sort: search.sort,
    descending: search.desc ?? false,
    pageSize: PAGE_SIZE,
    pageToken,
    window: search.window ?? Window.UNSPECIFIED,
  });
  // The service filter's choices: service names, however many instances
  // each runs (the first 1,000 services, the API's page limit).
  const listed = useServices();
  const services = useMemo(() => (listed.data?.services ?? []).map((s) => s.serviceName), [listed.data]);
  const filtered = Boolean(search.q || search.type || search.service);
  const total = Number(keys.data?.totalSize ?? 0n);

  return (
    <div className="space-y-4">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Metrics</h1>
          <p className="text-sm text-muted-foreground">
            Every metric name seen, with its shapes. A metric with more than one schema diverges between producers.
          </p>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <div className="relative w-80">
          <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-muted-foreground" />
          <Input
            aria-label="Search metrics"
            placeholder="Search metric names…"
            className="pl-8"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <Select
          value={search.type ? String(search.type) : ALL}
          onValueChange={(v) => setSearch({ type: v === ALL ? undefined : (Number(v) as MetricType) })}
        >
          <SelectTrigger className="w-48" aria-label="Metric type">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All types</SelectItem>
            {[MetricType.GAUGE, MetricType.SUM, MetricType.HISTOGRAM, MetricType.EXPONENTIAL_HISTOGRAM, MetricType.SUMMARY].map(
              (t) => (
                <SelectItem key={t} value={String(t)}>
                  {metricTypeLabel[t]}
                </SelectItem>
              ),
            )}
          </SelectContent>
        </Select>
        <Select value={search.service ?? ALL} onValueChange={(v) => setSearch({ service: v === ALL ? undefined : v })}>
          <SelectTrigger className="w-56" aria-label="Service">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All services</SelectItem>
            {services.map((s) => (
              <SelectItem key={s} value={s}>
                {s}
              </SelectItem>
            ))}
            {search.service && !services.includes(search.service) && (
              <SelectItem value={search.service}>{search.service}</SelectItem>
            )}
          </SelectContent>
        </Select>
        <div className="flex items-center gap-2 text-sm text-muted-foreground">
          Series and rate over
          <WindowToggle value={search.window} onChange={(w) => setSearch({ window: w === Window.LAST_DAY ? w : undefined })} />
        </div>
        {keys.data && (
          <span className="ml-auto text-sm text-muted-foreground" aria-live="polite">
            {total.toLocaleString("en")} {total === 1 ? "metric" : "metrics"}
          </span>
        )}
      </div>

      {keys.error ? (
        <ErrorState error={keys.error} retry={() => keys.refetch()} />
      ) : keys.data && total === 0 && !filtered && tokens.length === 1 ? (
        <EmptyCatalog />
      ) : (
        <>
          <MetricsTable
            rows={keys.data?.schemaKeys}
            loading={keys.isPending}
            search={search}
            onSort={(sort, desc) => setSearch({ sort, desc: desc || undefined })}
            emptyText={filtered ? "No metric matches these filters." : "No metrics on this page."}
          />
          <Pager
            page={tokens.length}
            pageSize={PAGE_SIZE}
            shown={keys.data?.schemaKeys.length ?? 0}
            total={total}
            hasNext={Boolean(keys.data?.nextPageToken)}
            onPrevious={() => setTokens((t) => t.slice(0, -1))}
            onNext={() => keys.data?.nextPageToken && setTokens((t) => [...t, keys.data.nextPageToken])}
          />
        </>
      )}
    </div>
  );
}
