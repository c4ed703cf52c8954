import { RelativeTime } from "@/components/relative-time";
import { MovedTo } from "@/components/schema-link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Producer } from "@/gen/tallycat/v1/schema_pb";
import { formatCount } from "@/lib/format";

type Props = {
  producers: Producer[];
  /** instanceCount is how many instances there are in all (the releases' sum); the API lists at most 100. */
  instanceCount?: number;
  title?: string;
};

/** ProducersTable lists the instances that emit a schema, as the API sends them, with when they were first and last seen. */
export function ProducersTable({ producers, instanceCount = 0, title = "Producers" }: Props) {
  const dash = <span className="text-muted-foreground">—</span>;
  const partial = instanceCount > producers.length;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">
          {title} ({partial ? `${formatCount(producers.length)} of ${formatCount(instanceCount)}` : producers.length})
        </CardTitle>
        {partial && (
          <CardDescription data-testid="producers-partial">
            Showing the {formatCount(producers.length)} most recently seen instances of {formatCount(instanceCount)}.
          </CardDescription>
        )}
      </CardHeader>
      <CardContent>
        <Table aria-label={title}>
          <TableHeader>
            <TableRow>
              <TableHead>Service</TableHead>
              <TableHead>Namespace</TableHead>
              <TableHead>Version</TableHead>
              <TableHead>Instance</TableHead>
              <TableHead>First seen</TableHead>
              <TableHead>Last seen</TableHead>
              <TableHead>Status</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {producers.map((p) => (
              <TableRow
                key={`${p.serviceName}/${p.serviceNamespace}/${p.serviceVersion}/${p.serviceInstanceId}`}
                data-testid="producer-row"
              >
                <TableCell className="font-medium">{p.serviceName}</TableCell>
                <TableCell>{p.serviceNamespace || dash}</TableCell>
                <TableCell>{p.serviceVersion || dash}</TableCell>
                <TableCell className="font-mono text-xs">{p.serviceInstanceId || dash}</TableCell>
                <TableCell>
                  <RelativeTime value={p.firstSeen} />
                </TableCell>
                <TableCell>
                  <RelativeTime value={p.lastSeen} />
                </TableCell>
                <TableCell>
                  {p.supersededBy ? <MovedTo ids={[p.supersededBy]} /> : <span className="text-xs text-muted-foreground">current</span>}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
