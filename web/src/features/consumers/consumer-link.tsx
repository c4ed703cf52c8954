import { Link } from "@tanstack/react-router";
import { BellRing, LayoutDashboard, Repeat } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { ConsumerKind, type ConsumerQueryRef, type ConsumerRef } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";
import { kindWords, placeOf, queryAnchor } from "./words";

const kindIcons = {
  [ConsumerKind.UNSPECIFIED]: LayoutDashboard,
  [ConsumerKind.DASHBOARD]: LayoutDashboard,
  [ConsumerKind.ALERT_RULE]: BellRing,
  [ConsumerKind.RECORDING_RULE]: Repeat,
};

/** KindBadge says whether a consumer is a dashboard, an alert rule or a recording rule. */
export function KindBadge({ kind, className }: { kind: ConsumerKind; className?: string }) {
  const Icon = kindIcons[kind];
  return (
    <Badge variant="outline" className={cn("gap-1 whitespace-nowrap font-normal text-muted-foreground", className)} data-testid="consumer-kind">
      <Icon className="h-3 w-3" aria-hidden />
      {kindWords[kind].one}
    </Badge>
  );
}

/**
 * ConsumerLink names a dashboard or rule, a link to its page, and where
 * in it a query is ("panel Latency, query A"), the link then landing on
 * that query.
 */
export function ConsumerLink({ consumer, query, className }: { consumer: ConsumerRef | undefined; query?: Pick<ConsumerQueryRef, "panel" | "refId"> & { path?: string }; className?: string }) {
  if (!consumer) return null;
  const title = consumer.title || consumer.uid || "(untitled)";
  const place = placeOf(consumer.kind, consumer.title, query);
  const name = consumer.consumerId ? (
    <Link
      to="/consumers/$consumerId"
      params={{ consumerId: consumer.consumerId }}
      hash={query ? queryAnchor(query) : undefined}
      className="font-medium text-primary hover:underline"
      title={[consumer.folder, consumer.source].filter(Boolean).join(" · ")}
      data-testid="consumer-link"
    >
      {title}
    </Link>
  ) : (
    <span className="font-medium">{title}</span>
  );
  return (
    <span className={cn("inline-flex flex-wrap items-baseline gap-x-1.5", className)}>
      <span className="text-muted-foreground">{kindWords[consumer.kind].one}</span> {name}
      {place && (
        <span className="text-muted-foreground" data-testid="consumer-place">
          , {place}
        </span>
      )}
    </span>
  );
}
