import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const host = typeof window === "undefined" ? "localhost" : window.location.hostname;

/** EmptyCatalog tells a new user how to send the first metrics. */
export function EmptyCatalog() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>No metrics yet</CardTitle>
        <CardDescription>
          Point an OTLP exporter or an OpenTelemetry Collector at the TallyCat ingest. Nothing in your code changes; shapes
          appear here within seconds.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-2">
        <div className="space-y-2">
          <h4 className="text-sm font-medium">An OpenTelemetry SDK</h4>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
            {`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4317\n# or OTLP/HTTP:\nOTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4318/v1/metrics`}
          </pre>
        </div>
        <div className="space-y-2">
          <h4 className="text-sm font-medium">An OpenTelemetry Collector</h4>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
            {`exporters:\n  otlp/tallycat:\n    endpoint: ${host}:4317\n    tls:\n      insecure: true\nservice:\n  pipelines:\n    metrics:\n      exporters: [otlp/tallycat]`}
          </pre>
        </div>
      </CardContent>
    </Card>
  );
}
