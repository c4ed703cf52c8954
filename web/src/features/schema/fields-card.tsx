import { PresenceBadge, TypeConflictBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { FieldSource, Window, type Field } from "@/gen/tallycat/v1/schema_pb";
import { sourceLabel, valueTypeLabel, windowLabel } from "@/lib/format";
import { cn } from "@/lib/utils";
import { DistinctValues, ExampleValues } from "./example-values";

const sources = [FieldSource.DATA_POINT, FieldSource.RESOURCE, FieldSource.SCOPE] as const;

const presenceOf: Record<(typeof sources)[number], string> = {
  [FieldSource.DATA_POINT]: "share of data points",
  [FieldSource.RESOURCE]: "share of producer instances",
  [FieldSource.SCOPE]: "share of producer instances",
};

/**
 * FieldsCard lists a schema's fields by source: the union of what its
 * releases sent, with how often each field was there and when, how many
 * distinct values each carried over the window and, for an enum-like data
 * point field, those values with their shares.
 */
export function FieldsCard({ fields, window = Window.UNSPECIFIED, className }: { fields: Field[]; window?: Window; className?: string }) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">Fields</CardTitle>
      </CardHeader>
      <CardContent className="space-y-5">
        {sources.map((src) => {
          // Only data point fields list values: resource and scope ones are counted.
          const values = src === FieldSource.DATA_POINT;
          const rows = fields
            .filter((f) => f.source === src)
            .sort((a, b) => a.name.localeCompare(b.name) || a.valueType - b.valueType);
          return (
            <section key={src} aria-label={`${sourceLabel[src]} fields`}>
              <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">
                {sourceLabel[src]} ({rows.length})
              </h4>
              {rows.length === 0 ? (
                <p className="text-sm text-muted-foreground">none</p>
              ) : (
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Name</TableHead>
                      <TableHead>Type</TableHead>
                      <TableHead title={presenceOf[src]}>Presence</TableHead>
                      <TableHead className="text-right" title={`Distinct values (estimated) over the ${windowLabel[window]}`}>
                        Distinct
                      </TableHead>
                      {values && <TableHead title={`Values and their shares of data points over the ${windowLabel[window]}`}>Values</TableHead>}
                      <TableHead className="whitespace-nowrap">First seen</TableHead>
                      <TableHead className="whitespace-nowrap">Last seen</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {rows.map((f) => (
                      <TableRow
                        key={`${f.name}/${f.valueType}`}
                        data-testid="field-row"
                        data-high-cardinality={f.highCardinality || undefined}
                        className={cn(f.typeConflict ? "bg-destructive/5" : f.highCardinality && "bg-amber-50/70")}
                      >
                        <TableCell>
                          <code className="break-words font-mono text-[13px]">{f.name}</code>
                        </TableCell>
                        <TableCell>
                          <span className="inline-flex flex-wrap items-center gap-1.5">
                            <Badge variant="secondary" className="font-mono">
                              {valueTypeLabel[f.valueType]}
                            </Badge>
                            {f.typeConflict && <TypeConflictBadge />}
                          </span>
                        </TableCell>
                        <TableCell>
                          <PresenceBadge field={f} />
                        </TableCell>
                        <TableCell className="text-right">
                          <DistinctValues field={f} window={window} />
                        </TableCell>
                        {values && (
                          <TableCell>
                            <ExampleValues field={f} />
                          </TableCell>
                        )}
                        <TableCell>
                          <RelativeTime value={f.firstSeen} />
                        </TableCell>
                        <TableCell>
                          <RelativeTime value={f.lastSeen} />
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </section>
          );
        })}
      </CardContent>
    </Card>
  );
}
