import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { FieldSource, MetricType, SpanKind, Temporality, ValueType, VersionStatus, Window, type Field } from "@/gen/tallycat/v1/schema_pb";
import { ChangeLevel } from "@/gen/tallycat/v1/versioning_service_pb";

export const metricTypeLabel: Record<MetricType, string> = {
  [MetricType.UNSPECIFIED]: "unknown",
  [MetricType.GAUGE]: "gauge",
  [MetricType.SUM]: "sum",
  [MetricType.HISTOGRAM]: "histogram",
  [MetricType.EXPONENTIAL_HISTOGRAM]: "exp. histogram",
  [MetricType.SUMMARY]: "summary",
};

export const temporalityLabel: Record<Temporality, string> = {
  [Temporality.UNSPECIFIED]: "—",
  [Temporality.DELTA]: "delta",
  [Temporality.CUMULATIVE]: "cumulative",
};

export const valueTypeLabel: Record<ValueType, string> = {
  [ValueType.UNSPECIFIED]: "?",
  [ValueType.STRING]: "string",
  [ValueType.BOOL]: "bool",
  [ValueType.INT]: "int",
  [ValueType.DOUBLE]: "double",
  [ValueType.BYTES]: "bytes",
  [ValueType.ARRAY]: "array",
  [ValueType.MAP]: "map",
  [ValueType.EMPTY]: "empty",
};

export const sourceLabel: Record<FieldSource, string> = {
  [FieldSource.UNSPECIFIED]: "?",
  [FieldSource.RESOURCE]: "resource",
  [FieldSource.SCOPE]: "scope",
  [FieldSource.DATA_POINT]: "data point",
  [FieldSource.SPAN]: "span",
  [FieldSource.EVENT]: "event",
  [FieldSource.LINK]: "link",
  [FieldSource.LOG_RECORD]: "log record",
  [FieldSource.BODY]: "body",
  [FieldSource.SEVERITY]: "severity",
};

/** spanKindLabel names a span's kind as OTLP does, in lower case. */
export const spanKindLabel: Record<SpanKind, string> = {
  [SpanKind.UNSPECIFIED]: "unspecified",
  [SpanKind.INTERNAL]: "internal",
  [SpanKind.SERVER]: "server",
  [SpanKind.CLIENT]: "client",
  [SpanKind.PRODUCER]: "producer",
  [SpanKind.CONSUMER]: "consumer",
};

/** presenceBasis is what a field's presence is a share of, by where the field was found. */
export const presenceBasis: Record<FieldSource, string> = {
  [FieldSource.UNSPECIFIED]: "data points",
  [FieldSource.RESOURCE]: "producer instances",
  [FieldSource.SCOPE]: "producer instances",
  [FieldSource.DATA_POINT]: "data points",
  [FieldSource.SPAN]: "spans",
  [FieldSource.EVENT]: "spans",
  [FieldSource.LINK]: "spans",
  [FieldSource.LOG_RECORD]: "log records",
  [FieldSource.BODY]: "log records",
  [FieldSource.SEVERITY]: "log records",
};

/**
 * fieldName is a field as people read it: its name, or for a span event's
 * field the event's name before it ("exception › exception.type"), and the
 * event's name alone for the field that stands for the event itself.
 */
export function fieldName(f: Pick<Field, "source" | "name" | "eventName">): string {
  if (f.source !== FieldSource.EVENT) return f.name;
  return f.name ? `${f.eventName} › ${f.name}` : f.eventName;
}

/** isEventItself says whether a field stands for a span event itself (an event field with no name), not one of its attributes. */
export function isEventItself(f: Pick<Field, "source" | "name">): boolean {
  return f.source === FieldSource.EVENT && f.name === "";
}

export const statusLabel: Record<VersionStatus, string> = {
  [VersionStatus.UNSPECIFIED]: "—",
  [VersionStatus.ACTIVE]: "active",
  [VersionStatus.DEPRECATED]: "deprecated",
};

/** changeLevelLabel names how far a proposed version moves, by SemVer. */
export const changeLevelLabel: Record<ChangeLevel, string> = {
  [ChangeLevel.UNSPECIFIED]: "no change",
  [ChangeLevel.PATCH]: "patch",
  [ChangeLevel.MINOR]: "minor",
  [ChangeLevel.MAJOR]: "major",
};

/** findingLevelLabel names a finding's level as Weaver does. */
export const findingLevelLabel: Record<FindingLevel, string> = {
  [FindingLevel.UNSPECIFIED]: "unknown",
  [FindingLevel.VIOLATION]: "violation",
  [FindingLevel.IMPROVEMENT]: "improvement",
  [FindingLevel.INFORMATION]: "information",
};

/** windowLabel names the span cost figures cover, as in "series over the last hour". */
export const windowLabel: Record<Window, string> = {
  [Window.UNSPECIFIED]: "last hour",
  [Window.LAST_HOUR]: "last hour",
  [Window.LAST_DAY]: "last 24 hours",
};

/** toDate converts an API timestamp, or returns undefined when unset. */
export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** relativeTime renders a date as "3 minutes ago" against now. */
export function relativeTime(d: Date, now: Date = new Date()): string {
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return rtf.format(Math.round(seconds / size), unit);
    }
  }
  return d.toISOString();
}

/** exactTime renders a date in full, with its time zone, for tooltips. */
export function exactTime(d: Date): string {
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}

/** shortId abbreviates a schema id for display; the full id goes in titles. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** formatCount renders a count with thousands separators. */
export function formatCount(n: bigint | number): string {
  return typeof n === "bigint" ? n.toLocaleString("en") : n.toLocaleString("en");
}

/**
 * formatShare renders a share (0..1) as a whole percentage, without rounding
 * a tiny share down to "0 %" or a near-total one up to "100 %".
 */
export function formatShare(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return "0 %";
  const pct = ratio * 100;
  if (pct < 1) return "<1 %";
  if (pct >= 99.5 && pct < 100) return ">99 %";
  return `${Math.round(Math.min(pct, 100))} %`;
}

/** shareOf is part / whole for the API's counts, or undefined when whole is 0. */
export function shareOf(part: bigint | number, whole: bigint | number): number | undefined {
  const w = Number(whole);
  return w > 0 ? Number(part) / w : undefined;
}

const magnitudes: [number, string][] = [
  [1e3, "k"],
  [1e6, "M"],
  [1e9, "B"],
  [1e12, "T"],
];

/**
 * formatCompact renders a large count for people: 950, 5.0k, 12k, 1.2M.
 * One decimal below ten of a unit, none above; a value that would round up
 * to 1000 of a unit moves to the next one (999,600 is 1.0M, not 1000k).
 */
export function formatCompact(value: bigint | number): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  if (Math.abs(n) < 999.5) return String(Math.round(n));
  for (const [size, suffix] of magnitudes) {
    const v = Math.abs(n) / size;
    const sign = n < 0 ? "-" : "";
    if (v < 9.95) return `${sign}${v.toFixed(1)}${suffix}`;
    if (v < 999.5) return `${sign}${Math.round(v)}${suffix}`;
  }
  return n.toExponential(1);
}

/** formatRate renders data points a minute: 12/min, 0.5/min, 5.0k/min, <0.1/min. */
export function formatRate(perMinute: number): string {
  if (!Number.isFinite(perMinute) || perMinute <= 0) return "0/min";
  if (perMinute < 0.05) return "<0.1/min";
  if (perMinute < 9.95) return `${perMinute.toFixed(1).replace(/\.0$/, "")}/min`;
  return `${formatCompact(perMinute)}/min`;
}
