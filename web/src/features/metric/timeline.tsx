import { Fragment } from "react";
import { ArrowRightLeft } from "lucide-react";
import { useSchemaEvents } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { SchemaRef } from "@/components/schema-link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { ConsumerBreaks } from "@/features/consumers/breaks";
import { SchemaEventKind, type SchemaEvent, type Signal } from "@/gen/tallycat/v1/schema_pb";
import { shortId, toDate } from "@/lib/format";
import { wordsOf } from "@/lib/signal";
import { cn } from "@/lib/utils";
import { eventTimes, newestFirst, type EventTime } from "./timeline-time";

const dot: Record<SchemaEventKind, string> = {
  [SchemaEventKind.UNSPECIFIED]: "bg-muted-foreground",
  [SchemaEventKind.SCHEMA_FIRST_SEEN]: "bg-primary",
  [SchemaEventKind.PRODUCER_ADDED]: "bg-sky-500",
  [SchemaEventKind.VERSION_ASSIGNED]: "bg-emerald-500",
  [SchemaEventKind.STATUS_CHANGED]: "bg-amber-500",
  [SchemaEventKind.DESCRIPTION_CHANGED]: "bg-violet-500",
  [SchemaEventKind.PRODUCER_MOVED]: "bg-orange-500",
};

/** kindName names an event kind for data-kind, as the e2e test and styles see it. */
function kindName(kind: SchemaEventKind): string {
  return (SchemaEventKind[kind] ?? "UNSPECIFIED").toLowerCase().replace(/_/g, "-");
}

/** Timeline lists what happened to the schemas of a key of a signal, newest first, each schema by its name. */
export function Timeline({ schemaKey, signal }: { schemaKey: string; signal: Signal }) {
  const events = useSchemaEvents(schemaKey, signal);
  const list = events.data ? newestFirst(events.data.events, (e) => toDate(e.occurredAt)) : [];
  const times = eventTimes(list.map((e) => toDate(e.occurredAt)));
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Timeline</CardTitle>
      </CardHeader>
      <CardContent>
        {events.error ? (
          <ErrorState error={events.error} />
        ) : events.isPending ? (
          <Skeleton className="h-20" />
        ) : list.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing has happened to this {wordsOf(signal).key} yet.</p>
        ) : (
          <ol className="relative space-y-3 border-l pl-5" aria-label="Timeline">
            {list.map((e, i) => (
              <li key={i} className="relative text-sm" data-testid="timeline-event" data-kind={kindName(e.kind)}>
                <EventDot kind={e.kind} />
                <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
                  {/* The spaces keep the words apart in copied text; the gap lays them out. */}
                  {e.kind === SchemaEventKind.PRODUCER_MOVED && (
                    <span className="whitespace-nowrap text-xs font-medium uppercase tracking-wide text-orange-700 dark:text-orange-300">release moved</span>
                  )}{" "}
                  <span className="min-w-0 break-words" data-testid="timeline-summary">
                    <Summary e={e} />
                  </span>{" "}
                  <When time={times[i]} />
                </div>
                <ConsumerBreaks breaks={e.breaks} className="mt-1" />
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

/** EventDot marks an event on the line; a release's move, the event that changes which schema it sends, stands out. */
function EventDot({ kind }: { kind: SchemaEventKind }) {
  if (kind !== SchemaEventKind.PRODUCER_MOVED) {
    return <span className={cn("absolute -left-[25px] top-1.5 h-2.5 w-2.5 rounded-full", dot[kind])} aria-hidden />;
  }
  return (
    <span className={cn("absolute -left-[29px] top-0.5 flex h-4 w-4 items-center justify-center rounded-full text-white", dot[kind])} aria-hidden>
      <ArrowRightLeft className="h-2.5 w-2.5" />
    </span>
  );
}

/**
 * Summary is the catalog's sentence for the event, with the schemas it
 * names by short id named by their producers instead, each a link. A
 * sentence that names neither schema is followed by the event's schema.
 */
function Summary({ e }: { e: SchemaEvent }) {
  const ids = [e.schemaId, e.targetSchemaId].filter(Boolean);
  const byShort = new Map(ids.map((id) => [shortId(id), id]));
  const parts = byShort.size > 0 ? e.summary.split(new RegExp(`\\b(${[...byShort.keys()].join("|")})\\b`)) : [e.summary];
  const named = parts.some((p) => byShort.has(p));
  return (
    <>
      {parts.map((p, i) => (byShort.has(p) ? <SchemaRef key={i} id={byShort.get(p)!} /> : <Fragment key={i}>{p}</Fragment>))}
      {!named && e.schemaId && (
        <>
          {" · "}
          <SchemaRef id={e.schemaId} />
        </>
      )}
    </>
  );
}

/** When is an event's time: relative, to the second where neighbours are close, exact on hover. */
function When({ time }: { time: EventTime | undefined }) {
  if (!time) return null;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <time dateTime={time.iso} className="cursor-default whitespace-nowrap text-xs text-muted-foreground" tabIndex={0} data-testid="timeline-time">
          {time.relative}
          {time.clock && <span className="tabular-nums"> · {time.clock}</span>}
        </time>
      </TooltipTrigger>
      <TooltipContent>{time.exact}</TooltipContent>
    </Tooltip>
  );
}
