import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { SchemaSchema } from "@/gen/tallycat/v1/schema_pb";
import { diffFraming, diffWords } from "./diff-words";

const at = (minutesAgo: number) => timestampFromDate(new Date(Date.now() - minutesAgo * 60_000));
const schema = (c: string, firstSeenMinutesAgo: number, supersededBy: string[] = []) =>
  create(SchemaSchema, { schemaId: c.repeat(32), firstSeen: at(firstSeenMinutesAgo), supersededBy, superseded: supersededBy.length > 0 });
const cart = (serviceVersion: string) => ({ serviceName: "cart", serviceVersion });

describe("diffFraming", () => {
  it("reads two producers' schemas side by side", () => {
    const checkout = { schema: schema("a", 60), releases: [{ serviceName: "checkout", serviceVersion: "1.4.2" }] };
    const payments = { schema: schema("b", 30), releases: [{ serviceName: "payments", serviceVersion: "2.0.0" }] };
    expect(diffFraming(checkout, payments)).toBe("side-by-side");
    expect(diffFraming(payments, checkout)).toBe("side-by-side");
  });

  it("reads a schema and the one its release moved to as a change, in that order only", () => {
    const before = { schema: schema("d", 60, ["a".repeat(32)]), releases: [cart("1.0.0")] };
    const after = { schema: schema("a", 30), releases: [cart("1.0.0")] };
    expect(diffFraming(before, after)).toBe("over-time");
    expect(diffFraming(after, before)).toBe("side-by-side");
  });

  it("reads a service's release and the one before it as a change, not two releases sending at once", () => {
    const old = { schema: schema("a", 60), releases: [cart("1.0.0")] };
    const upgraded = { schema: schema("b", 30), releases: [cart("1.1.0")] };
    expect(diffFraming(old, upgraded)).toBe("over-time");
    expect(diffFraming(upgraded, old)).toBe("side-by-side");
    // One release sending two shapes at once (two instrumentation libraries, say) is no change.
    expect(diffFraming({ ...old, releases: [cart("1.1.0")] }, upgraded)).toBe("side-by-side");
    // Releases not known yet: nothing is claimed to have happened.
    expect(diffFraming({ schema: old.schema }, upgraded)).toBe("side-by-side");
  });
});

describe("diffWords", () => {
  it("speaks of difference between producers, and of change over time", () => {
    const side = diffWords("side-by-side", "checkout 1.4.2", "payments 2.0.0");
    expect([side.onlyBase, side.onlyTarget, side.changed, side.property("unit")]).toEqual([
      "only in checkout 1.4.2",
      "only in payments 2.0.0",
      "differs",
      "unit differs",
    ]);
    const time = diffWords("over-time", "cart 1.0.0", "cart 1.1.0");
    expect([time.onlyBase, time.onlyTarget, time.changed, time.property("unit")]).toEqual(["− removed", "+ added", "changed", "unit changed"]);
  });
});
