import { Link } from "@tanstack/react-router";
import { useSchemaKeys } from "@/api/catalog";
import { MetricTypeBadge } from "@/components/badges";
import { Skeleton } from "@/components/ui/skeleton";

/** ServiceMetrics lists the metric names one service emits. */
export function ServiceMetrics({ service }: { service: string }) {
  const keys = useSchemaKeys({ serviceName: service, pageSize: 100 });
  if (keys.isPending) return <Skeleton className="h-24" />;
  const rows = keys.data?.schemaKeys ?? [];
  const more = Number(keys.data?.totalSize ?? 0n) - rows.length;
  return (
    <div>
      <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-muted-foreground">Metrics it emits</h3>
      <ul className="space-y-1 text-sm">
        {rows.map((k) => (
          <li key={k.schemaKey} className="flex items-center gap-2">
            <MetricTypeBadge type={k.metricType} />
            <Link to="/metrics/$key" params={{ key: k.schemaKey }} className="font-mono text-[13px] text-primary hover:underline">
              {k.schemaKey}
            </Link>
          </li>
        ))}
      </ul>
      {more > 0 && (
        <Link to="/" search={{ service }} className="mt-2 inline-block text-sm text-primary hover:underline">
          and {more} more…
        </Link>
      )}
    </div>
  );
}
