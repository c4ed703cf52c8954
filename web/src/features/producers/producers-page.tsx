import { useMemo } from "react";
import { Link } from "@tanstack/react-router";
import { useProducers } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Producer } from "@/gen/tallycat/v1/schema_pb";
import { ServiceMetrics } from "./service-metrics";

type Service = { name: string; instances: Producer[]; versions: string[]; schemas: number; lastSeen: Producer["lastSeen"] };

/** group folds producers into services, newest last-seen first. */
function group(producers: Producer[]): Service[] {
  const byName = new Map<string, Service>();
  for (const p of producers) {
    const s = byName.get(p.serviceName) ?? { name: p.serviceName, instances: [], versions: [], schemas: 0, lastSeen: p.lastSeen };
    s.instances.push(p);
    if (p.serviceVersion && !s.versions.includes(p.serviceVersion)) s.versions.push(p.serviceVersion);
    s.schemas = Math.max(s.schemas, p.schemaCount);
    if ((p.lastSeen?.seconds ?? 0n) > (s.lastSeen?.seconds ?? 0n)) s.lastSeen = p.lastSeen;
    byName.set(p.serviceName, s);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** ProducersPage lists each service, its instances, and the metrics it emits. */
export function ProducersPage() {
  const q = useProducers({ pageSize: 1000 });
  const services = useMemo(() => group(q.data?.producers ?? []), [q.data]);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Producers</h1>
        <p className="text-sm text-muted-foreground">
          Every service that sent metrics, by service.name, with its versions and instances.
        </p>
      </div>
      {q.error ? (
        <ErrorState error={q.error} retry={() => q.refetch()} />
      ) : q.isPending ? (
        <Skeleton className="h-48" />
      ) : services.length === 0 ? (
        <p className="rounded-lg border bg-background p-8 text-center text-muted-foreground">No producer has sent metrics yet.</p>
      ) : (
        <div className="space-y-4">
          {services.map((s) => (
            <section key={s.name} className="rounded-lg border bg-background" aria-label={`Service ${s.name}`}>
              <header className="flex flex-wrap items-center gap-3 border-b px-4 py-3">
                <h2 className="font-semibold">{s.name}</h2>
                {s.versions.map((v) => (
                  <Badge key={v} variant="secondary">
                    {v}
                  </Badge>
                ))}
                <span className="text-sm text-muted-foreground">
                  {s.instances.length} {s.instances.length === 1 ? "instance" : "instances"} · last seen{" "}
                  <RelativeTime value={s.lastSeen} />
                </span>
                <Link to="/" search={{ service: s.name }} className="ml-auto text-sm text-primary hover:underline">
                  Filter metrics by this service →
                </Link>
              </header>
              <div className="grid gap-4 p-4 lg:grid-cols-2">
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Instance</TableHead>
                      <TableHead>Namespace</TableHead>
                      <TableHead>Version</TableHead>
                      <TableHead>Schemas</TableHead>
                      <TableHead>Last seen</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {s.instances.map((p) => (
                      <TableRow key={`${p.serviceNamespace}/${p.serviceVersion}/${p.serviceInstanceId}`}>
                        <TableCell className="font-mono text-xs">{p.serviceInstanceId || "—"}</TableCell>
                        <TableCell>{p.serviceNamespace || "—"}</TableCell>
                        <TableCell>{p.serviceVersion || "—"}</TableCell>
                        <TableCell>{p.schemaCount}</TableCell>
                        <TableCell>
                          <RelativeTime value={p.lastSeen} />
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                <ServiceMetrics service={s.name} />
              </div>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
