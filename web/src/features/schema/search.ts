import type { Window } from "@/gen/tallycat/v1/schema_pb";
import { parseWindow } from "@/lib/window";

/** SchemaSearch is the state of the schema page that lives in the URL. */
export type SchemaSearch = {
  /** window is the span the cost figures cover; unset is the last hour. */
  window?: Window;
};

export function parseSchemaSearch(s: Record<string, unknown>): SchemaSearch {
  const window = parseWindow(s.window);
  return window ? { window } : {};
}
