import { Link } from "@tanstack/react-router";
import { ArrowRightLeft } from "lucide-react";
import { useSchemaEvents } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { SchemaLink } from "@/components/schema-link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { SchemaEventKind, type SchemaEvent, type Signal } from "@/gen/tallycat/v1/schema_pb";
import { wordsOf } from "@/lib/signal";
import { cn } from "@/lib/utils";

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

/** Timeline lists what happened to the schemas of a key of a signal, newest first. */
export function Timeline({ schemaKey, signal }: { schemaKey: string; signal: Signal }) {
  const events = useSchemaEvents(schemaKey, signal);
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
        ) : events.data.events.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing has happened to this {wordsOf(signal).key} yet.</p>
        ) : (
          <ol className="relative space-y-3 border-l pl-5" aria-label="Timeline">
            {events.data.events.map((e, i) => (
              <li key={i} className="relative text-sm" data-testid="timeline-event" data-kind={kindName(e.kind)}>
                {e.kind === SchemaEventKind.PRODUCER_MOVED ? <MovedEvent e={e} /> : <PlainEvent e={e} />}
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

function PlainEvent({ e }: { e: SchemaEvent }) {
  return (
    <>
      <span className={cn("absolute -left-[25px] top-1.5 h-2.5 w-2.5 rounded-full", dot[e.kind])} />
      <div className="flex flex-wrap items-baseline gap-x-2">
        <span>{e.summary}</span>
        <span className="text-xs text-muted-foreground">
          <RelativeTime value={e.occurredAt} />
        </span>
        <Link to="/schemas/$id" params={{ id: e.schemaId }} className="font-mono text-xs text-primary hover:underline">
          open schema
        </Link>
      </div>
    </>
  );
}

/**
 * MovedEvent is a release moving from one schema to another because it sent
 * new attributes: the server's sentence, then both schemas to open.
 */
function MovedEvent({ e }: { e: SchemaEvent }) {
  return (
    <>
      <span
        className={cn("absolute -left-[29px] top-0.5 flex h-4 w-4 items-center justify-center rounded-full text-white", dot[e.kind])}
        aria-hidden
      >
        <ArrowRightLeft className="h-2.5 w-2.5" />
      </span>
      <div className="flex flex-wrap items-baseline gap-x-2">
        <span className="text-xs font-medium uppercase tracking-wide text-orange-700">release moved</span>
        <span>{e.summary}</span>
        <span className="text-xs text-muted-foreground">
          <RelativeTime value={e.occurredAt} />
        </span>
        <span className="text-xs text-muted-foreground">
          <SchemaLink id={e.schemaId} /> → {e.targetSchemaId ? <SchemaLink id={e.targetSchemaId} /> : "?"}
        </span>
      </div>
    </>
  );
}
