import { useEffect, useState } from "react";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { exactTime, relativeTime, toDate } from "@/lib/format";
import { cn } from "@/lib/utils";

/**
 * How fresh a producer's last seen time can be. The ingest reports a shape
 * it already reported only as a heartbeat, every HEARTBEAT (its
 * --heartbeat-interval, 30 s by default: services/ingest/forward), and
 * only when it saw it since; an OpenTelemetry SDK exports every 60 s by
 * default. So a producer sending right now can look a minute and a half
 * old, which "1 minute ago" would make look like a stall.
 */
export const HEARTBEAT = 30_000;

/** LIVE is how recent a last seen time says "live": four heartbeats, a heartbeat late on an SDK's 60 s export, with room. */
export const LIVE = 4 * HEARTBEAT;

/** GONE is how old a last seen time says "gone": ten heartbeats (five minutes) without a word, five missed exports at the SDK's default. */
export const GONE = 10 * HEARTBEAT;

export type Liveness = "live" | "quiet" | "gone";

/** livenessOf says whether a producer last seen at seen is sending now, quiet for a while, or gone. */
export function livenessOf(seen: Date, now: number): Liveness {
  const age = now - seen.getTime();
  if (age <= LIVE) return "live";
  return age > GONE ? "gone" : "quiet";
}

/** useNow is the time, again every heartbeat, so that "live" turns into a time, and a time into "gone", without a reload. */
export function useNow(every = HEARTBEAT / 2): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(t);
  }, [every]);
  return now;
}

const words: Record<Liveness, string> = {
  live: "Sending now: seen within the last two minutes (the catalog hears of a producer every 30 s heartbeat)",
  quiet: "Not heard from in the last two minutes",
  gone: "Stopped sending: nothing for more than five minutes (ten heartbeats)",
};

/**
 * LastSeen says when a producer (a service, a release, an instance) was
 * last seen as a person reads it: "live" while it is sending, the time
 * since when it has been quiet, and "gone" once it has stopped, the exact
 * time on hover.
 */
export function LastSeen({ value, className }: { value: Timestamp | undefined; className?: string }) {
  const now = useNow();
  const d = toDate(value);
  if (!d) return <span className="text-muted-foreground">—</span>;
  const state = livenessOf(d, now);
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <time
          dateTime={d.toISOString()}
          tabIndex={0}
          data-testid="last-seen"
          data-liveness={state}
          className={cn("inline-flex cursor-default items-center gap-1.5 whitespace-nowrap", className)}
        >
          {state === "live" && (
            <>
              <span className="h-2 w-2 rounded-full bg-success" aria-hidden />
              <span className="text-success">live</span>
            </>
          )}
          {state === "quiet" && relativeTime(d, new Date(now))}
          {state === "gone" && (
            <>
              <span className="rounded bg-muted px-1.5 py-0.5 text-xs font-medium text-muted-foreground">gone</span>
              <span className="text-muted-foreground">{relativeTime(d, new Date(now))}</span>
            </>
          )}
        </time>
      </TooltipTrigger>
      <TooltipContent>
        {words[state]}. Last seen {exactTime(d)}.
      </TooltipContent>
    </Tooltip>
  );
}
