import { useEffect, useMemo, useState } from "react";
import { getRouteApi } from "@tanstack/react-router";
import { Download, X } from "lucide-react";
import { useSchemaKeys } from "@/api/catalog";
import { useConformanceSummary, useExportRegistry, useFindings } from "@/api/conformance";
import { ErrorState } from "@/components/error-state";
import { findingTitle } from "@/components/finding";
import { Pager } from "@/components/pager";
import { SelfTelemetrySwitch } from "@/components/self-telemetry-switch";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { shortId } from "@/lib/format";
import { useShowSelf } from "@/lib/self-telemetry";
import { signalOf, signalWords } from "@/lib/signal";
import { FindingsList } from "./findings-list";
import { AllConform, NothingJudged } from "./nothing-judged";
import { type ConformanceSearch, type LevelName, levels } from "./search";
import { CountsTable, CoverageCard, findingTotal } from "./summary";

const route = getRouteApi("/conformance");
const PAGE_SIZE = 50;
const ALL = "all";

const levelChoices: [LevelName | typeof ALL, string][] = [
  [ALL, "Every level"],
  ["violation", "Violations"],
  ["improvement", "Improvements and violations"],
];

/**
 * ConformancePage says how much of what is emitted the registries define,
 * counts the findings by level, finding and service, lists them with
 * filters kept in the URL, and exports the catalog as a registry.
 */
export function ConformancePage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<ConformanceSearch>) =>
    navigate({ search: (prev: ConformanceSearch) => ({ ...prev, ...patch }), replace: true });

  // The metric box updates the URL 300 ms after the last keystroke; it
  // suggests metric names, as the filter takes one exactly.
  const [metric, setMetric] = useState(search.metric ?? "");
  useEffect(() => setMetric(search.metric ?? ""), [search.metric]);
  useEffect(() => {
    const t = setTimeout(() => {
      if ((search.metric ?? "") !== metric.trim()) setSearch({ metric: metric.trim() || undefined });
    }, 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [metric]);
  const signals = search.signal ? [signalOf(search.signal)] : [];
  // TallyCat's own telemetry is left out unless shown (issue 23): the
  // suggestions as the findings.
  const [showSelf] = useShowSelf();
  const suggested = useSchemaKeys({ query: search.metric ?? "", signals, pageSize: 20, excludeSelfTelemetry: !showSelf });

  // Page tokens are a stack: the API pages forward, Previous pops.
  const filterKey = JSON.stringify([search, showSelf]);
  const [tokens, setTokens] = useState<string[]>([""]);
  useEffect(() => setTokens([""]), [filterKey]);
  const pageToken = tokens[tokens.length - 1] ?? "";

  const summary = useConformanceSummary({ excludeSelfTelemetry: !showSelf });
  const findings = useFindings({
    minLevel: search.level ? levels[search.level] : FindingLevel.UNSPECIFIED,
    findingIds: search.finding ? [search.finding] : [],
    serviceName: search.service ?? "",
    schemaKey: search.metric ?? "",
    signals,
    schemaId: search.schema ?? "",
    pageSize: PAGE_SIZE,
    pageToken,
    excludeSelfTelemetry: !showSelf,
  });
  const exported = useExportRegistry();

  const findingIds = useMemo(() => withPicked(summary.data?.byFinding.map((c) => c.name), search.finding), [summary.data, search.finding]);
  const titles = useMemo(() => new Map((summary.data?.byFinding ?? []).map((c) => [c.name, findingTitle({ findingId: c.name, title: c.title })])), [summary.data]);
  const services = useMemo(() => withPicked(summary.data?.byService.map((c) => c.name).filter(Boolean), search.service), [summary.data, search.service]);
  const filtered = Boolean(search.level || search.finding || search.service || search.metric || search.schema || search.signal);
  const total = Number(findings.data?.totalSize ?? 0n);
  const metricsJudged = Number(summary.data?.metrics?.total ?? 0);
  const nothingJudged = summary.data !== undefined && metricsJudged === 0 && findingTotal(summary.data.total) === 0;
  const allConform = summary.data !== undefined && !nothingJudged && findingTotal(summary.data.total) === 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Conformance</h1>
          <p className="max-w-3xl text-sm text-muted-foreground">
            Every schema judged against the OpenTelemetry semantic conventions and the team's own registries, with Weaver live-check's finding ids
            and levels: how much of what is emitted they define, and what breaks them or could be better.
          </p>
        </div>
        <div className="flex flex-col items-end gap-1">
          <SelfTelemetrySwitch className="mb-1" />
          <Button
            variant="outline"
            onClick={() => exported.mutate()}
            disabled={exported.isPending || nothingJudged}
            title="Download the catalog's current schemas as a registry in Weaver's format (.zip), to commit and load with --registry"
          >
            <Download /> {exported.isPending ? "Exporting…" : "Export registry"}
          </Button>
          {exported.isSuccess && (
            <span className="text-xs text-muted-foreground" role="status" data-testid="export-done">
              Downloaded {exported.data} {exported.data === 1 ? "file" : "files"} as a .zip
            </span>
          )}
        </div>
      </div>
      {exported.error && <ErrorState error={exported.error} retry={() => exported.mutate()} />}

      {summary.error ? (
        <ErrorState error={summary.error} retry={() => summary.refetch()} />
      ) : summary.isPending ? (
        <Skeleton className="h-28" />
      ) : nothingJudged ? (
        <NothingJudged />
      ) : (
        <>
          <CoverageCard summary={summary.data} level={search.level} onLevel={(level) => setSearch({ level })} />
          {allConform && !filtered ? (
            <AllConform metrics={metricsJudged} />
          ) : (
            <>
              <div className="grid items-start gap-4 xl:grid-cols-5">
                <CountsTable
                  className="xl:col-span-3"
                  title="By finding"
                  description="Each kind of finding with its id: Weaver live-check's, and TallyCat's for what only a catalog sees (producers that disagree, cardinality). A finding true of several schemas counts once."
                  label="Finding"
                  rows={summary.data.byFinding}
                  picked={search.finding}
                  onPick={(finding) => setSearch({ finding })}
                  titled
                />
                <CountsTable
                  title="By service"
                  description="The findings on the schemas each service produces."
                  label="Service"
                  rows={summary.data.byService}
                  picked={search.service}
                  onPick={(service) => setSearch({ service })}
                  className="xl:col-span-2"
                />
              </div>

              <Card>
                <CardHeader className="space-y-3">
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <CardTitle className="text-base">Findings</CardTitle>
                    {findings.data && (
                      <span className="text-sm text-muted-foreground" aria-live="polite" data-testid="findings-total" data-total={total}>
                        {total.toLocaleString("en")} {total === 1 ? "finding" : "findings"}
                      </span>
                    )}
                  </div>
                  <div className="flex flex-wrap items-center gap-3">
                    <Select value={search.level ?? ALL} onValueChange={(v) => setSearch({ level: v === ALL ? undefined : (v as LevelName) })}>
                      <SelectTrigger className="w-60" aria-label="Level">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        {levelChoices.map(([v, label]) => (
                          <SelectItem key={v} value={v}>
                            {label}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                    <Select value={search.finding ?? ALL} onValueChange={(v) => setSearch({ finding: v === ALL ? undefined : v })}>
                      <SelectTrigger className="w-72" aria-label="Finding">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        <SelectItem value={ALL}>Every finding</SelectItem>
                        {findingIds.map((id) => (
                          <SelectItem key={id} value={id} title={id}>
                            {titles.get(id) ?? findingTitle({ findingId: id, title: "" })}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                    <Select value={search.service ?? ALL} onValueChange={(v) => setSearch({ service: v === ALL ? undefined : v })}>
                      <SelectTrigger className="w-52" aria-label="Service">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        <SelectItem value={ALL}>All services</SelectItem>
                        {services.map((s) => (
                          <SelectItem key={s} value={s}>
                            {s}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                    <Input
                      aria-label="Metric"
                      placeholder="Metric name, exactly…"
                      className="w-80 font-mono text-[13px]"
                      list="conformance-metrics"
                      value={metric}
                      onChange={(e) => setMetric(e.target.value)}
                    />
                    <datalist id="conformance-metrics">
                      {(suggested.data?.schemaKeys ?? []).map((k) => (
                        <option key={k.schemaKey} value={k.schemaKey} />
                      ))}
                    </datalist>
                    {search.signal && (
                      <span className="inline-flex items-center gap-1 rounded-md border bg-accent/60 px-2 py-1 text-sm" data-testid="signal-filter">
                        {signalWords[search.signal].keys} only
                        <button
                          type="button"
                          aria-label="Every signal"
                          className="rounded p-0.5 text-muted-foreground hover:text-foreground"
                          onClick={() => setSearch({ signal: undefined })}
                        >
                          <X className="h-3.5 w-3.5" aria-hidden />
                        </button>
                      </span>
                    )}
                    {search.schema && (
                      <span className="inline-flex items-center gap-1 rounded-md border bg-accent/60 px-2 py-1 text-sm" data-testid="schema-filter">
                        schema <code className="font-mono text-[13px]">{shortId(search.schema)}</code>
                        <button
                          type="button"
                          aria-label="Every schema"
                          className="rounded p-0.5 text-muted-foreground hover:text-foreground"
                          onClick={() => setSearch({ schema: undefined })}
                        >
                          <X className="h-3.5 w-3.5" aria-hidden />
                        </button>
                      </span>
                    )}
                    {filtered && (
                      <Button variant="ghost" size="sm" onClick={() => navigate({ search: {}, replace: true })}>
                        Clear filters
                      </Button>
                    )}
                  </div>
                </CardHeader>
                <CardContent>
                  {findings.error ? (
                    <ErrorState error={findings.error} retry={() => findings.refetch()} />
                  ) : (
                    <FindingsList
                      findings={findings.data?.findings}
                      loading={findings.isPending}
                      emptyText={filtered ? "No finding matches these filters." : "No findings on this page."}
                      fold={!search.finding}
                    />
                  )}
                </CardContent>
              </Card>
              <Pager
                page={tokens.length}
                pageSize={PAGE_SIZE}
                shown={findings.data?.findings.length ?? 0}
                total={total}
                hasNext={Boolean(findings.data?.nextPageToken)}
                onPrevious={() => setTokens((t) => t.slice(0, -1))}
                onNext={() => findings.data?.nextPageToken && setTokens((t) => [...t, findings.data.nextPageToken])}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}

/** withPicked is a filter's choices, with the one in the URL among them even when the summary does not name it. */
function withPicked(names: string[] | undefined, picked: string | undefined): string[] {
  const list = names ?? [];
  return picked && !list.includes(picked) ? [...list, picked] : list;
}
