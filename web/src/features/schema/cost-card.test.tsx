import { describe, expect, it } from "vitest";
import { formatBytesRate, formatMoney } from "./cost-card";

describe("formatBytesRate", () => {
  it.each([
    [0, "0 B/min"],
    [950, "950 B/min"],
    [12_345, "12 kB/min"],
    [3_400_000, "3.4 MB/min"],
    [2.5e9, "2.5 GB/min"],
  ])("renders %d bytes a minute as %s, in decimal units as logs are billed", (n, want) => {
    expect(formatBytesRate(n)).toBe(want);
  });
});

describe("formatMoney", () => {
  it("keeps cents below ten and whole amounts above", () => {
    expect(formatMoney(0.2916)).toBe("0.29");
    expect(formatMoney(1234.56)).toBe("1,235");
  });
});
