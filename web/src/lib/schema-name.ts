// How the UI names a schema: by who sends it, not by its id. People know
// their services and releases ("checkout 1.4.2"); a schema id is what they
// copy into a query or a bug report, so it stays beside the name, smaller.
import { MetricType, Signal, SpanKind } from "@/gen/tallycat/v1/schema_pb";
import { metricTypeLabel, shortId, spanKindLabel } from "./format";

/** ReleaseLike is a service at a version, as Release, Producer and FindingProducer all carry one. */
export type ReleaseLike = { serviceName: string; serviceNamespace?: string; serviceVersion: string };

/** releaseName is a release as people say it: "checkout 1.4.2". */
export function releaseName(r: ReleaseLike): string {
  return [r.serviceName, r.serviceVersion].filter(Boolean).join(" ");
}

/** releaseFullName is a release with its namespace, for titles: "shop/checkout 1.4.2". */
export function releaseFullName(r: ReleaseLike): string {
  return (r.serviceNamespace ? `${r.serviceNamespace}/` : "") + releaseName(r);
}

/**
 * releasesLabel names the releases that send a schema, in the order given
 * (the catalog lists current releases first, then the most recently seen),
 * a service's versions after its name once: "checkout 1.4.2, 1.4.1",
 * "checkout 1.4.2, payments 2.0.0". Past max releases the rest are counted,
 * so that a service with fifty releases still names a schema in a line.
 */
export function releasesLabel(releases: ReleaseLike[], max = 2): string {
  const shown = releases.slice(0, max);
  const parts: string[] = [];
  let service: string | undefined;
  for (const r of shown) {
    parts.push(r.serviceName === service && r.serviceVersion ? r.serviceVersion : releaseName(r));
    service = r.serviceName;
  }
  const rest = releases.length - shown.length;
  return parts.join(", ") + (rest > 0 ? ` and ${rest} more` : "");
}

/** NamedSchema is what naming a schema reads: its releases (undefined while not known) and the traits that tell it from its siblings. */
export type NamedSchema = {
  schemaId: string;
  signal?: Signal;
  unit?: string;
  metricType?: MetricType;
  spanKind?: SpanKind;
  /** superseded is a past shape: every release that sent it moved to another schema. */
  superseded?: boolean;
  releases?: ReleaseLike[];
};

/** SchemaName is a schema's name in its parts, as pages show it. */
export type SchemaName = {
  id: string;
  /** short is the id's first eight hex digits, as ids are shown. */
  short: string;
  /** producer names the releases that send it ("checkout 1.4.2"); empty while they are not known or where there is none. */
  producer: string;
  /** trait tells the schema from another of the same producer: its unit, its type, its kind, "superseded" for a lone past shape, or its short id. */
  trait: string;
  /** label is the name in one line: "checkout 1.4.2 · s"; the short id where no producer is known. */
  label: string;
  /** full is every release with its namespace, then the full id, for a title. */
  full: string;
  /** releases are those that send it, current first; undefined while not known. */
  releases?: ReleaseLike[];
};

/**
 * traits are the ways two schemas of one key from the same producer can
 * differ, in the order people tell them apart: a unit before an
 * instrument, a span's kind; the short id always does.
 */
const traits: ((s: NamedSchema) => string)[] = [
  (s) => (s.signal === undefined || s.signal === Signal.METRIC || s.signal === Signal.UNSPECIFIED ? s.unit || "no unit" : ""),
  (s) => (s.metricType ? metricTypeLabel[s.metricType] : ""),
  (s) => (s.spanKind ? spanKindLabel[s.spanKind] : ""),
];

/**
 * distinguishing picks the first trait whose values all differ within a
 * group of schemas sharing a producer. Failing those, a release that moved
 * to a larger schema (the common case: same unit, same type) leaves one
 * current schema and its past shape: the current one needs no trait, and
 * a lone past shape is "superseded"; any other tie is told by short id.
 */
function distinguishing(group: NamedSchema[]): (s: NamedSchema) => string {
  for (const trait of traits) {
    const values = group.map(trait);
    if (values.every(Boolean) && new Set(values).size === group.length) return trait;
  }
  const current = group.filter((s) => !s.superseded).length;
  const past = group.length - current;
  if (current <= 1) return (s) => (!s.superseded ? "" : past === 1 ? "superseded" : shortId(s.schemaId));
  return (s) => shortId(s.schemaId);
}

/**
 * nameSchemas names schemas that are shown together (a key's schemas, the
 * schemas a timeline mentions): each by its producer, and where two share
 * one, with the trait that tells them apart among those shown. Names the
 * same set gets are the same on every page that names that set.
 */
export function nameSchemas(schemas: NamedSchema[]): Map<string, SchemaName> {
  const unique = [...new Map(schemas.map((s) => [s.schemaId, s])).values()];
  const byProducer = new Map<string, NamedSchema[]>();
  for (const s of unique) {
    const producer = s.releases ? releasesLabel(s.releases) : "";
    if (producer) byProducer.set(producer, [...(byProducer.get(producer) ?? []), s]);
  }
  const out = new Map<string, SchemaName>();
  for (const s of unique) {
    const producer = s.releases ? releasesLabel(s.releases) : "";
    const group = producer ? byProducer.get(producer)! : [];
    const trait = group.length > 1 ? distinguishing(group)(s) : "";
    out.set(s.schemaId, {
      id: s.schemaId,
      short: shortId(s.schemaId),
      producer,
      trait,
      label: producer ? [producer, trait].filter(Boolean).join(" · ") : shortId(s.schemaId),
      full: [...(s.releases ?? []).map(releaseFullName), `schema ${s.schemaId}`].join("\n"),
      releases: s.releases,
    });
  }
  return out;
}

/** nameOf is a schema's name among names, or its short id where it has none (yet). */
export function nameOf(names: Map<string, SchemaName> | undefined, id: string): SchemaName {
  return names?.get(id) ?? { id, short: shortId(id), producer: "", trait: "", label: shortId(id), full: `schema ${id}` };
}
