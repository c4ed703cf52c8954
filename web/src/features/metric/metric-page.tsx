import { getRouteApi, Link } from "@tanstack/react-router";
import { ChevronLeft } from "lucide-react";
import { useSchemaEvents, useSchemas } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { FindingsCard } from "@/components/findings-card";
import { SchemaNamesProvider, useSchemaNames } from "@/components/schema-names";
import { UsedByCard } from "@/features/consumers/used-by-card";
import { ProposalsCard } from "@/features/proposals/proposals-card";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { Signal, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { spanKindLabel } from "@/lib/format";
import type { SchemaName } from "@/lib/schema-name";
import { signalOf, signalSearch, signalWords, type SignalName } from "@/lib/signal";
import { cn } from "@/lib/utils";
import { SchemaCard } from "./schema-card";
import { SchemaDiff } from "./schema-diff";
import type { MetricSearch } from "./search";
import { Timeline } from "./timeline";

const route = getRouteApi("/metrics/$key");

/**
 * pickPair keeps the compared schemas the URL names while they are listed,
 * and otherwise compares the first two, current schemas before superseded ones.
 */
function pickPair(list: Schema[], prev: { base?: string; target?: string }) {
  const ids = new Set(list.map((s) => s.schemaId));
  const ordered = [...list.filter((s) => !s.superseded), ...list.filter((s) => s.superseded)].map((s) => s.schemaId);
  const base = prev.base && ids.has(prev.base) ? prev.base : ordered[0];
  const target = prev.target && ids.has(prev.target) && prev.target !== base ? prev.target : ordered.find((id) => id !== base);
  return { base, target };
}

/**
 * shapesNote says why a key has more than one current schema: a span has
 * one per kind; beyond that, one service's releases send it in different
 * shapes (an upgrade whose old release is still listed), or producers do.
 */
function shapesNote(current: Schema[], signal: SignalName, names: Map<string, SchemaName>): string {
  const key = signalWords[signal].key;
  const kinds = signal === "span" ? [...new Set(current.map((s) => s.spanKind))] : [];
  const notes: string[] = [];
  if (kinds.length > 1) notes.push(`one per kind: ${kinds.map((k) => spanKindLabel[k]).join(", ")}`);
  if (current.length > Math.max(1, kinds.length)) {
    const releases = current.map((s) => names.get(s.schemaId)?.releases);
    const services = new Set(releases.flatMap((rs) => rs?.map((r) => r.serviceName) ?? []));
    const oneService = releases.every((rs) => rs && rs.length > 0) && services.size === 1;
    notes.push(oneService ? `${[...services][0]}'s releases send this ${key} in different shapes` : `producers send this ${key} in different shapes`);
  }
  return notes.length > 0 ? ` — ${notes.join("; ")}` : "";
}

/** MetricPage shows one key (a metric, span or log event name): its schemas side by side, a diff of any two, and its timeline. */
export function MetricPage({ schemaKey }: { schemaKey: string }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const signalName = search.signal ?? "metric";
  const signal = signalOf(signalName);
  const words = signalWords[signalName];
  const showSuperseded = search.superseded ?? false;
  const setShowSuperseded = (on: boolean) =>
    navigate({ search: (prev: MetricSearch) => ({ ...prev, superseded: on || undefined }), replace: true });

  const schemas = useSchemas(schemaKey, signal, showSuperseded);
  const list = schemas.data?.schemas ?? [];
  // The divergence notice counts current schemas only: a superseded schema
  // is a release's past shape, not a producer disagreeing.
  const current = list.filter((s) => !s.superseded);
  const supersededShown = list.length - current.length;
  const pair = pickPair(list, search);
  const compare = (side: "base" | "target") => (id: string) =>
    navigate({ search: (prev: MetricSearch) => ({ ...prev, ...pair, [side]: id }), replace: true });
  const first = current[0] ?? list[0];
  // One set of names for the page: the cards, the pickers and the timeline
  // name a schema alike, the timeline's past schemas among them.
  const events = useSchemaEvents(schemaKey, signal);
  const names = useSchemaNames([
    ...list.map((s) => s.schemaId),
    pair.base,
    pair.target,
    ...(events.data?.events ?? []).flatMap((e) => [e.schemaId, e.targetSchemaId]),
  ]);

  return (
    <SchemaNamesProvider names={names}>
      <div className="space-y-6">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div className="space-y-1">
            <Link to="/" search={signalSearch(signalName)} className="inline-flex items-center text-sm text-muted-foreground hover:text-foreground">
              <ChevronLeft className="h-4 w-4" /> {words.title}
            </Link>
            <h1 className="break-all font-mono text-2xl font-semibold tracking-tight">{schemaKey}</h1>
            {first?.description && <p className="text-sm text-muted-foreground">{first.description}</p>}
            {schemas.data && (
              <p className="text-sm text-muted-foreground" data-testid="schema-count">
                {current.length} {current.length === 1 ? "schema" : "schemas"}
                {shapesNote(current, signalName, names)}
                {showSuperseded && `; ${supersededShown} superseded`}
              </p>
            )}
          </div>
          <div className="flex items-center gap-2">
            <Switch id="show-superseded" checked={showSuperseded} onCheckedChange={setShowSuperseded} />
            <Label htmlFor="show-superseded" className="cursor-pointer">
              Show superseded
            </Label>
          </div>
        </div>

        {schemas.error ? (
          <ErrorState error={schemas.error} retry={() => schemas.refetch()} />
        ) : schemas.isPending ? (
          <div className="grid gap-4 grid-cols-[repeat(auto-fit,minmax(min(100%,22rem),1fr))]">
            <Skeleton className="h-64" />
            <Skeleton className="h-64" />
          </div>
        ) : (
          <>
            {/* The cards share the width: side by side while each keeps 22rem, one under the other below
                that; a lone card stays the width of a card, its chips beside its names. */}
            <section
            aria-label="Schemas"
            className={cn("grid gap-4 grid-cols-[repeat(auto-fit,minmax(min(100%,22rem),1fr))]", list.length === 1 && "max-w-3xl")}
          >
              {/* Current shapes first: the past ones are history, read after. */}
              {[...current, ...list.filter((s) => s.superseded)].map((s) => (
                <SchemaCard key={s.schemaId} schema={s} />
              ))}
              {list.length === 0 && (
                <p className="col-span-full rounded-lg border bg-background p-6 text-sm text-muted-foreground">
                  No release produces this {words.key} in a current schema.
                  {!showSuperseded && " Show superseded schemas to see its past shapes."}
                </p>
              )}
            </section>
            <ProposalsCard schemaKey={schemaKey} signal={signal} />
            <FindingsCard schemaKey={schemaKey} signal={signal} />
            {/* Dashboards and rules query metrics (PromQL): spans and log events have no readers to name. */}
            {signal === Signal.METRIC && <UsedByCard schemaKey={schemaKey} />}
            {list.length > 1 && (
              <SchemaDiff schemas={list} base={pair.base} target={pair.target} onBase={compare("base")} onTarget={compare("target")} />
            )}
            <Timeline schemaKey={schemaKey} signal={signal} />
          </>
        )}
      </div>
    </SchemaNamesProvider>
  );
}
