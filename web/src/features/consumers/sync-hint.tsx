import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils";

const origin = typeof window === "undefined" ? "http://localhost:8080" : window.location.origin;

/** syncCommand is the CI step that sends dashboards and rules to this catalog. */
export const syncCommand = `tallycat consumers sync --catalog ${origin} --dashboards DIR --rules DIR`;

/**
 * SyncHow says how dashboards and rules reach the catalog: sent by
 * `tallycat consumers sync`, from files or from Grafana and Prometheus, or
 * pulled by the catalog itself on an interval.
 */
export function SyncHow({ className }: { className?: string }) {
  return (
    <div className={cn("space-y-2 text-sm", className)} data-testid="sync-how">
      <pre className="overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-muted p-3 font-mono text-xs">
        {`${syncCommand}\n# or from Grafana's and Prometheus' APIs:\ntallycat consumers sync --catalog ${origin} --grafana-url URL --prometheus-url URL`}
      </pre>
      <p className="text-muted-foreground">
        Or let the catalog pull them itself on an interval: start it with{" "}
        <code className="font-mono text-[13px]">--consumers-dashboards DIR --consumers-rules DIR</code> (or{" "}
        <code className="font-mono text-[13px]">--consumers-grafana-url</code>, <code className="font-mono text-[13px]">--consumers-prometheus-url</code>
        ) and <code className="font-mono text-[13px]">--consumers-interval</code>.
      </p>
    </div>
  );
}

/** NoConsumers is the Consumers page before any dashboard or rule was synced. */
export function NoConsumers() {
  return (
    <Card data-testid="no-consumers">
      <CardHeader>
        <CardTitle>No dashboards or rules yet</CardTitle>
        <CardDescription className="max-w-3xl">
          TallyCat reads the PromQL of Grafana and Perses dashboards and of Prometheus and Grafana alerting and recording rules against the
          catalog: who reads each metric and attribute, which queries read what nothing sends, and what nobody reads. Send them from CI:
        </CardDescription>
      </CardHeader>
      <CardContent>
        <SyncHow />
      </CardContent>
    </Card>
  );
}
