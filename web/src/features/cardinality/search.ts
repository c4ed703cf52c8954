import type { Window } from "@/gen/tallycat/v1/schema_pb";
import { parseWindow } from "@/lib/window";

/** CardinalitySearch is the state of the cardinality page that lives in the URL. */
export type CardinalitySearch = {
  /** window is the span the top lists cover; unset is the last hour. */
  window?: Window;
  /** metric is the one whose history is plotted; unset is the top one. */
  metric?: string;
};

export function parseCardinalitySearch(s: Record<string, unknown>): CardinalitySearch {
  const out: CardinalitySearch = {};
  const window = parseWindow(s.window);
  if (window) out.window = window;
  if (typeof s.metric === "string" && s.metric !== "") out.metric = s.metric;
  return out;
}
