import { MetricTypeBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window, type Cost } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { cn } from "@/lib/utils";
import type { FindingCount } from "@/gen/tallycat/v1/conformance_service_pb";
import { KeyLink, KeyRows, SchemaCountCell } from "./key-cells";
import { FindingsCell, VersionCell } from "./key-status";
import type { MetricsSearch } from "./search";
import { SortHeader } from "./sort-header";

type Props = {
  rows: SchemaKeySummary[] | undefined;
  loading: boolean;
  search: MetricsSearch;
  onSort: (sort: SchemaKeySort, descending: boolean) => void;
  emptyText: string;
  /** findings count each listed key's findings, by name; undefined while they load. */
  findings: Map<string, FindingCount> | undefined;
};

const COLUMNS = 10;

/**
 * MetricsTable is one row per metric name; divergent metrics stand out.
 * Below 1024 pixels the producers, rate and last seen columns give way, so
 * that the name, its shape, its versions and findings fit without
 * scrolling sideways.
 */
export function MetricsTable({ rows, loading, search, onSort, emptyText, findings }: Props) {
  const sortable = { search, onSort };
  const over = windowLabel[search.window ?? Window.UNSPECIFIED];
  return (
    <div className="rounded-lg border bg-background">
      <Table className="[&_td]:px-2 [&_th]:px-2">
        <TableHeader>
          <TableRow>
            <SortHeader label="Metric" sort={SchemaKeySort.NAME} {...sortable} />
            <TableHead>Type</TableHead>
            <TableHead>Unit</TableHead>
            <SortHeader label="Schemas" sort={SchemaKeySort.SCHEMA_COUNT} {...sortable} />
            <SortHeader label="Producers" sort={SchemaKeySort.PRODUCER_COUNT} className="hidden lg:table-cell" {...sortable} />
            <SortHeader label="Series" sort={SchemaKeySort.SERIES} className="text-right" title={`Distinct time series (estimated) over the ${over}`} {...sortable} />
            <SortHeader label="Rate" sort={SchemaKeySort.DATA_POINT_RATE} className="hidden lg:table-cell text-right" title={`Data points a minute over the ${over}`} {...sortable} />
            <SortHeader label="Last seen" sort={SchemaKeySort.LAST_SEEN} className="hidden lg:table-cell" {...sortable} />
            <TableHead title="The current version of each of its schemas, with its status">Versions</TableHead>
            <TableHead title="Its violations and the improvements suggested, judged against the registries">Findings</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          <KeyRows
            rows={rows}
            loading={loading}
            columns={COLUMNS}
            emptyText={emptyText}
            row={(k) => <MetricRow key={k.schemaKey} k={k} findings={findings} />}
          />
        </TableBody>
      </Table>
    </div>
  );
}

/**
 * MetricRow is one metric. Its chips and lists stay on one line, cut short
 * with an ellipsis and whole in their title, so that every row keeps the
 * height of one and the columns read straight down.
 */
function MetricRow({ k, findings }: { k: SchemaKeySummary; findings: Map<string, FindingCount> | undefined }) {
  const units = k.units.length > 1 ? k.units.map((u) => u || "∅").join(" · ") : undefined;
  return (
    <TableRow data-testid="metric-row" data-diverging={k.diverging}>
      <TableCell>
        <KeyLink k={k} />
        {k.description && <p className="mt-0.5 line-clamp-1 text-xs text-muted-foreground">{k.description}</p>}
      </TableCell>
      <TableCell className="max-w-[12rem]">
        <div className="flex gap-1 overflow-hidden whitespace-nowrap" title={k.metricTypes.length > 1 ? "Producers disagree on the instrument" : undefined}>
          {(k.metricTypes.length > 0 ? k.metricTypes : [k.metricType]).map((t) => (
            <MetricTypeBadge key={t} type={t} />
          ))}
        </div>
      </TableCell>
      <TableCell className="max-w-[8rem]">
        <div
          className={cn("truncate", units && "font-medium text-warning-foreground")}
          title={units ? `Producers disagree on the unit: ${units}` : k.unit || undefined}
          data-testid="metric-units"
        >
          {units ?? (k.unit || <span className="text-muted-foreground">—</span>)}
        </div>
      </TableCell>
      <SchemaCountCell k={k} />
      <TableCell className="hidden lg:table-cell">{k.producerCount}</TableCell>
      <CostCells cost={k.cost} />
      <TableCell className="hidden lg:table-cell">
        <RelativeTime value={k.lastSeen} />
      </TableCell>
      <VersionCell k={k} />
      <FindingsCell k={k} counts={findings?.get(k.schemaKey)} loaded={findings !== undefined} />
    </TableRow>
  );
}

/** CostCells are a metric's series estimate and data point rate, or dashes before the catalog counts them. */
function CostCells({ cost }: { cost: Cost | undefined }) {
  const dash = <span className="text-muted-foreground">—</span>;
  const over = cost ? ` over the ${windowLabel[cost.window]}` : "";
  return (
    <>
      <TableCell className="text-right tabular-nums" data-testid="metric-series" title={cost ? `≈ ${formatCount(cost.seriesEstimate)} series${over}` : undefined}>
        {cost ? formatCompact(cost.seriesEstimate) : dash}
      </TableCell>
      <TableCell
        className={cn("hidden lg:table-cell whitespace-nowrap text-right tabular-nums", cost && "text-muted-foreground")}
        data-testid="metric-rate"
        title={cost ? `${formatCount(cost.dataPoints)} data points${over}` : undefined}
      >
        {cost ? formatRate(cost.dataPointsPerMinute) : dash}
      </TableCell>
    </>
  );
}
