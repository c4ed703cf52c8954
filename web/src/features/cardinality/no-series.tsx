import { Link } from "@tanstack/react-router";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { windowLabel } from "@/lib/format";

const host = typeof window === "undefined" ? "localhost" : window.location.hostname;

/** NoSeries says what to do when nothing was counted in the window: send metrics, or look further back. */
export function NoSeries({ window: w, onLastDay }: { window: Window; onLastDay: () => void }) {
  return (
    <Card data-testid="no-series">
      <CardHeader>
        <CardTitle>No series counted in the {windowLabel[w]}</CardTitle>
        <CardDescription>
          Series are counted as data points arrive. Point an OTLP exporter or an OpenTelemetry Collector at the TallyCat ingest: nothing in
          your code changes.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">
          {`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4317\n# or OTLP/HTTP:\nOTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://${host}:4318/v1/metrics`}
        </pre>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          {w !== Window.LAST_DAY && (
            <Button variant="outline" size="sm" onClick={onLastDay}>
              Look at the last 24 hours
            </Button>
          )}
          <Link to="/" className="text-primary hover:underline">
            See every metric seen →
          </Link>
        </div>
      </CardContent>
    </Card>
  );
}
