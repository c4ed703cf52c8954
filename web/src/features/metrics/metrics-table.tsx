import { MetricTypeBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window, type Cost } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { cn } from "@/lib/utils";
import { KeyLink, KeyRows, SchemaCountCell, VersionCell } from "./key-cells";
import type { MetricsSearch } from "./search";
import { SortHeader } from "./sort-header";

type Props = {
  rows: SchemaKeySummary[] | undefined;
  loading: boolean;
  search: MetricsSearch;
  onSort: (sort: SchemaKeySort, descending: boolean) => void;
  emptyText: string;
};

const COLUMNS = 9;

/** MetricsTable is one row per metric name; divergent metrics stand out. */
export function MetricsTable({ rows, loading, search, onSort, emptyText }: Props) {
  const sortable = { search, onSort };
  const over = windowLabel[search.window ?? Window.UNSPECIFIED];
  return (
    <div className="rounded-lg border bg-background">
      <Table>
        <TableHeader>
          <TableRow>
            <SortHeader label="Metric" sort={SchemaKeySort.NAME} className="w-[36%]" {...sortable} />
            <TableHead>Type</TableHead>
            <TableHead>Unit</TableHead>
            <SortHeader label="Schemas" sort={SchemaKeySort.SCHEMA_COUNT} {...sortable} />
            <SortHeader label="Producers" sort={SchemaKeySort.PRODUCER_COUNT} {...sortable} />
            <SortHeader label="Series" sort={SchemaKeySort.SERIES} className="text-right" title={`Distinct time series (estimated) over the ${over}`} {...sortable} />
            <SortHeader label="Rate" sort={SchemaKeySort.DATA_POINT_RATE} className="text-right" title={`Data points a minute over the ${over}`} {...sortable} />
            <SortHeader label="Last seen" sort={SchemaKeySort.LAST_SEEN} {...sortable} />
            <TableHead>Version</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          <KeyRows rows={rows} loading={loading} columns={COLUMNS} emptyText={emptyText} row={(k) => <MetricRow key={k.schemaKey} k={k} />} />
        </TableBody>
      </Table>
    </div>
  );
}

function MetricRow({ k }: { k: SchemaKeySummary }) {
  return (
    <TableRow data-testid="metric-row">
      <TableCell>
        <KeyLink k={k} />
        {k.description && <p className="mt-0.5 line-clamp-1 text-xs text-muted-foreground">{k.description}</p>}
      </TableCell>
      <TableCell>
        <div className="flex flex-wrap gap-1">
          {(k.metricTypes.length > 0 ? k.metricTypes : [k.metricType]).map((t) => (
            <MetricTypeBadge key={t} type={t} />
          ))}
        </div>
      </TableCell>
      <TableCell>
        <span className={k.units.length > 1 ? "font-medium text-warning-foreground" : ""} title={k.units.length > 1 ? "Producers disagree on the unit" : undefined}>
          {k.units.length > 1 ? k.units.map((u) => u || "∅").join(" · ") : k.unit || <span className="text-muted-foreground">—</span>}
        </span>
      </TableCell>
      <SchemaCountCell k={k} />
      <TableCell>{k.producerCount}</TableCell>
      <CostCells cost={k.cost} />
      <TableCell>
        <RelativeTime value={k.lastSeen} />
      </TableCell>
      <VersionCell k={k} />
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
        className={cn("whitespace-nowrap text-right tabular-nums", cost && "text-muted-foreground")}
        data-testid="metric-rate"
        title={cost ? `${formatCount(cost.dataPoints)} data points${over}` : undefined}
      >
        {cost ? formatRate(cost.dataPointsPerMinute) : dash}
      </TableCell>
    </>
  );
}
