import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { parseSignal, type SignalParam } from "@/lib/signal";

/** LevelName is a level as the URL spells it: ?level=violation. */
export type LevelName = "violation" | "improvement";

/** levels maps the URL's level words to the API's levels; information or above is every finding, so it is no filter. */
export const levels: Record<LevelName, FindingLevel> = {
  violation: FindingLevel.VIOLATION,
  improvement: FindingLevel.IMPROVEMENT,
};

/** ConformanceSearch is the state of the Conformance page that lives in the URL: the findings' filters. */
export type ConformanceSearch = {
  /** level keeps findings at this level or more severe. */
  level?: LevelName;
  /** finding is a finding id: unit_mismatch, deprecated, ... */
  finding?: string;
  service?: string;
  /** metric is a key, exactly: a metric's, or with signal a span's or a log event's. */
  metric?: string;
  /** signal keeps the findings on spans' or log events' keys; unset keeps every signal's, or a metric's where metric is set. */
  signal?: SignalParam;
  /** schema is a schema id, from a schema's page. */
  schema?: string;
};

const text = (v: unknown) => (typeof v === "string" && v !== "" && v.length <= 1024 ? v : undefined);

/** parseConformanceSearch keeps only well-formed values from the URL. */
export function parseConformanceSearch(s: Record<string, unknown>): ConformanceSearch {
  const out: ConformanceSearch = {};
  if (s.level === "violation" || s.level === "improvement") out.level = s.level;
  const finding = text(s.finding);
  if (finding && finding.length <= 128) out.finding = finding;
  const service = text(s.service);
  if (service) out.service = service;
  const metric = text(s.metric);
  if (metric) out.metric = metric;
  const signal = parseSignal(s.signal);
  if (signal) out.signal = signal;
  if (typeof s.schema === "string" && /^[0-9a-f]{32}$/.test(s.schema)) out.schema = s.schema;
  return out;
}
