import { describe, expect, it } from "vitest";
import { eventTimes, newestFirst } from "./timeline-time";

const now = new Date("2026-12-06T15:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("eventTimes", () => {
  it("tells apart two events 30 seconds apart minutes ago, which read alike relative to now", () => {
    const [upgraded, started] = eventTimes([ago(180), ago(210)], now);
    expect(upgraded!.relative).toBe("3 minutes ago");
    expect(started!.relative).toBe("3 minutes ago");
    expect(upgraded!.clock).toBeDefined();
    expect(upgraded!.clock).not.toBe(started!.clock);
    expect(upgraded!.clock).toMatch(/\d\d:\d\d:\d\d/);
  });

  it("shows relative times alone where events are far apart, the exact time always for hovering", () => {
    const times = eventTimes([ago(60), ago(7200), undefined], now);
    expect(times[0]).toMatchObject({ relative: "1 minute ago", clock: undefined, iso: ago(60).toISOString() });
    expect(times[1]!.clock).toBeUndefined();
    expect(times[1]!.exact).toMatch(/2026/);
    expect(times[2]).toBeUndefined();
  });

  it("gives the day with the clock of an event not today", () => {
    const [a] = eventTimes([new Date("2026-12-01T10:00:00Z"), new Date("2026-12-01T10:00:30Z")], now);
    expect(a!.clock).toMatch(/Dec/);
  });
});

describe("newestFirst", () => {
  it("orders by time, newest first, keeping the catalog's order among equal times", () => {
    const events = [
      { n: "a", at: ago(30) },
      { n: "b", at: ago(0) },
      { n: "c", at: ago(30) },
      { n: "d", at: undefined },
    ];
    expect(newestFirst(events, (e) => e.at).map((e) => e.n)).toEqual(["b", "a", "c", "d"]);
  });
});
