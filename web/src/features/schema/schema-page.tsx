import { getRouteApi, Link } from "@tanstack/react-router";
import { ChevronRight } from "lucide-react";
import { useSchema, useSchemas } from "@/api/catalog";
import { SpanKindBadge, SupersededBadge, TypeConflictBadge, VersionBadge } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { FindingsCard } from "@/components/findings-card";
import { RelativeTime } from "@/components/relative-time";
import { SchemaIdText, SchemaNameText } from "@/components/schema-link";
import { namedOf, SchemaNamesProvider, useSchemaNames } from "@/components/schema-names";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { UsedByCard } from "@/features/consumers/used-by-card";
import { ProposalsCard } from "@/features/proposals/proposals-card";
import type { GetSchemaResponse } from "@/gen/tallycat/v1/catalog_service_pb";
import { VersionStatus, Window } from "@/gen/tallycat/v1/schema_pb";
import { nameOf } from "@/lib/schema-name";
import { signalNameOf, signalOf, signalSearch, signalWords } from "@/lib/signal";
import { AssignVersionDialog } from "./assign-version-dialog";
import { ByScopeNote } from "./by-scope-note";
import { CostCard } from "./cost-card";
import { DeprecateDialog } from "./deprecate-dialog";
import { FieldsCard } from "./fields-card";
import { Metadata } from "./metadata";
import { ProducersTable } from "./producers-table";
import { ReleasesTable } from "./releases-table";
import type { SchemaSearch } from "./search";
import { SupersededBanner } from "./superseded-banner";
import { VariantsTable } from "./variants-table";
import { VersionHistory } from "./version-history";

const route = getRouteApi("/schemas/$id");
const heading = { metric: "Schema", span: "Span schema", log: "Log schema" } as const;

/** SchemaPage shows one schema in full, with what it costs, and is where people version it. */
export function SchemaPage({ schemaId }: { schemaId: string }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const window = search.window ?? Window.UNSPECIFIED;
  const setWindow = (w: Window) =>
    navigate({ search: (prev: SchemaSearch) => ({ ...prev, window: w === Window.LAST_DAY ? w : undefined }), replace: true });
  const q = useSchema(schemaId, window);
  if (q.error) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  if (q.isPending) {
    return (
      <div className="space-y-4">
        <Skeleton className="h-10 w-96" />
        <Skeleton className="h-48" />
      </div>
    );
  }
  if (!q.data.schema) return null;
  return <SchemaView data={q.data} window={window} setWindow={setWindow} />;
}

/**
 * useSiblingNames names the schema as its key's page does, among every
 * schema of the key (a trait is added only where two share a producer),
 * with the schemas its releases moved to.
 */
function useSiblingNames({ schema, releases, producers }: GetSchemaResponse) {
  const siblings = useSchemas(schema!.schemaKey, signalOf(signalNameOf(schema!.signal)), true);
  return useSchemaNames(
    [
      ...(siblings.data?.schemas ?? []).map((s) => s.schemaId),
      ...schema!.supersededBy,
      ...releases.map((r) => r.supersededBy),
      ...producers.map((p) => p.supersededBy),
    ],
    [namedOf(schema!, releases)],
  );
}

type ViewProps = { data: GetSchemaResponse; window: Window; setWindow: (w: Window) => void };

function SchemaView({ data, window, setWindow }: ViewProps) {
  const { producers, scopes, versions, variants, releases } = data;
  const schema = data.schema!;
  const names = useSiblingNames(data);
  const name = nameOf(names, schema.schemaId);
  const current = schema.currentVersion;
  const signal = signalNameOf(schema.signal);
  const instanceCount = releases.reduce((n, r) => n + r.instanceCount, 0);
  const crumb = "hover:text-foreground";
  return (
    <SchemaNamesProvider names={names}>
      <div className="space-y-6">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div className="min-w-0 space-y-1">
            <nav aria-label="Breadcrumb" className="flex flex-wrap items-center gap-1 text-sm text-muted-foreground">
              <Link to="/" search={signalSearch(signal)} className={crumb}>
                {signalWords[signal].title}
              </Link>
              <ChevronRight className="h-3.5 w-3.5 shrink-0" aria-hidden />
              <Link
                to="/metrics/$key"
                params={{ key: schema.schemaKey }}
                search={{ ...signalSearch(signal), superseded: schema.superseded || undefined }}
                className={`${crumb} break-all font-mono`}
              >
                {schema.schemaKey}
              </Link>
              <ChevronRight className="h-3.5 w-3.5 shrink-0" aria-hidden />
              <span aria-current="page" className="text-foreground">
                {name.label}
              </span>
            </nav>
            <h1 className="text-2xl font-semibold tracking-tight" title={name.full}>
              <span className="font-normal text-muted-foreground">{heading[signal]}</span> <SchemaNameText name={name} />
            </h1>
            <SchemaIdText id={schema.schemaId} full className="text-xs" />
            <div className="flex flex-wrap items-center gap-2">
              {signal === "span" && <SpanKindBadge kind={schema.spanKind} />}
              <VersionBadge version={current} />
              {schema.superseded && <SupersededBadge />}
              {schema.typeConflict && (
                <TypeConflictBadge title="A release sends one of its keys with more than one value type: both are listed as fields" />
              )}
              {current?.status === VersionStatus.DEPRECATED && (
                <span className="text-sm text-muted-foreground">Reason: {current.reason}</span>
              )}
            </div>
          </div>
          <div className="flex gap-2">
            <AssignVersionDialog schemaId={schema.schemaId} current={current?.version} />
            <DeprecateDialog schemaId={schema.schemaId} current={current} />
          </div>
        </div>

        <SupersededBanner schema={schema} />
        <ByScopeNote schema={schema} />
        <ProposalsCard schemaId={schema.schemaId} />

        <div className="grid items-start gap-4 xl:grid-cols-3">
          <Metadata schema={schema} />
          <div className="space-y-4 xl:col-span-2">
            <CostCard cost={schema.cost} window={window} onWindow={setWindow} signal={signal} />
            <VariantsTable variants={variants} dataPointCount={schema.dataPointCount} signal={signal} />
          </div>
        </div>

        <FindingsCard schemaId={schema.schemaId} />
        {/* Queries read a metric by its name, whichever schema sends it: the key's readers. */}
        {signal === "metric" && <UsedByCard schemaKey={schema.schemaKey} />}
        <FieldsCard fields={schema.fields} signal={signal} window={window} />
        <ReleasesTable releases={releases} window={window} signal={signal} />
        <ProducersTable producers={producers} instanceCount={instanceCount} />

        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle className="text-base">Instrumentation scopes</CardTitle>
            </CardHeader>
            <CardContent>
              <ul className="space-y-1 text-sm">
                {scopes.map((s) => (
                  <li key={`${s.name}@${s.version}`} className="flex justify-between gap-4">
                    <code className="break-all font-mono text-[13px]">
                      {s.name || "(unnamed)"}
                      {s.version && <span className="text-muted-foreground"> {s.version}</span>}
                    </code>
                    <span className="text-xs text-muted-foreground">
                      <RelativeTime value={s.lastSeen} />
                    </span>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
          <VersionHistory versions={versions} />
        </div>
      </div>
    </SchemaNamesProvider>
  );
}
