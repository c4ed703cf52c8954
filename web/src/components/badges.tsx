import { Badge } from "@/components/ui/badge";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import type { Field, SchemaVersion } from "@/gen/tallycat/v1/schema_pb";
import { FieldPresence, FieldSource, MetricType, SpanKind, VersionStatus } from "@/gen/tallycat/v1/schema_pb";
import {
  fieldName,
  findingLevelLabel,
  formatShare,
  isEventItself,
  metricTypeLabel,
  presenceBasis,
  sourceLabel,
  spanKindLabel,
  valueTypeLabel,
} from "@/lib/format";
import { cn } from "@/lib/utils";

const typeColors: Record<MetricType, string> = {
  [MetricType.UNSPECIFIED]: "",
  [MetricType.GAUGE]: "bg-sky-100 text-sky-800 dark:bg-sky-400/15 dark:text-sky-300",
  [MetricType.SUM]: "bg-emerald-100 text-emerald-800 dark:bg-emerald-400/15 dark:text-emerald-300",
  [MetricType.HISTOGRAM]: "bg-violet-100 text-violet-800 dark:bg-violet-400/15 dark:text-violet-300",
  [MetricType.EXPONENTIAL_HISTOGRAM]: "bg-fuchsia-100 text-fuchsia-800 dark:bg-fuchsia-400/15 dark:text-fuchsia-300",
  [MetricType.SUMMARY]: "bg-amber-100 text-amber-800 dark:bg-amber-400/15 dark:text-amber-300",
};

export function MetricTypeBadge({ type }: { type: MetricType }) {
  return <Badge className={cn("border-transparent", typeColors[type])}>{metricTypeLabel[type]}</Badge>;
}

const kindColors: Record<SpanKind, string> = {
  [SpanKind.UNSPECIFIED]: "bg-muted text-muted-foreground",
  [SpanKind.INTERNAL]: "bg-slate-100 text-slate-700 dark:bg-slate-400/15 dark:text-slate-300",
  [SpanKind.SERVER]: "bg-sky-100 text-sky-800 dark:bg-sky-400/15 dark:text-sky-300",
  [SpanKind.CLIENT]: "bg-emerald-100 text-emerald-800 dark:bg-emerald-400/15 dark:text-emerald-300",
  [SpanKind.PRODUCER]: "bg-violet-100 text-violet-800 dark:bg-violet-400/15 dark:text-violet-300",
  [SpanKind.CONSUMER]: "bg-amber-100 text-amber-800 dark:bg-amber-400/15 dark:text-amber-300",
};

/** SpanKindBadge is a span's kind: a server span and a client span of one name are two schemas. */
export function SpanKindBadge({ kind }: { kind: SpanKind }) {
  return (
    <Badge className={cn("border-transparent", kindColors[kind])} data-testid="span-kind" title="Span kind">
      {spanKindLabel[kind]}
    </Badge>
  );
}

const sourceColors: Record<FieldSource, string> = {
  [FieldSource.UNSPECIFIED]: "",
  [FieldSource.RESOURCE]: "border-orange-200 text-orange-700 dark:border-orange-400/40 dark:text-orange-300",
  [FieldSource.SCOPE]: "border-teal-200 text-teal-700 dark:border-teal-400/40 dark:text-teal-300",
  [FieldSource.DATA_POINT]: "border-indigo-200 text-indigo-700 dark:border-indigo-400/40 dark:text-indigo-300",
  [FieldSource.SPAN]: "border-indigo-200 text-indigo-700 dark:border-indigo-400/40 dark:text-indigo-300",
  [FieldSource.EVENT]: "border-violet-200 text-violet-700 dark:border-violet-400/40 dark:text-violet-300",
  [FieldSource.LINK]: "border-sky-200 text-sky-700 dark:border-sky-400/40 dark:text-sky-300",
  [FieldSource.LOG_RECORD]: "border-indigo-200 text-indigo-700 dark:border-indigo-400/40 dark:text-indigo-300",
  [FieldSource.BODY]: "border-emerald-200 text-emerald-700 dark:border-emerald-400/40 dark:text-emerald-300",
  [FieldSource.SEVERITY]: "border-rose-200 text-rose-700 dark:border-rose-400/40 dark:text-rose-300",
};

export function SourceBadge({ source }: { source: FieldSource }) {
  return (
    <Badge variant="outline" className={sourceColors[source]}>
      {sourceLabel[source]}
    </Badge>
  );
}

/** sourceRank orders sources: the item's own attributes, then the rest of its shape, then resource and scope. */
const sourceRank: Record<FieldSource, number> = {
  [FieldSource.DATA_POINT]: 0,
  [FieldSource.SPAN]: 0,
  [FieldSource.LOG_RECORD]: 0,
  [FieldSource.SEVERITY]: 1,
  [FieldSource.EVENT]: 2,
  [FieldSource.BODY]: 2,
  [FieldSource.LINK]: 3,
  [FieldSource.RESOURCE]: 4,
  [FieldSource.SCOPE]: 5,
  [FieldSource.UNSPECIFIED]: 6,
};

/** fieldOrder sorts the fields of a schema's shape (its identity) first, then resource, then scope; an event's attributes follow the event. */
export function fieldOrder(a: Field, b: Field): number {
  return (
    sourceRank[a.source] - sourceRank[b.source] ||
    a.eventName.localeCompare(b.eventName) ||
    a.name.localeCompare(b.name) ||
    a.valueType - b.valueType
  );
}

/** presenceText is "always", or "sometimes · 12 %"; empty where the field is not part of a schema. */
export function presenceText(field: Field): string {
  switch (field.presence) {
    case FieldPresence.ALWAYS:
      return "always";
    case FieldPresence.SOMETIMES:
      return `sometimes · ${formatShare(field.seenRatio)}`;
    default:
      return "";
  }
}

/**
 * PresenceBadge says how often a schema's field was carried: by data points,
 * spans or log records for the item's own fields, by producer instances for
 * a resource or scope one.
 * It shows nothing where presence is unset (a diff, a variant).
 */
export function PresenceBadge({ field }: { field: Field }) {
  const text = presenceText(field);
  if (!text) return null;
  const of = presenceBasis[field.source];
  const always = field.presence === FieldPresence.ALWAYS;
  return (
    <Badge
      variant="outline"
      data-testid="field-presence"
      className={cn("whitespace-nowrap", always ? "border-transparent text-muted-foreground" : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-400/40 dark:bg-amber-400/10 dark:text-amber-200")}
      title={always ? `On every one of the schema's ${of}` : `On ${formatShare(field.seenRatio)} of the schema's ${of}`}
    >
      {text}
    </Badge>
  );
}

/** TypeConflictBadge marks a key one release sends with more than one value type. */
export function TypeConflictBadge({ title }: { title?: string }) {
  return (
    <Badge
      variant="destructive"
      className="whitespace-nowrap"
      data-testid="type-conflict"
      title={title ?? "The same key, from the same source, arrives with more than one value type"}
    >
      type conflict
    </Badge>
  );
}

/** SupersededBadge marks a schema no release produces any more. */
export function SupersededBadge() {
  return (
    <Badge variant="secondary" className="text-muted-foreground" title="Every release that produced it moved to another schema">
      superseded
    </Badge>
  );
}

/** FieldLine is one field: its name, value type, presence, any type conflict and, unless the context says it, its source. */
export function FieldLine({ field, className, hideSource }: { field: Field; className?: string; hideSource?: boolean }) {
  return (
    <span className={cn("inline-flex flex-wrap items-center gap-1.5", className)}>
      <code className="font-mono text-[13px]">{fieldName(field)}</code>
      {!isEventItself(field) && (
        <Badge variant="secondary" className="font-mono">
          {valueTypeLabel[field.valueType]}
        </Badge>
      )}
      <PresenceBadge field={field} />
      {field.typeConflict && <TypeConflictBadge />}
      {!hideSource && <SourceBadge source={field.source} />}
    </span>
  );
}

/** AttributeChip is one attribute of a variant, as key:type. */
export function AttributeChip({ field }: { field: Field }) {
  return (
    <Badge variant="outline" className="font-mono font-normal" data-testid="attribute-chip">
      {isEventItself(field) ? fieldName(field) : `${fieldName(field)}:${valueTypeLabel[field.valueType]}`}
    </Badge>
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

/** HighCardinalityBadge marks an attribute with more distinct values in the last hour than the catalog's threshold. */
export function HighCardinalityBadge() {
  return (
    <Badge
      variant="warning"
      className="whitespace-nowrap"
      data-testid="high-cardinality"
      title="More distinct values in the last hour than the catalog's threshold: on a metric each value is a series of its own; on a span or a log record the attribute is costly to index and group by, and often an id that belongs nowhere near a name"
    >
      high cardinality
    </Badge>
  );
}

const levelColors: Record<FindingLevel, string> = {
  [FindingLevel.UNSPECIFIED]: "bg-muted text-muted-foreground",
  [FindingLevel.VIOLATION]: "bg-red-100 text-red-800 dark:bg-red-400/15 dark:text-red-300",
  [FindingLevel.IMPROVEMENT]: "bg-amber-100 text-amber-900 dark:bg-amber-400/15 dark:text-amber-300",
  [FindingLevel.INFORMATION]: "bg-sky-100 text-sky-800 dark:bg-sky-400/15 dark:text-sky-300",
};

const levelTitles: Record<FindingLevel, string> = {
  [FindingLevel.UNSPECIFIED]: "No level",
  [FindingLevel.VIOLATION]: "Breaks the conventions",
  [FindingLevel.IMPROVEMENT]: "Would make the telemetry better",
  [FindingLevel.INFORMATION]: "Context that asks for no action",
};

/** LevelBadge is a finding's level, as Weaver names it: violation in red, improvement in amber, information in blue. */
export function LevelBadge({ level, className }: { level: FindingLevel; className?: string }) {
  return (
    <Badge
      className={cn("whitespace-nowrap border-transparent", levelColors[level], className)}
      data-testid="level-badge"
      data-level={findingLevelLabel[level]}
      title={levelTitles[level]}
    >
      {findingLevelLabel[level]}
    </Badge>
  );
}
