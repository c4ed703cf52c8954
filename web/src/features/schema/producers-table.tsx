import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Producer } from "@/gen/tallycat/v1/schema_pb";

/** ProducersTable lists who emits a schema, with when they were first and last seen. */
export function ProducersTable({ producers, title = "Producers" }: { producers: Producer[]; title?: string }) {
  const dash = <span className="text-muted-foreground">—</span>;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">
          {title} ({producers.length})
        </CardTitle>
      </CardHeader>
      <CardContent>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Service</TableHead>
              <TableHead>Namespace</TableHead>
              <TableHead>Version</TableHead>
              <TableHead>Instance</TableHead>
              <TableHead>First seen</TableHead>
              <TableHead>Last seen</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {producers.map((p) => (
              <TableRow key={`${p.serviceName}/${p.serviceNamespace}/${p.serviceVersion}/${p.serviceInstanceId}`}>
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
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
