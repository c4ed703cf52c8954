import { AttributeChip } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { SchemaVariant } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, formatShare, shareOf } from "@/lib/format";
import { signalWords, type SignalName } from "@/lib/signal";

/**
 * VariantsTable lists the distinct attribute sets a schema was seen with,
 * most data points (spans, log records) first: the schema's shape is their
 * union.
 */
export function VariantsTable({ variants, dataPointCount, signal = "metric" }: { variants: SchemaVariant[]; dataPointCount: bigint; signal?: SignalName }) {
  const { items, Items } = signalWords[signal];
  // The schema's own count is the whole; should it be missing, the variants' sum is.
  const whole = dataPointCount > 0n ? dataPointCount : variants.reduce((n, v) => n + v.dataPointCount, 0n);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Variants ({variants.length})</CardTitle>
        <CardDescription>
          {signal === "metric"
            ? "The data point attribute sets seen; the schema's data point fields are their union."
            : `The attribute sets seen on the ${items}; the schema's fields are their union.`}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {variants.length === 0 ? (
          <p className="text-sm text-muted-foreground">No variant recorded.</p>
        ) : (
          <Table aria-label="Variants">
            <TableHeader>
              <TableRow>
                <TableHead className="w-[45%]">Attributes</TableHead>
                <TableHead className="text-right">{Items}</TableHead>
                <TableHead className="text-right">Share</TableHead>
                <TableHead>First seen</TableHead>
                <TableHead>Last seen</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {variants.map((v) => {
                const share = shareOf(v.dataPointCount, whole);
                return (
                  <TableRow key={v.variantId} data-testid="variant-row">
                    <TableCell>
                      <div className="flex flex-wrap gap-1" title={`As a schema alone: ${v.variantId}`}>
                        {v.attributes.map((f) => (
                          <AttributeChip key={`${f.source}/${f.eventName}/${f.name}/${f.valueType}`} field={f} />
                        ))}
                        {v.attributes.length === 0 && <span className="text-sm text-muted-foreground">no attributes</span>}
                      </div>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{formatCount(v.dataPointCount)}</TableCell>
                    <TableCell className="text-right tabular-nums">{share === undefined ? "—" : formatShare(share)}</TableCell>
                    <TableCell>
                      <RelativeTime value={v.firstSeen} />
                    </TableCell>
                    <TableCell>
                      <RelativeTime value={v.lastSeen} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
