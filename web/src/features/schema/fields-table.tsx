import { PresenceBadge, TypeConflictBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Field, Window } from "@/gen/tallycat/v1/schema_pb";
import { presenceBasis, valueTypeLabel, windowLabel } from "@/lib/format";
import { cn } from "@/lib/utils";
import { DistinctValues, ExampleValues } from "./example-values";

type Props = {
  rows: Field[];
  window: Window;
  /** values lists each field's example values (an enum-like field's), where the catalog keeps them. */
  values: boolean;
};

/**
 * FieldsTable lists fields from one place in a schema: each one's type,
 * how often it was there and when, how many distinct values it carried over
 * the window and, where asked, its values with their shares.
 */
export function FieldsTable({ rows, window, values }: Props) {
  if (rows.length === 0) return <p className="text-sm text-muted-foreground">none</p>;
  const basis = presenceBasis[rows[0]!.source];
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Type</TableHead>
          <TableHead title={`Share of ${basis}`}>Presence</TableHead>
          <TableHead className="text-right" title={`Distinct values (estimated) over the ${windowLabel[window]}`}>
            Distinct
          </TableHead>
          {values && <TableHead title={`Values and their shares of ${basis} over the ${windowLabel[window]}`}>Values</TableHead>}
          <TableHead className="whitespace-nowrap">First seen</TableHead>
          <TableHead className="whitespace-nowrap">Last seen</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((f) => (
          <TableRow
            key={`${f.eventName}/${f.name}/${f.valueType}`}
            data-testid="field-row"
            data-high-cardinality={f.highCardinality || undefined}
            className={cn(f.typeConflict ? "bg-destructive/5 dark:bg-destructive/10" : f.highCardinality && "bg-amber-50/70 dark:bg-amber-400/10")}
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
                <ExampleValues field={f} items={basis} />
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
  );
}
