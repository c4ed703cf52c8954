import { ConsumerFormat } from "@/gen/tallycat/v1/consumer_service_pb";
import { ConsumerKind, type ConsumerQueryRef, type ConsumerRef } from "@/gen/tallycat/v1/schema_pb";

/** kindWords names a consumer's kind in a sentence ("dashboard") and in a list heading ("Dashboards"). */
export const kindWords: Record<ConsumerKind, { one: string; many: string }> = {
  [ConsumerKind.UNSPECIFIED]: { one: "consumer", many: "Consumers" },
  [ConsumerKind.DASHBOARD]: { one: "dashboard", many: "Dashboards" },
  [ConsumerKind.ALERT_RULE]: { one: "alert rule", many: "Alert rules" },
  [ConsumerKind.RECORDING_RULE]: { one: "recording rule", many: "Recording rules" },
};

/** formatLabel names the form a consumer was read from. */
export const formatLabel: Record<ConsumerFormat, string> = {
  [ConsumerFormat.UNSPECIFIED]: "",
  [ConsumerFormat.GRAFANA_DASHBOARD]: "Grafana dashboard",
  [ConsumerFormat.GRAFANA_ALERT_RULES]: "Grafana alert rule",
  [ConsumerFormat.PROMETHEUS_RULES]: "Prometheus rule",
  [ConsumerFormat.PERSES_DASHBOARD]: "Perses dashboard",
};

/**
 * consumerFindingTitles are the consumer findings' names in words, for a
 * catalog that sends none: the finding ids are for filters and people's
 * searches, not for reading.
 */
const consumerFindingTitles: Record<string, string> = {
  consumer_missing_metric: "Reads a metric nothing sends",
  consumer_missing_attribute: "Reads an attribute the metric lacks",
  consumer_ambiguous_metric: "Reads a name several metrics could have",
  consumer_unparsed_query: "Query does not parse",
  unused_metric: "No dashboard or rule reads this metric",
  unused_attribute: "No query reads this attribute",
};

/** consumerFindingTitle is the catalog's title of a consumer finding, else its id in words. */
export function consumerFindingTitle(f: { findingId: string; title: string }): string {
  if (f.title) return f.title;
  const known = consumerFindingTitles[f.findingId];
  if (known) return known;
  const words = f.findingId.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * placeOf says where in its consumer a query is, as people name it: a
 * dashboard's "panel Latency" or "variable host", a rule's own name when
 * it is not the rule's title, then the query's ref id. Empty when there
 * is nothing to add to the consumer's title.
 */
export function placeOf(kind: ConsumerKind, consumerTitle: string, q: Pick<ConsumerQueryRef, "panel" | "refId"> | undefined): string {
  if (!q) return "";
  const parts: string[] = [];
  if (q.panel && q.panel !== consumerTitle) {
    parts.push(kind === ConsumerKind.DASHBOARD && !q.panel.startsWith("variable ") ? `panel ${q.panel}` : q.panel);
  }
  if (q.refId) parts.push(`query ${q.refId}`);
  return parts.join(", ");
}

/** consumerName is "dashboard Checkout" or "alert rule HighLatency": a consumer named as a sentence names it. */
export function consumerName(c: Pick<ConsumerRef, "kind" | "title" | "uid">): string {
  return `${kindWords[c.kind].one} ${c.title || c.uid || "(untitled)"}`;
}

/**
 * queryAnchor is the id a query has on its consumer's page, so that a link
 * can land on it: made of its path in the document, which no other query
 * of the consumer shares (two panels may share a title, and a Perses
 * panel's queries have no ref id); of its panel and ref id when a link
 * knows no path.
 */
export function queryAnchor(q: Pick<ConsumerQueryRef, "panel" | "refId"> & { path?: string }): string {
  const name = q.path ? q.path : `${q.panel}-${q.refId}`;
  return `query-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
}
