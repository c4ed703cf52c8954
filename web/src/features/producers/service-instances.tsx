import { useProducers } from "@/api/catalog";
import { RelativeTime } from "@/components/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

/** RECENT is how many instances a service shows: a service on Kubernetes has one per pod. */
const RECENT = 10;

/** ServiceInstances lists a service's most recently seen instances, and says how many there are in all. */
export function ServiceInstances({ service, total }: { service: string; total: number }) {
  const q = useProducers({ filter: { case: "serviceName", value: service }, pageSize: RECENT, mostRecentFirst: true });
  if (q.isPending) return <Skeleton className="h-24" />;
  const rows = q.data?.producers ?? [];
  return (
    <div>
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
          {rows.map((p) => (
            <TableRow key={`${p.serviceNamespace}/${p.serviceVersion}/${p.serviceInstanceId}`} data-testid="instance-row">
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
      {total > rows.length && (
        <p className="mt-2 text-sm text-muted-foreground" data-testid="instances-partial">
          The {rows.length} most recently seen of {total.toLocaleString("en-US")} instances.
        </p>
      )}
    </div>
  );
}
