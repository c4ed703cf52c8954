import { exactTime, relativeTime } from "@/lib/format";

/** EventTime is how the timeline shows when an event happened. */
export type EventTime = {
  /** relative is "3 minutes ago", the main text. */
  relative: string;
  /** clock is the time of day to the second ("14:03:27"), with the day when not today; set where relative times alone would hide the order. */
  clock?: string;
  /** exact is the full date and time with its zone, for the tooltip. */
  exact: string;
  /** iso is the time for a <time> element. */
  iso: string;
};

/**
 * CLOSE is how near two events are when the timeline shows their seconds:
 * relative times round to the minute past a minute, so a release upgraded
 * 30 seconds after it started would read "3 minutes ago" twice.
 */
const CLOSE_MS = 5 * 60_000;

function clockOf(d: Date, now: Date): string {
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return d.toDateString() === now.toDateString() ? time : `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })}, ${time}`;
}

/**
 * eventTimes words the times of a timeline's events, in the timeline's
 * order: each relative to now, and with its clock time to the second where
 * a neighbour is within five minutes or reads the same, so that two events
 * 30 seconds apart never read alike.
 */
export function eventTimes(dates: (Date | undefined)[], now: Date = new Date()): (EventTime | undefined)[] {
  const relative = dates.map((d) => (d ? relativeTime(d, now) : undefined));
  const near = (i: number, j: number) => {
    const a = dates[i];
    const b = dates[j];
    return Boolean(a && b) && (Math.abs(a!.getTime() - b!.getTime()) < CLOSE_MS || relative[i] === relative[j]);
  };
  return dates.map((d, i) => {
    if (!d) return undefined;
    const close = (i > 0 && near(i, i - 1)) || (i + 1 < dates.length && near(i, i + 1));
    return { relative: relative[i]!, clock: close ? clockOf(d, now) : undefined, exact: exactTime(d), iso: d.toISOString() };
  });
}

/** newestFirst orders events by when they happened, newest first, keeping the catalog's order among equal times. */
export function newestFirst<T>(items: T[], at: (t: T) => Date | undefined): T[] {
  return items
    .map((t, i) => ({ t, i, ms: at(t)?.getTime() ?? 0 }))
    .sort((a, b) => b.ms - a.ms || a.i - b.i)
    .map(({ t }) => t);
}
