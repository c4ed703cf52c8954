import type { Schema } from "@/gen/tallycat/v1/schema_pb";
import { toDate } from "@/lib/format";
import type { ReleaseLike } from "@/lib/schema-name";

/**
 * Framing is what a diff between two schemas of a key is about:
 * "over-time" when the target is what the base became (a release that
 * moved from one to the other, or a service's newer release after its
 * older one), "side-by-side" when they are two producers' shapes at once.
 */
export type Framing = "over-time" | "side-by-side";

type Side = { schema: Schema; releases?: ReleaseLike[] };

/**
 * diffFraming says whether the target follows the base in time: the base
 * was superseded by the target, or both are sent by one service alone, by
 * different releases, the base's first. Otherwise the two are producers
 * disagreeing, and a diff read as "added" or "removed" would say something
 * happened that did not.
 */
export function diffFraming(base: Side, target: Side): Framing {
  if (base.schema.supersededBy.includes(target.schema.schemaId)) return "over-time";
  const b = base.releases ?? [];
  const t = target.releases ?? [];
  if (b.length === 0 || t.length === 0) return "side-by-side";
  const services = new Set([...b, ...t].map((r) => r.serviceName));
  const versions = new Set(b.map((r) => r.serviceVersion));
  const disjoint = t.every((r) => !versions.has(r.serviceVersion));
  const bFirst = toDate(base.schema.firstSeen)?.getTime() ?? 0;
  const tFirst = toDate(target.schema.firstSeen)?.getTime() ?? 0;
  return services.size === 1 && disjoint && bFirst < tFirst ? "over-time" : "side-by-side";
}

/** DiffWords are the words of a diff's rows, by framing. */
export type DiffWords = {
  /** onlyBase heads a field the base has and the target lacks. */
  onlyBase: string;
  /** onlyTarget heads a field the target has and the base lacks. */
  onlyTarget: string;
  /** changed heads a field both have in different types or places. */
  changed: string;
  /** property reads a property (unit, type) that differs. */
  property: (name: string) => string;
  /** between joins the two pickers: an arrow over time, "and" side by side. */
  between: string;
};

/**
 * diffWords words a diff as what it is: over time, fields were added,
 * removed or changed; side by side, a field is only in one producer's
 * schema, or differs between the two.
 */
export function diffWords(framing: Framing, baseName: string, targetName: string): DiffWords {
  if (framing === "over-time") {
    return { onlyBase: "− removed", onlyTarget: "+ added", changed: "changed", property: (p) => `${p} changed`, between: "→" };
  }
  return {
    onlyBase: `only in ${baseName}`,
    onlyTarget: `only in ${targetName}`,
    changed: "differs",
    property: (p) => `${p} differs`,
    between: "and",
  };
}
