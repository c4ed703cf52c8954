import { Link } from "@tanstack/react-router";
import { GitFork } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { TableCell, TableRow } from "@/components/ui/table";
import type { SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { signalSearch } from "@/lib/signal";

/** KeyLink links a key to its page, with its signal. */
export function KeyLink({ k }: { k: SchemaKeySummary }) {
  return (
    <Link
      to="/metrics/$key"
      params={{ key: k.schemaKey }}
      search={signalSearch(k.signal)}
      className="font-mono text-[13px] font-medium text-primary hover:underline"
    >
      {k.schemaKey}
    </Link>
  );
}

/**
 * SchemaCountCell counts a key's current schemas, and its superseded ones
 * under them, each on one line. A key whose producers disagree (the catalog's diverging:
 * two units or types, or two services' two shapes) stands out; two shapes
 * of one service's two releases are a deploy in progress, and do not.
 */
export function SchemaCountCell({ k }: { k: SchemaKeySummary }) {
  return (
    <TableCell>
      <div className="flex flex-col items-start gap-0.5 whitespace-nowrap">
        {k.schemaCount > 1 || k.diverging ? (
          <Badge
            variant={k.diverging ? "warning" : "secondary"}
            className="whitespace-nowrap"
            data-diverging={k.diverging}
            title={k.diverging ? "Producers disagree: another unit, type, or shape from another service" : "More than one current shape, from one service's releases: a deploy in progress"}
          >
            <GitFork className="mr-1 h-3 w-3" />
            {k.schemaCount} schemas
          </Badge>
        ) : (
          <span className="text-muted-foreground">{k.schemaCount}</span>
        )}
        {k.supersededSchemaCount > 0 && (
          <span className="text-xs text-muted-foreground" title="Schemas every release has moved away from">
            +{k.supersededSchemaCount} superseded
          </span>
        )}
      </div>
    </TableCell>
  );
}

type BodyProps = { rows: SchemaKeySummary[] | undefined; loading: boolean; columns: number; emptyText: string; row: (k: SchemaKeySummary) => React.ReactNode };

/** KeyRows is a list's body: skeleton rows while the first page loads, the rows, or the empty text. */
export function KeyRows({ rows, loading, columns, emptyText, row }: BodyProps) {
  return (
    <>
      {loading && !rows
        ? Array.from({ length: 8 }, (_, i) => (
            <TableRow key={i} data-testid="skeleton-row">
              {Array.from({ length: columns }, (_, j) => (
                <TableCell key={j}>
                  <Skeleton className="h-5 w-full" />
                </TableCell>
              ))}
            </TableRow>
          ))
        : rows?.map(row)}
      {rows && rows.length === 0 && (
        <TableRow>
          <TableCell colSpan={columns} className="py-10 text-center text-muted-foreground">
            {emptyText}
          </TableCell>
        </TableRow>
      )}
    </>
  );
}
