import { useProducers } from "@/api/catalog";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { LastSeen } from "./last-seen";

/** RECENT is how many instances a service shows: a service on Kubernetes has one per pod. */
const RECENT = 10;

/**
 * ServiceInstances lists a service's most recently seen instances, and
 * says how many there are in all. Its columns have fixed widths, the same
 * in every service's card, so that they line up down the page.
 */
export function ServiceInstances({ service, total }: { service: string; total: number }) {
  const q = useProducers({ filter: { case: "serviceName", value: service }, pageSize: RECENT, mostRecentFirst: true });
  if (q.isPending) return <Skeleton className="h-24" />;
  const rows = q.data?.producers ?? [];
  return (
    <div>
      <Table aria-label="Instances" className="table-fixed">
        <colgroup>
          <col className="w-[30%]" />
          <col className="w-[17%]" />
          <col className="w-[17%]" />
          <col className="w-[14%]" />
          <col className="w-[22%]" />
        </colgroup>
        <TableHeader>
          <TableRow>
            <TableHead>Instance</TableHead>
            <TableHead>Namespace</TableHead>
            <TableHead>Version</TableHead>
            <TableHead className="text-right">Schemas</TableHead>
            <TableHead>Last seen</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((p) => (
            <TableRow key={`${p.serviceNamespace}/${p.serviceVersion}/${p.serviceInstanceId}`} data-testid="instance-row">
              <TableCell className="truncate font-mono text-xs" title={p.serviceInstanceId || undefined}>
                {p.serviceInstanceId || "—"}
              </TableCell>
              <TableCell className="truncate" title={p.serviceNamespace || undefined}>
                {p.serviceNamespace || "—"}
              </TableCell>
              <TableCell className="truncate" title={p.serviceVersion || undefined}>
                {p.serviceVersion || "—"}
              </TableCell>
              <TableCell className="text-right tabular-nums">{p.schemaCount}</TableCell>
              <TableCell>
                <LastSeen value={p.lastSeen} />
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
