import { SpanKindBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, formatRate, windowLabel } from "@/lib/format";
import { signalWords } from "@/lib/signal";
import type { FindingCount } from "@/gen/tallycat/v1/conformance_service_pb";
import { KeyLink, KeyRows, SchemaCountCell } from "./key-cells";
import { FindingsCell, VersionCell } from "./key-status";
import type { MetricsSearch } from "./search";
import { ErrorShareCell, ScopeMark } from "./signal-cells";
import { SortHeader } from "./sort-header";

type Props = {
  signal: "span" | "log";
  rows: SchemaKeySummary[] | undefined;
  loading: boolean;
  search: MetricsSearch;
  onSort: (sort: SchemaKeySort, descending: boolean) => void;
  emptyText: string;
  /** findings count each listed key's findings, by name; undefined while they load. */
  findings: Map<string, FindingCount> | undefined;
};

const nameHeader = {
  span: ["Span name", "A span schema is per span name and kind; names past the limit of distinct names are counted under their scope"],
  log: ["Event name or logger", "A log schema is per event name; records without one are counted under their logger (instrumentation scope)"],
} as const;

/**
 * SpanLogTable is one row per span name or log event name: its schemas
 * (a span's kinds and share of errors too), producers, rate and when it
 * was last seen. A key that groups a scope says so: a logger's records
 * without an event name, or the span names past the limit of distinct
 * names, linked to the finding that names them.
 */
export function SpanLogTable({ signal, rows, loading, search, onSort, emptyText, findings }: Props) {
  const sortable = { search, onSort };
  const { items, Items } = signalWords[signal];
  const [name, nameTitle] = nameHeader[signal];
  const columns = signal === "span" ? 9 : 7;
  return (
    <div className="rounded-lg border bg-background">
      <Table className="[&_td]:px-2 [&_th]:px-2">
        <TableHeader>
          <TableRow>
            <SortHeader label={name} sort={SchemaKeySort.NAME} title={nameTitle} {...sortable} />
            {signal === "span" && <TableHead title="The kinds of the span's schemas">Kinds</TableHead>}
            <SortHeader label="Schemas" sort={SchemaKeySort.SCHEMA_COUNT} {...sortable} />
            <SortHeader label="Producers" sort={SchemaKeySort.PRODUCER_COUNT} className="hidden lg:table-cell" {...sortable} />
            <SortHeader
              label="Rate"
              sort={SchemaKeySort.DATA_POINT_RATE}
              className="text-right"
              title={`${Items} a minute over the ${windowLabel[search.window ?? Window.UNSPECIFIED]}`}
              {...sortable}
            />
            {signal === "span" && (
              <SortHeader
                label="Errors"
                sort={SchemaKeySort.ERROR_SHARE}
                className="text-right"
                title="The share of its spans with status error, since each release began sending them"
                {...sortable}
              />
            )}
            <SortHeader label="Last seen" sort={SchemaKeySort.LAST_SEEN} className="hidden lg:table-cell" {...sortable} />
            <TableHead title="The current version of each of its schemas, with its status">Versions</TableHead>
            <TableHead title="Its violations and the improvements suggested">Findings</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          <KeyRows
            rows={rows}
            loading={loading}
            columns={columns}
            emptyText={emptyText}
            row={(k) => (
              <TableRow key={k.schemaKey} data-testid={`${signal}-row`}>
                <TableCell>
                  <KeyLink k={k} />
                  <ScopeMark k={k} signal={signal} />
                  {k.description && <p className="mt-0.5 line-clamp-1 text-xs text-muted-foreground">{k.description}</p>}
                </TableCell>
                {signal === "span" && (
                  <TableCell>
                    <div className="flex gap-1 whitespace-nowrap" data-testid="span-kinds">
                      {k.spanKinds.map((kind) => (
                        <SpanKindBadge key={kind} kind={kind} />
                      ))}
                    </div>
                  </TableCell>
                )}
                <SchemaCountCell k={k} />
                <TableCell className="hidden lg:table-cell">{k.producerCount}</TableCell>
                <TableCell
                  className="whitespace-nowrap text-right tabular-nums text-muted-foreground"
                  data-testid="key-rate"
                  title={k.cost ? `${formatCount(k.cost.dataPoints)} ${items} over the ${windowLabel[k.cost.window]}` : undefined}
                >
                  {k.cost ? formatRate(k.cost.dataPointsPerMinute) : "—"}
                </TableCell>
                {signal === "span" && <ErrorShareCell k={k} />}
                <TableCell className="hidden lg:table-cell">
                  <RelativeTime value={k.lastSeen} />
                </TableCell>
                <VersionCell k={k} />
                <FindingsCell k={k} counts={findings?.get(k.schemaKey)} loaded={findings !== undefined} />
              </TableRow>
            )}
          />
        </TableBody>
      </Table>
    </div>
  );
}
