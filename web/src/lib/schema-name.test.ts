import { describe, expect, it } from "vitest";
import { MetricType, Signal, SpanKind } from "@/gen/tallycat/v1/schema_pb";
import { nameOf, nameSchemas, releaseName, releasesLabel } from "./schema-name";

const checkout = (serviceVersion: string) => ({ serviceName: "checkout", serviceNamespace: "shop", serviceVersion });
const payments = { serviceName: "payments", serviceVersion: "2.0.0" };
const id = (c: string) => c.repeat(32);

describe("releasesLabel", () => {
  it("names a release by service and version, a service's further versions after its name once", () => {
    expect(releaseName(checkout("1.4.2"))).toBe("checkout 1.4.2");
    expect(releaseName({ serviceName: "cron", serviceVersion: "" })).toBe("cron");
    expect(releasesLabel([checkout("1.4.2")])).toBe("checkout 1.4.2");
    expect(releasesLabel([checkout("1.4.2"), checkout("1.4.1")])).toBe("checkout 1.4.2, 1.4.1");
    expect(releasesLabel([checkout("1.4.2"), payments])).toBe("checkout 1.4.2, payments 2.0.0");
  });

  it("counts the releases past the first two, so that a name stays a line", () => {
    expect(releasesLabel([checkout("1.4.2"), checkout("1.4.1"), checkout("1.4.0"), payments])).toBe("checkout 1.4.2, 1.4.1 and 2 more");
    expect(releasesLabel([])).toBe("");
  });
});

describe("nameSchemas", () => {
  it("names schemas by their producers alone while the producers differ", () => {
    const names = nameSchemas([
      { schemaId: id("a"), unit: "s", releases: [checkout("1.4.2")] },
      { schemaId: id("b"), unit: "ms", releases: [payments] },
    ]);
    expect(nameOf(names, id("a")).label).toBe("checkout 1.4.2");
    expect(nameOf(names, id("b")).label).toBe("payments 2.0.0");
    expect(nameOf(names, id("a")).full).toBe(`shop/checkout 1.4.2\nschema ${id("a")}`);
  });

  it("tells apart two schemas of one producer by unit, then type, then span kind, then short id", () => {
    const two = (a: object, b: object) => {
      const names = nameSchemas([
        { schemaId: id("a"), releases: [checkout("1.4.2")], ...a },
        { schemaId: id("b"), releases: [checkout("1.4.2")], ...b },
      ]);
      return [nameOf(names, id("a")).label, nameOf(names, id("b")).label];
    };
    expect(two({ unit: "s" }, { unit: "ms" })).toEqual(["checkout 1.4.2 · s", "checkout 1.4.2 · ms"]);
    expect(two({ unit: "" }, { unit: "ms" })).toEqual(["checkout 1.4.2 · no unit", "checkout 1.4.2 · ms"]);
    expect(two({ unit: "s", metricType: MetricType.HISTOGRAM }, { unit: "s", metricType: MetricType.GAUGE })).toEqual([
      "checkout 1.4.2 · histogram",
      "checkout 1.4.2 · gauge",
    ]);
    expect(two({ signal: Signal.SPAN, spanKind: SpanKind.SERVER }, { signal: Signal.SPAN, spanKind: SpanKind.CLIENT })).toEqual([
      "checkout 1.4.2 · server",
      "checkout 1.4.2 · client",
    ]);
    // Two current schemas alike in every trait: told apart by id.
    expect(two({ unit: "s", metricType: MetricType.HISTOGRAM }, { unit: "s", metricType: MetricType.HISTOGRAM })).toEqual([
      "checkout 1.4.2 · aaaaaaaa",
      "checkout 1.4.2 · bbbbbbbb",
    ]);
  });

  it("names a release's current schema plainly and the shape it moved away from as superseded", () => {
    const same = { unit: "s", metricType: MetricType.HISTOGRAM, releases: [checkout("1.4.2")] };
    const one = nameSchemas([
      { schemaId: id("a"), ...same },
      { schemaId: id("d"), ...same, superseded: true },
    ]);
    expect([nameOf(one, id("a")).label, nameOf(one, id("d")).label]).toEqual(["checkout 1.4.2", "checkout 1.4.2 · superseded"]);
    const two = nameSchemas([
      { schemaId: id("a"), ...same },
      { schemaId: id("d"), ...same, superseded: true },
      { schemaId: id("e"), ...same, superseded: true },
    ]);
    expect([id("a"), id("d"), id("e")].map((i) => nameOf(two, i).label)).toEqual(["checkout 1.4.2", "checkout 1.4.2 · dddddddd", "checkout 1.4.2 · eeeeeeee"]);
  });

  it("adds a trait only among the schemas sharing a producer", () => {
    const names = nameSchemas([
      { schemaId: id("a"), unit: "s", releases: [checkout("1.4.2")] },
      { schemaId: id("c"), unit: "ms", releases: [checkout("1.4.2")] },
      { schemaId: id("b"), unit: "ms", releases: [payments] },
    ]);
    expect([id("a"), id("c"), id("b")].map((i) => nameOf(names, i).label)).toEqual(["checkout 1.4.2 · s", "checkout 1.4.2 · ms", "payments 2.0.0"]);
  });

  it("falls back to the short id while the releases are not known, or where there are none", () => {
    const names = nameSchemas([{ schemaId: id("a") }, { schemaId: id("b"), releases: [] }]);
    expect(nameOf(names, id("a"))).toMatchObject({ producer: "", trait: "", label: "aaaaaaaa" });
    expect(nameOf(names, id("b")).label).toBe("bbbbbbbb");
    expect(nameOf(names, id("c")).label).toBe("cccccccc");
    expect(nameOf(undefined, id("c")).full).toBe(`schema ${id("c")}`);
  });
});
