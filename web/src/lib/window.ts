import { Window } from "@/gen/tallycat/v1/schema_pb";

/**
 * parseWindow keeps a cost window from the URL. The last hour is the
 * default and stays out of the URL, so only the last day is kept.
 */
export function parseWindow(v: unknown): Window | undefined {
  return v === Window.LAST_DAY ? Window.LAST_DAY : undefined;
}
