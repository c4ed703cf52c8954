import { parseSignal, type SignalParam } from "@/lib/signal";

/** MetricSearch is the state of a key's page (a metric's, a span's or a log event's) that lives in the URL. */
export type MetricSearch = {
  /** signal is the signal of the key; unset is a metric's, so that links from before spans and logs keep working. */
  signal?: SignalParam;
  /** superseded lists the schemas every release moved away from too. */
  superseded?: boolean;
  /** base and target are the schemas compared, by id; unset, the first two listed. */
  base?: string;
  target?: string;
};

const schemaId = (v: unknown) => (typeof v === "string" && /^[0-9a-f]{32}$/.test(v) ? v : undefined);

/** parseMetricSearch keeps only well-formed values from the URL. */
export function parseMetricSearch(s: Record<string, unknown>): MetricSearch {
  const out: MetricSearch = {};
  const signal = parseSignal(s.signal);
  if (signal) out.signal = signal;
  if (s.superseded === true) out.superseded = true;
  const base = schemaId(s.base);
  const target = schemaId(s.target);
  if (base) out.base = base;
  if (target) out.target = target;
  return out;
}
