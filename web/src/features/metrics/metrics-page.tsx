import { useEffect, useState } from "react";
import { getRouteApi } from "@tanstack/react-router";
import { Search } from "lucide-react";
import { skipToken } from "@connectrpc/connect-query";
import { useSchemaKeys } from "@/api/catalog";
import { useConformanceSummary } from "@/api/conformance";
import { ErrorState } from "@/components/error-state";
import { Pager } from "@/components/pager";
import { SelfTelemetrySwitch } from "@/components/self-telemetry-switch";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { WindowToggle } from "@/components/window-toggle";
import type { FindingCount } from "@/gen/tallycat/v1/conformance_service_pb";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { useShowSelf } from "@/lib/self-telemetry";
import { signalOf, signalWords } from "@/lib/signal";
import { EmptyCatalog } from "./empty-catalog";
import { MetricTypeFilter, ServiceFilter } from "./filters";
import { MetricsTable } from "./metrics-table";
import type { MetricsSearch } from "./search";
import { SpanLogTable } from "./span-log-table";

const route = getRouteApi("/");
const PAGE_SIZE = 50;

const intro = {
  metric: "Every metric name seen, with its shapes. A metric with more than one schema diverges between producers.",
  span: "Every span name seen, with its kinds and shapes. A span with more than one schema diverges between producers.",
  log: "Every log event name seen, with its shapes; records without an event name are listed under their logger.",
} as const;

/**
 * MetricsPage lists the keys of one signal (metric names, span names or log
 * event names) with a summary of their schemas. Another signal is another
 * list: its page starts afresh rather than showing the last signal's rows
 * while its own load.
 */
export function MetricsPage() {
  const signal = route.useSearch({ select: (s) => s.signal ?? "metric" });
  return <SignalKeys key={signal} />;
}

function SignalKeys() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<MetricsSearch>) =>
    navigate({ search: (prev: MetricsSearch) => ({ ...prev, ...patch }), replace: true });
  const signal = search.signal ?? "metric";
  const words = signalWords[signal];

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
  const [showSelf] = useShowSelf();
  const filterKey = JSON.stringify([search, showSelf]);
  const [tokens, setTokens] = useState<string[]>([""]);
  useEffect(() => setTokens([""]), [filterKey]);
  const pageToken = tokens[tokens.length - 1] ?? "";

  // A metric type filters metrics only.
  const type = signal === "metric" ? search.type : undefined;
  const keys = useSchemaKeys({
    signals: [signalOf(signal)],
    query: search.q ?? "",
    metricTypes: type ? [type] : [],
    serviceName: search.service ?? "",
    sort: search.sort,
    descending: search.desc ?? false,
    pageSize: PAGE_SIZE,
    pageToken,
    window: search.window ?? Window.UNSPECIFIED,
    excludeSelfTelemetry: !showSelf,
    divergingOnly: search.diverging ?? false,
  });
  const findings = usePageFindings(keys.data?.schemaKeys.map((k) => k.schemaKey), signalOf(signal), showSelf);
  const filtered = Boolean(search.q || type || search.service || search.diverging);
  const total = Number(keys.data?.totalSize ?? 0n);
  const tableProps = {
    rows: keys.data?.schemaKeys,
    loading: keys.isPending,
    search,
    onSort: (sort: MetricsSearch["sort"], desc: boolean) => setSearch({ sort, desc: desc || undefined }),
    emptyText: filtered ? `No ${words.key} matches these filters.` : `No ${words.keys} on this page.`,
    findings,
  };

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{words.title}</h1>
        <p className="text-sm text-muted-foreground">{intro[signal]}</p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <div className="relative w-80">
          <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-muted-foreground" />
          {/* data-search: the frame's "/" shortcut focuses it. */}
          <Input
            data-search
            aria-label={`Search ${words.keys}`}
            placeholder={`Search ${words.key} names…`}
            className="pl-8"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        {signal === "metric" && <MetricTypeFilter value={search.type} onChange={(type) => setSearch({ type })} />}
        <ServiceFilter value={search.service} onChange={(service) => setSearch({ service })} excludeSelf={!showSelf} />
        <div className="flex items-center gap-2" title="Keys whose producers disagree: more than one unit or type, or another shape from another service">
          <Switch id="diverging-only" checked={search.diverging ?? false} onCheckedChange={(on) => setSearch({ diverging: on || undefined })} />
          <Label htmlFor="diverging-only" className="cursor-pointer whitespace-nowrap text-sm font-normal text-muted-foreground">
            Diverging only
          </Label>
        </div>
        <SelfTelemetrySwitch />
        <div className="flex items-center gap-2 text-sm text-muted-foreground">
          {signal === "metric" ? "Series and rate over" : "Rate over"}
          <WindowToggle value={search.window} onChange={(w) => setSearch({ window: w === Window.LAST_DAY ? w : undefined })} />
        </div>
        {keys.data && (
          <span className="ml-auto text-sm text-muted-foreground" aria-live="polite" data-testid="key-total">
            {total.toLocaleString("en")} {total === 1 ? words.key : words.keys}
          </span>
        )}
      </div>

      {keys.error ? (
        <ErrorState error={keys.error} retry={() => keys.refetch()} />
      ) : keys.data && total === 0 && !filtered && tokens.length === 1 ? (
        <EmptyCatalog signal={signal} />
      ) : (
        <>
          {signal === "metric" ? <MetricsTable {...tableProps} /> : <SpanLogTable signal={signal} {...tableProps} />}
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

/**
 * usePageFindings counts the findings of a page's keys in one call (the
 * conformance summary's by_key), as the Conformance page counts them, by
 * name; undefined until the page and its counts are in. A summary that
 * fails leaves the column empty rather than the list: the findings are
 * the Conformance page's to explain.
 */
function usePageFindings(keys: string[] | undefined, signal: ReturnType<typeof signalOf>, showSelf: boolean) {
  const q = useConformanceSummary(keys && keys.length > 0 ? { schemaKeys: keys, signal, excludeSelfTelemetry: !showSelf } : skipToken);
  if (!keys || (keys.length > 0 && !q.data)) return undefined;
  return new Map<string, FindingCount>((q.data?.byKey ?? []).map((c) => [c.name, c]));
}
