import { Signal } from "@/gen/tallycat/v1/schema_pb";

/**
 * SignalName is a signal as the URL spells it: ?signal=span. A metric is
 * the default and stays out of the URL, so every URL from before spans and
 * logs had schemas keeps its meaning.
 */
export type SignalName = "metric" | "span" | "log";

/** SignalParam is what the URL may hold: the signals that are not the default. */
export type SignalParam = Exclude<SignalName, "metric">;

export const signalNames: SignalName[] = ["metric", "span", "log"];

const bySignalName: Record<SignalName, Signal> = { metric: Signal.METRIC, span: Signal.SPAN, log: Signal.LOG };

/** signalOf is the API's signal for a name from the URL; none is a metric. */
export function signalOf(name: SignalName | undefined): Signal {
  return bySignalName[name ?? "metric"];
}

/** signalNameOf names an API signal; unset is a metric's, as the API says. */
export function signalNameOf(signal: Signal): SignalName {
  return signal === Signal.SPAN ? "span" : signal === Signal.LOG ? "log" : "metric";
}

/** parseSignal keeps a signal from the URL; a metric, or anything else, is left out. */
export function parseSignal(v: unknown): SignalParam | undefined {
  return v === "span" || v === "log" ? v : undefined;
}

/** signalSearch is the search a link to a key's page carries for the signal: nothing for a metric. */
export function signalSearch(signal: Signal | SignalName): { signal?: SignalParam } {
  const name = typeof signal === "string" ? signal : signalNameOf(signal);
  return name === "metric" ? {} : { signal: name };
}

/** Words is how pages name a signal's keys and the items they count. */
type Words = {
  /** title is the navigation's and the list page's heading: "Spans". */
  title: string;
  /** key and keys name what a schema key is: "metric", "span", "log event". */
  key: string;
  keys: string;
  /** items are what a schema's counts count: "data points", "spans", "log records"; Items begins a sentence or a label. */
  items: string;
  Items: string;
};

export const signalWords: Record<SignalName, Words> = {
  metric: { title: "Metrics", key: "metric", keys: "metrics", items: "data points", Items: "Data points" },
  span: { title: "Spans", key: "span", keys: "spans", items: "spans", Items: "Spans" },
  log: { title: "Logs", key: "log event", keys: "log events", items: "log records", Items: "Log records" },
};

/** wordsOf is signalWords for an API signal. */
export function wordsOf(signal: Signal): Words {
  return signalWords[signalNameOf(signal)];
}
