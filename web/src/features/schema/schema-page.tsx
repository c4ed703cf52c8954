import { Link } from "@tanstack/react-router";
import { AlertTriangle, ChevronLeft } from "lucide-react";
import { useSchema } from "@/api/catalog";
import { FieldLine, MetricTypeBadge, VersionBadge } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { FieldSource, VersionStatus, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, sourceLabel, temporalityLabel } from "@/lib/format";
import { AssignVersionDialog } from "./assign-version-dialog";
import { DeprecateDialog } from "./deprecate-dialog";
import { ProducersTable } from "./producers-table";
import { VersionHistory } from "./version-history";

const sources = [FieldSource.DATA_POINT, FieldSource.RESOURCE, FieldSource.SCOPE] as const;

/** SchemaPage shows one schema in full and is where people version it. */
export function SchemaPage({ schemaId }: { schemaId: string }) {
  const q = useSchema(schemaId);
  if (q.error) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  if (q.isPending) {
    return (
      <div className="space-y-4">
        <Skeleton className="h-10 w-96" />
        <Skeleton className="h-48" />
      </div>
    );
  }
  const { schema, producers, scopes, versions } = q.data;
  if (!schema) return null;
  const current = schema.currentVersion;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <Link
            to="/metrics/$key"
            params={{ key: schema.schemaKey }}
            className="inline-flex items-center font-mono text-sm text-muted-foreground hover:text-foreground"
          >
            <ChevronLeft className="h-4 w-4" /> {schema.schemaKey}
          </Link>
          <h1 className="flex items-center gap-3 text-2xl font-semibold tracking-tight">
            Schema <code className="font-mono text-xl">{schema.schemaId}</code>
          </h1>
          <div className="flex items-center gap-2">
            <VersionBadge version={current} />
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

      <div className="grid gap-4 lg:grid-cols-3">
        <Metadata schema={schema} />
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle className="text-base">Fields</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 md:grid-cols-3">
            {sources.map((src) => {
              const fields = schema.fields.filter((f) => f.source === src);
              return (
                <section key={src} aria-label={`${sourceLabel[src]} fields`}>
                  <h4 className="mb-2 text-xs font-medium uppercase tracking-wide text-muted-foreground">
                    {sourceLabel[src]} ({fields.length})
                  </h4>
                  <ul className="space-y-1.5">
                    {fields.map((f) => (
                      <li key={`${f.name}/${f.valueType}`}>
                        <FieldLine field={f} hideSource />
                      </li>
                    ))}
                    {fields.length === 0 && <li className="text-sm text-muted-foreground">none</li>}
                  </ul>
                </section>
              );
            })}
          </CardContent>
        </Card>
      </div>

      <ProducersTable producers={producers} />

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
  );
}

function Metadata({ schema: s }: { schema: Schema }) {
  const rows: [string, React.ReactNode][] = [
    ["Type", <MetricTypeBadge type={s.metricType} />],
    ["Unit", s.unit ? <code>{s.unit}</code> : "none"],
    ["Temporality", temporalityLabel[s.temporality]],
    ["Monotonic", s.metricType === 2 ? (s.monotonic ? "yes" : "no") : "—"],
    ["Producers", s.producerCount],
    ["Data points", formatCount(s.dataPointCount)],
    ["First seen", <RelativeTime value={s.firstSeen} />],
    ["Last seen", <RelativeTime value={s.lastSeen} />],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Metadata</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <div className="border-t pt-3 text-sm">
          <p className="text-muted-foreground">Description</p>
          <p>{s.description || <span className="text-muted-foreground">none</span>}</p>
          {s.descriptionConflict && (
            <p className="mt-1 flex items-center gap-1 text-xs text-warning-foreground">
              <AlertTriangle className="h-3.5 w-3.5" /> Producers disagree on the description; the latest is shown.
            </p>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
