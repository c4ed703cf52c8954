import { RelativeTime } from "@/components/relative-time";
import { MovedTo } from "@/components/schema-link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Window, type Release } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { signalWords, type SignalName } from "@/lib/signal";

/**
 * ReleasesTable lists the releases (service, namespace, version) that
 * produce or produced a schema, current first, with each one's series (a
 * metric's only) and rate over the window.
 */
export function ReleasesTable({ releases, window = Window.UNSPECIFIED, signal = "metric" }: { releases: Release[]; window?: Window; signal?: SignalName }) {
  const dash = <span className="text-muted-foreground">—</span>;
  const { Items } = signalWords[signal];
  const series = signal === "metric";
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Releases ({releases.length})</CardTitle>
        <CardDescription>A release is a service at one version; the schema pools all of its instances.</CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label="Releases">
          <TableHeader>
            <TableRow>
              <TableHead>Service</TableHead>
              <TableHead>Namespace</TableHead>
              <TableHead>Version</TableHead>
              <TableHead className="text-right">Instances</TableHead>
              <TableHead className="text-right">{Items}</TableHead>
              {series && (
                <TableHead className="text-right" title={`Distinct time series (estimated) over the ${windowLabel[window]}`}>
                  Series
                </TableHead>
              )}
              <TableHead className="text-right" title={`${Items} a minute over the ${windowLabel[window]}`}>
                Rate
              </TableHead>
              <TableHead>First seen</TableHead>
              <TableHead>Last seen</TableHead>
              <TableHead>Status</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {releases.map((r) => (
              <TableRow key={`${r.serviceNamespace}/${r.serviceName}/${r.serviceVersion}`} data-testid="release-row">
                <TableCell className="font-medium">{r.serviceName}</TableCell>
                <TableCell>{r.serviceNamespace || dash}</TableCell>
                <TableCell>{r.serviceVersion || dash}</TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(r.instanceCount)}</TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(r.dataPointCount)}</TableCell>
                {series && (
                  <TableCell className="text-right tabular-nums" data-testid="release-series" title={r.cost && `≈ ${formatCount(r.cost.seriesEstimate)} series`}>
                    {r.cost ? formatCompact(r.cost.seriesEstimate) : dash}
                  </TableCell>
                )}
                <TableCell className="whitespace-nowrap text-right tabular-nums" data-testid="release-rate">
                  {r.cost ? formatRate(r.cost.dataPointsPerMinute) : dash}
                </TableCell>
                <TableCell>
                  <RelativeTime value={r.firstSeen} />
                </TableCell>
                <TableCell>
                  <RelativeTime value={r.lastSeen} />
                </TableCell>
                <TableCell>
                  {r.supersededBy ? <MovedTo ids={[r.supersededBy]} /> : <span className="text-xs text-muted-foreground">current</span>}
                </TableCell>
              </TableRow>
            ))}
            {releases.length === 0 && (
              <TableRow>
                <TableCell colSpan={series ? 10 : 9} className="py-6 text-center text-muted-foreground">
                  No release recorded.
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
