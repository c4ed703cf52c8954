import { Link } from "@tanstack/react-router";
import { ArrowDown, ArrowUp, ArrowUpDown, GitFork } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { MetricTypeBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { SchemaKeySort, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window, type Cost } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatRate, windowLabel } from "@/lib/format";
import { cn } from "@/lib/utils";
import type { MetricsSearch } from "./search";

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
  const sorted = search.sort ?? SchemaKeySort.NAME;
  const header = (label: string, sort: SchemaKeySort, className?: string, title?: string) => {
    const active = sorted === sort || (sort === SchemaKeySort.NAME && sorted === SchemaKeySort.UNSPECIFIED);
    const Icon = active ? (search.desc ? ArrowDown : ArrowUp) : ArrowUpDown;
    return (
      <TableHead className={className} aria-sort={active ? (search.desc ? "descending" : "ascending") : "none"} title={title}>
        <button
          type="button"
          className="inline-flex items-center gap-1 uppercase hover:text-foreground"
          onClick={() => onSort(sort, active ? !search.desc : sort !== SchemaKeySort.NAME)}
        >
          {label} <Icon className={active ? "h-3.5 w-3.5" : "h-3.5 w-3.5 opacity-40"} />
        </button>
      </TableHead>
    );
  };
  return (
    <div className="rounded-lg border bg-background">
      <Table>
        <TableHeader>
          <TableRow>
            {header("Metric", SchemaKeySort.NAME, "w-[36%]")}
            <TableHead>Type</TableHead>
            <TableHead>Unit</TableHead>
            {header("Schemas", SchemaKeySort.SCHEMA_COUNT)}
            {header("Producers", SchemaKeySort.PRODUCER_COUNT)}
            {header("Series", SchemaKeySort.SERIES, "text-right", `Distinct time series (estimated) over the ${windowLabel[search.window ?? Window.UNSPECIFIED]}`)}
            {header("Rate", SchemaKeySort.DATA_POINT_RATE, "text-right", `Data points a minute over the ${windowLabel[search.window ?? Window.UNSPECIFIED]}`)}
            {header("Last seen", SchemaKeySort.LAST_SEEN)}
            <TableHead>Version</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {loading && !rows
            ? Array.from({ length: 8 }, (_, i) => (
                <TableRow key={i} data-testid="skeleton-row">
                  {Array.from({ length: COLUMNS }, (_, j) => (
                    <TableCell key={j}>
                      <Skeleton className="h-5 w-full" />
                    </TableCell>
                  ))}
                </TableRow>
              ))
            : rows?.map((k) => <MetricRow key={k.schemaKey} k={k} />)}
          {rows && rows.length === 0 && (
            <TableRow>
              <TableCell colSpan={COLUMNS} className="py-10 text-center text-muted-foreground">
                {emptyText}
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </div>
  );
}

function MetricRow({ k }: { k: SchemaKeySummary }) {
  const diverges = k.schemaCount > 1;
  return (
    <TableRow data-testid="metric-row">
      <TableCell>
        <Link to="/metrics/$key" params={{ key: k.schemaKey }} className="font-mono text-[13px] font-medium text-primary hover:underline">
          {k.schemaKey}
        </Link>
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
      <TableCell>
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          {diverges ? (
            <Badge variant="warning" title="More than one current shape: producers disagree">
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
      <TableCell>{k.producerCount}</TableCell>
      <CostCells cost={k.cost} />
      <TableCell>
        <RelativeTime value={k.lastSeen} />
      </TableCell>
      <TableCell>
        {k.deprecated ? (
          <Badge variant="warning">deprecated</Badge>
        ) : k.versioned ? (
          <Badge variant="success">versioned</Badge>
        ) : (
          <span className="text-xs text-muted-foreground">unversioned</span>
        )}
      </TableCell>
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
