import { describe, expect, it } from "vitest";
import { FieldSource } from "@/gen/tallycat/v1/schema_pb";
import { fieldName, formatCompact, formatRate, formatShare, isEventItself, shareOf } from "./format";

describe("formatShare", () => {
  it.each([
    [0.12, "12 %"],
    [0.004, "<1 %"],
    [0.0001, "<1 %"],
    [0, "0 %"],
    [0.996, ">99 %"],
    [0.992, "99 %"],
    [1, "100 %"],
    [0.125, "13 %"],
  ])("renders %s as %s", (ratio, want) => expect(formatShare(ratio)).toBe(want));

  it("divides the API's counts, and refuses an empty whole", () => {
    expect(shareOf(5n, 42n)).toBeCloseTo(0.119);
    expect(shareOf(5n, 0n)).toBeUndefined();
  });
});

describe("formatCompact", () => {
  it.each([
    [0, "0"],
    [7n, "7"],
    [950, "950"],
    [999, "999"],
    [1000, "1.0k"],
    [5012n, "5.0k"],
    [9949, "9.9k"],
    [9950, "10k"],
    [12_345, "12k"],
    [999_499, "999k"],
    [999_600, "1.0M"],
    [1_234_567n, "1.2M"],
    [42_000_000_000n, "42B"],
  ])("renders %s as %s", (n, want) => expect(formatCompact(n)).toBe(want));
});

describe("formatRate", () => {
  it.each([
    [0, "0/min"],
    [0.01, "<0.1/min"],
    [0.5, "0.5/min"],
    [2, "2/min"],
    [2.46, "2.5/min"],
    [12, "12/min"],
    [12.4, "12/min"],
    [5000, "5.0k/min"],
  ])("renders %s as %s", (n, want) => expect(formatRate(n)).toBe(want));
});

describe("fieldName", () => {
  it("names a span event's attribute after its event, and the event itself by its name", () => {
    expect(fieldName({ source: FieldSource.EVENT, eventName: "exception", name: "exception.type" })).toBe("exception › exception.type");
    expect(fieldName({ source: FieldSource.EVENT, eventName: "exception", name: "" })).toBe("exception");
    expect(isEventItself({ source: FieldSource.EVENT, name: "" })).toBe(true);
    expect(isEventItself({ source: FieldSource.EVENT, name: "exception.type" })).toBe(false);
  });

  it("names every other field by its name", () => {
    expect(fieldName({ source: FieldSource.BODY, eventName: "", name: "body.page.url" })).toBe("body.page.url");
    expect(fieldName({ source: FieldSource.SPAN, eventName: "", name: "error.type" })).toBe("error.type");
  });
});
