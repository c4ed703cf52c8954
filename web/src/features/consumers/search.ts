import { ConsumerKind } from "@/gen/tallycat/v1/schema_pb";

/** KindName is a consumer kind as the URL spells it: ?kind=alert. */
export type KindName = "dashboard" | "alert" | "recording";

export const kinds: Record<KindName, ConsumerKind> = {
  dashboard: ConsumerKind.DASHBOARD,
  alert: ConsumerKind.ALERT_RULE,
  recording: ConsumerKind.RECORDING_RULE,
};

/** ConsumersSearch is the state of the Consumers page that lives in the URL: its filters. */
export type ConsumersSearch = {
  /** q keeps consumers whose title, folder or source contains it. */
  q?: string;
  kind?: KindName;
  /** broken keeps the consumers with a violation or an unparsed query. */
  broken?: boolean;
};

/** parseConsumersSearch keeps only well-formed values from the URL. */
export function parseConsumersSearch(s: Record<string, unknown>): ConsumersSearch {
  const out: ConsumersSearch = {};
  if (typeof s.q === "string" && s.q !== "" && s.q.length <= 1024) out.q = s.q;
  if (typeof s.kind === "string" && s.kind in kinds) out.kind = s.kind as KindName;
  if (s.broken === true) out.broken = true;
  return out;
}
