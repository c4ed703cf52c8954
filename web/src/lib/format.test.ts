import { describe, expect, it } from "vitest";
import { formatShare, shareOf } from "./format";

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
