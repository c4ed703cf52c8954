import { Badge } from "@/components/ui/badge";
import type { Field, SchemaVersion } from "@/gen/tallycat/v1/schema_pb";
import { FieldSource, MetricType, VersionStatus } from "@/gen/tallycat/v1/schema_pb";
import { metricTypeLabel, sourceLabel, valueTypeLabel } from "@/lib/format";
import { cn } from "@/lib/utils";

const typeColors: Record<MetricType, string> = {
  [MetricType.UNSPECIFIED]: "",
  [MetricType.GAUGE]: "bg-sky-100 text-sky-800",
  [MetricType.SUM]: "bg-emerald-100 text-emerald-800",
  [MetricType.HISTOGRAM]: "bg-violet-100 text-violet-800",
  [MetricType.EXPONENTIAL_HISTOGRAM]: "bg-fuchsia-100 text-fuchsia-800",
  [MetricType.SUMMARY]: "bg-amber-100 text-amber-800",
};

export function MetricTypeBadge({ type }: { type: MetricType }) {
  return <Badge className={cn("border-transparent", typeColors[type])}>{metricTypeLabel[type]}</Badge>;
}

const sourceColors: Record<FieldSource, string> = {
  [FieldSource.UNSPECIFIED]: "",
  [FieldSource.RESOURCE]: "border-orange-200 text-orange-700",
  [FieldSource.SCOPE]: "border-teal-200 text-teal-700",
  [FieldSource.DATA_POINT]: "border-indigo-200 text-indigo-700",
};

export function SourceBadge({ source }: { source: FieldSource }) {
  return (
    <Badge variant="outline" className={sourceColors[source]}>
      {sourceLabel[source]}
    </Badge>
  );
}

/** fieldOrder sorts data point fields (the schema's identity) first, then resource, then scope. */
export function fieldOrder(a: Field, b: Field): number {
  const rank = (f: Field) => (f.source === FieldSource.DATA_POINT ? 0 : f.source);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/** FieldLine is one field: its name, value type and, unless the context says it, its source. */
export function FieldLine({ field, className, hideSource }: { field: Field; className?: string; hideSource?: boolean }) {
  return (
    <span className={cn("inline-flex flex-wrap items-center gap-1.5", className)}>
      <code className="font-mono text-[13px]">{field.name}</code>
      <Badge variant="secondary" className="font-mono">
        {valueTypeLabel[field.valueType]}
      </Badge>
      {!hideSource && <SourceBadge source={field.source} />}
    </span>
  );
}

/** VersionBadge shows a schema's current version and its status. */
export function VersionBadge({ version }: { version: SchemaVersion | undefined }) {
  if (!version) return <span className="text-xs text-muted-foreground">unversioned</span>;
  const deprecated = version.status === VersionStatus.DEPRECATED;
  return (
    <Badge variant={deprecated ? "warning" : "success"} title={deprecated ? `Deprecated: ${version.reason}` : "Active"}>
      v{version.version}
      {deprecated && " · deprecated"}
    </Badge>
  );
}
