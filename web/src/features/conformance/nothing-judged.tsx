import { CheckCircle2 } from "lucide-react";
import { Link } from "@tanstack/react-router";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const host = typeof window === "undefined" ? "localhost" : window.location.hostname;

/** NothingJudged says the catalog has no metric to judge yet, and how to send some. */
export function NothingJudged() {
  return (
    <Card data-testid="nothing-judged">
      <CardHeader>
        <CardTitle>Nothing judged yet</CardTitle>
        <CardDescription>
          Every schema is judged against the registries as it arrives: the catalog has none yet. Point an OTLP exporter or an
          OpenTelemetry Collector at the TallyCat ingest.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
          {`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4317\n# or OTLP/HTTP:\nOTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4318/v1/metrics`}
        </pre>
      </CardContent>
    </Card>
  );
}

/** AllConform says every schema was judged and none has a finding. */
export function AllConform({ metrics }: { metrics: number }) {
  return (
    <Card data-testid="all-conform">
      <CardHeader className="flex flex-row items-center gap-3 space-y-0">
        <CheckCircle2 className="h-6 w-6 shrink-0 text-success" aria-hidden />
        <div className="space-y-1">
          <CardTitle>No findings: everything conforms</CardTitle>
          <CardDescription>
            The {metrics === 1 ? "metric" : `${metrics.toLocaleString("en")} metrics`} in the catalog break none of the registries' rules and
            miss nothing they recommend.{" "}
            <Link to="/" className="text-primary hover:underline">
              See the metrics
            </Link>
          </CardDescription>
        </div>
      </CardHeader>
    </Card>
  );
}
