import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { signalWords, type SignalName } from "@/lib/signal";

const host = typeof window === "undefined" ? "localhost" : window.location.hostname;

/** otlp names a signal as OTLP exporters and Collector pipelines do. */
const otlp: Record<SignalName, { env: string; path: string; pipeline: string }> = {
  metric: { env: "METRICS", path: "metrics", pipeline: "metrics" },
  span: { env: "TRACES", path: "traces", pipeline: "traces" },
  log: { env: "LOGS", path: "logs", pipeline: "logs" },
};

/** EmptyCatalog tells a new user how to send the first metrics, spans or logs. */
export function EmptyCatalog({ signal = "metric" }: { signal?: SignalName }) {
  const o = otlp[signal];
  return (
    <Card>
      <CardHeader>
        <CardTitle>No {signalWords[signal].keys} yet</CardTitle>
        <CardDescription>
          Point an OTLP exporter or an OpenTelemetry Collector at the TallyCat ingest. Nothing in your code changes; shapes
          appear here within seconds.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-2">
        <div className="space-y-2">
          <h4 className="text-sm font-medium">An OpenTelemetry SDK</h4>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
            {`OTEL_EXPORTER_OTLP_${o.env}_ENDPOINT=http://${host}:4317\n# or OTLP/HTTP:\nOTEL_EXPORTER_OTLP_${o.env}_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_${o.env}_ENDPOINT=http://${host}:4318/v1/${o.path}`}
          </pre>
        </div>
        <div className="space-y-2">
          <h4 className="text-sm font-medium">An OpenTelemetry Collector</h4>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
            {`exporters:\n  otlp/tallycat:\n    endpoint: ${host}:4317\n    tls:\n      insecure: true\nservice:\n  pipelines:\n    ${o.pipeline}:\n      exporters: [otlp/tallycat]`}
          </pre>
        </div>
      </CardContent>
    </Card>
  );
}
