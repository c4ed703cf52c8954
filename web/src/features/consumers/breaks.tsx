import type { ConsumerBreak } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";
import { ConsumerLink } from "./consumer-link";

/**
 * ConsumerBreaks names the dashboard and rule queries a change breaks:
 * "breaks dashboard Checkout, panel Latency", each a link to the query,
 * with what the query would then read wrong.
 */
export function ConsumerBreaks({ breaks, className }: { breaks: ConsumerBreak[]; className?: string }) {
  if (breaks.length === 0) return null;
  return (
    <ul className={cn("space-y-1 text-sm", className)} aria-label="Dashboards and rules it breaks" data-testid="consumer-breaks">
      {breaks.map((b, i) => (
        <li key={`${b.consumer?.consumerId}/${b.query?.panel}/${b.query?.refId}/${b.label}/${i}`} className="flex flex-wrap items-baseline gap-x-1.5" data-testid="consumer-break">
          <span className="font-medium text-destructive">breaks</span>{" "}
          <ConsumerLink consumer={b.consumer} query={b.query} />
          {b.message && <span className="text-muted-foreground">: {b.message}</span>}
        </li>
      ))}
    </ul>
  );
}
