import { describe, expect, it } from "vitest";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { parseSignal, signalNameOf, signalOf, signalSearch } from "./signal";

describe("signals in the URL", () => {
  it("keeps spans and logs, and leaves a metric, the default, out", () => {
    expect(parseSignal("span")).toBe("span");
    expect(parseSignal("log")).toBe("log");
    expect(parseSignal("metric")).toBeUndefined();
    expect(parseSignal("trace")).toBeUndefined();
    expect(parseSignal(2)).toBeUndefined();
  });

  it("maps the URL's names to the API's signals and back, unset being a metric's", () => {
    expect(signalOf(undefined)).toBe(Signal.METRIC);
    expect(signalOf("span")).toBe(Signal.SPAN);
    expect(signalNameOf(Signal.UNSPECIFIED)).toBe("metric");
    expect(signalNameOf(Signal.LOG)).toBe("log");
    expect(signalSearch(Signal.UNSPECIFIED)).toEqual({});
    expect(signalSearch(Signal.METRIC)).toEqual({});
    expect(signalSearch(Signal.SPAN)).toEqual({ signal: "span" });
  });
});
