import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import { MetricType, type Window } from "@/gen/tallycat/v1/schema_pb";
import { parseSignal, type SignalParam } from "@/lib/signal";
import { parseWindow } from "@/lib/window";

/** MetricsSearch is the state of the list page (metrics, spans or logs) that lives in the URL. */
export type MetricsSearch = {
  /** signal is the signal listed; unset lists metrics, as before spans and logs had schemas. */
  signal?: SignalParam;
  q?: string;
  type?: MetricType;
  service?: string;
  sort?: SchemaKeySort;
  desc?: boolean;
  /** window is the span the series and rate columns cover; unset is the last hour. */
  window?: Window;
  /** diverging keeps the keys whose producers disagree (the catalog's diverging_only). */
  diverging?: boolean;
};

export const sortColumns = {
  name: SchemaKeySort.NAME,
  schemas: SchemaKeySort.SCHEMA_COUNT,
  producers: SchemaKeySort.PRODUCER_COUNT,
  firstSeen: SchemaKeySort.FIRST_SEEN,
  lastSeen: SchemaKeySort.LAST_SEEN,
  series: SchemaKeySort.SERIES,
  rate: SchemaKeySort.DATA_POINT_RATE,
  errorShare: SchemaKeySort.ERROR_SHARE,
} as const;

/** parseMetricsSearch keeps only well-formed values from the URL. */
export function parseMetricsSearch(s: Record<string, unknown>): MetricsSearch {
  const out: MetricsSearch = {};
  const signal = parseSignal(s.signal);
  if (signal) out.signal = signal;
  if (typeof s.q === "string" && s.q !== "") out.q = s.q;
  if (typeof s.type === "number" && s.type in MetricType && s.type !== 0) out.type = s.type;
  if (typeof s.service === "string" && s.service !== "") out.service = s.service;
  if (typeof s.sort === "number" && Object.values(sortColumns).includes(s.sort)) out.sort = s.sort;
  if (s.desc === true) out.desc = true;
  const window = parseWindow(s.window);
  if (window) out.window = window;
  if (s.diverging === true) out.diverging = true;
  return out;
}
