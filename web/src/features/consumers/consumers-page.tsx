import { useEffect, useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { getRouteApi } from "@tanstack/react-router";
import { Search } from "lucide-react";
import { useConsumers } from "@/api/consumers";
import { ErrorState } from "@/components/error-state";
import { SelfTelemetrySwitch } from "@/components/self-telemetry-switch";
import { Pager } from "@/components/pager";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { useShowSelf } from "@/lib/self-telemetry";
import { ConsumerStatsCard } from "./consumer-stats";
import { ConsumersTable } from "./consumers-table";
import { type ConsumersSearch, type KindName, kinds } from "./search";
import { NoConsumers } from "./sync-hint";
import { kindWords } from "./words";

const route = getRouteApi("/consumers/");
const PAGE_SIZE = 50;
const ALL = "all";

/**
 * ConsumersPage lists the dashboards and alerting and recording rules
 * synced into the catalog, the broken ones first, with the counts of what
 * was read and judged; its filters live in the URL. Before any sync it
 * says how they arrive.
 */
export function ConsumersPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<ConsumersSearch>) =>
    navigate({ search: (prev: ConsumersSearch) => ({ ...prev, ...patch }), replace: true });

  // The search box updates the URL 250 ms after the last keystroke.
  const [query, setQuery] = useState(search.q ?? "");
  useEffect(() => setQuery(search.q ?? ""), [search.q]);
  useEffect(() => {
    const t = setTimeout(() => {
      if ((search.q ?? "") !== query.trim()) setSearch({ q: query.trim() || undefined });
    }, 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // The counts of metrics and metrics read leave TallyCat's own out, as
  // the other pages' lists do, unless the switch shows them.
  const [showSelf] = useShowSelf();

  // Page tokens are a stack: the API pages forward, Previous pops. A
  // token is good only for the filters it was given with, the switch
  // among them: any change starts again at the first page.
  const filterKey = JSON.stringify([search, showSelf]);
  const [tokens, setTokens] = useState<string[]>([""]);
  useEffect(() => setTokens([""]), [filterKey]);
  const pageToken = tokens[tokens.length - 1] ?? "";
  const list = useConsumers({
    excludeSelfTelemetry: !showSelf,
    query: search.q ?? "",
    kinds: search.kind ? [kinds[search.kind]] : [],
    brokenOnly: search.broken ?? false,
    pageSize: PAGE_SIZE,
    pageToken,
  });
  // A page token is also bound to what the catalog selected when it was
  // cut: when a sync or new metrics changed that (ABORTED), start again
  // at the first page rather than show an error.
  const aborted = list.error !== null && ConnectError.from(list.error).code === Code.Aborted;
  useEffect(() => {
    if (aborted && tokens.length > 1) setTokens([""]);
  }, [aborted, tokens.length]);
  const filtered = Boolean(search.q || search.kind || search.broken);
  const total = Number(list.data?.totalSize ?? 0n);
  const stats = list.data?.stats;
  const none = list.data !== undefined && total === 0 && !filtered && tokens.length === 1 && !stats?.consumers;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Consumers</h1>
          <p className="max-w-3xl text-sm text-muted-foreground">
            The dashboards and alerting and recording rules that read the catalog's metrics, each query read against what is sent: those
            that read a metric or attribute nothing sends are broken, and come first.
          </p>
        </div>
        <SelfTelemetrySwitch />
      </div>

      {list.error ? (
        <ErrorState error={list.error} retry={() => list.refetch()} />
      ) : list.isPending ? (
        <Skeleton className="h-28" />
      ) : none ? (
        <NoConsumers />
      ) : (
        <>
          {stats && <ConsumerStatsCard stats={stats} />}
          <div className="flex flex-wrap items-center gap-3">
            <div className="relative w-80">
              <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-muted-foreground" />
              {/* data-search: the frame's "/" shortcut focuses it. */}
              <Input
                data-search
                aria-label="Search dashboards and rules"
                placeholder="Title, folder or source…"
                className="pl-8"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
            <Select value={search.kind ?? ALL} onValueChange={(v) => setSearch({ kind: v === ALL ? undefined : (v as KindName) })}>
              <SelectTrigger className="w-48" aria-label="Kind">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={ALL}>Every kind</SelectItem>
                {(Object.keys(kinds) as KindName[]).map((k) => (
                  <SelectItem key={k} value={k}>
                    {kindWords[kinds[k]].many}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <div className="flex items-center gap-2" title="Dashboards and rules with a query that reads what nothing sends, or does not parse">
              <Switch id="broken-only" checked={search.broken ?? false} onCheckedChange={(on) => setSearch({ broken: on || undefined })} />
              <Label htmlFor="broken-only" className="cursor-pointer whitespace-nowrap text-sm font-normal text-muted-foreground">
                Broken only
              </Label>
            </div>
            {filtered && (
              <Button variant="ghost" size="sm" onClick={() => navigate({ search: {}, replace: true })}>
                Clear filters
              </Button>
            )}
            <span className="ml-auto text-sm text-muted-foreground" aria-live="polite" data-testid="consumer-total">
              {total.toLocaleString("en")} {total === 1 ? "dashboard or rule" : "dashboards and rules"}
            </span>
          </div>
          <ConsumersTable
            rows={list.data?.consumers}
            loading={list.isPending}
            emptyText={filtered ? "No dashboard or rule matches these filters." : "No dashboards or rules on this page."}
          />
          <Pager
            page={tokens.length}
            pageSize={PAGE_SIZE}
            shown={list.data?.consumers.length ?? 0}
            total={total}
            hasNext={Boolean(list.data?.nextPageToken)}
            onPrevious={() => setTokens((t) => t.slice(0, -1))}
            onNext={() => list.data?.nextPageToken && setTokens((t) => [...t, list.data.nextPageToken])}
          />
        </>
      )}
    </div>
  );
}
