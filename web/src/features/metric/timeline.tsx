import { Link } from "@tanstack/react-router";
import { useSchemaEvents } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { SchemaEventKind } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";

const dot: Record<SchemaEventKind, string> = {
  [SchemaEventKind.UNSPECIFIED]: "bg-muted-foreground",
  [SchemaEventKind.SCHEMA_FIRST_SEEN]: "bg-primary",
  [SchemaEventKind.PRODUCER_ADDED]: "bg-sky-500",
  [SchemaEventKind.VERSION_ASSIGNED]: "bg-emerald-500",
  [SchemaEventKind.STATUS_CHANGED]: "bg-amber-500",
  [SchemaEventKind.DESCRIPTION_CHANGED]: "bg-violet-500",
};

/** Timeline lists what happened to a metric's schemas, newest first. */
export function Timeline({ schemaKey }: { schemaKey: string }) {
  const events = useSchemaEvents(schemaKey);
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
        ) : (
          <ol className="relative space-y-3 border-l pl-5" aria-label="Timeline">
            {events.data.events.map((e, i) => (
              <li key={i} className="relative text-sm">
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
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
