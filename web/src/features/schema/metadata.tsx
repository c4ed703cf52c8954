import { AlertTriangle } from "lucide-react";
import { MetricTypeBadge, SpanKindBadge } from "@/components/badges";
import { ErrorShare } from "@/components/error-share";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { MetricType, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, temporalityLabel } from "@/lib/format";
import { signalNameOf, wordsOf } from "@/lib/signal";

type Rows = [string, React.ReactNode][];

/** signalRows are what a schema is by its signal: a metric's type and unit, a span's name, kind and errors, a log's event name. */
function signalRows(s: Schema): Rows {
  const name = <code className="break-all font-mono text-[13px]">{s.schemaKey}</code>;
  switch (signalNameOf(s.signal)) {
    case "span":
      return [
        [s.byScope ? "Scope" : "Span name", name],
        ["Kind", <SpanKindBadge kind={s.spanKind} />],
        ["Status error", <ErrorShare schema={s} />],
      ];
    case "log":
      return [[s.byScope ? "Logger" : "Event name", name]];
    default:
      return [
        ["Type", <MetricTypeBadge type={s.metricType} />],
        ["Unit", s.unit ? <code>{s.unit}</code> : "none"],
        ["Temporality", temporalityLabel[s.temporality]],
        ["Monotonic", s.metricType === MetricType.SUM ? (s.monotonic ? "yes" : "no") : "—"],
      ];
  }
}

/** Metadata is what a schema is besides its fields: its signal's properties, counts, description. */
export function Metadata({ schema: s }: { schema: Schema }) {
  const rows: Rows = [
    ...signalRows(s),
    ["Releases", s.releaseCount],
    ["Producers", s.producerCount],
    [wordsOf(s.signal).Items, formatCount(s.dataPointCount)],
    ["First seen", <RelativeTime value={s.firstSeen} />],
    ["Last seen", <RelativeTime value={s.lastSeen} />],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Metadata</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm" aria-label="Metadata">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {/* Spans and log records carry no description of their own; a metric's is worth saying is missing. */}
        {(signalNameOf(s.signal) === "metric" || s.description) && (
          <div className="border-t pt-3 text-sm">
            <p className="text-muted-foreground">Description</p>
            <p>{s.description || <span className="text-muted-foreground">none</span>}</p>
            {s.descriptionConflict && (
              <p className="mt-1 flex items-center gap-1 text-xs text-warning-foreground">
                <AlertTriangle className="h-3.5 w-3.5" /> Producers disagree on the description; the latest is shown.
              </p>
            )}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
