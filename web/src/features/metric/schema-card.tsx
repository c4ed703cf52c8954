import { Link } from "@tanstack/react-router";
import { FieldLine, fieldOrder, MetricTypeBadge, SpanKindBadge, SupersededBadge, TypeConflictBadge, VersionBadge } from "@/components/badges";
import { ErrorShare } from "@/components/error-share";
import { RelativeTime } from "@/components/relative-time";
import { MovedTo } from "@/components/schema-link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { MetricType, Temporality, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, shortId, temporalityLabel } from "@/lib/format";
import { signalNameOf, wordsOf } from "@/lib/signal";
import { cn } from "@/lib/utils";

/** Properties are what a schema is by its signal: a metric's type and unit, a span's kind and errors, a grouping by scope. */
function Properties({ schema: s }: { schema: Schema }) {
  const signal = signalNameOf(s.signal);
  if (signal === "metric") {
    return (
      <>
        <MetricTypeBadge type={s.metricType} />
        <span>unit {s.unit ? <code className="text-foreground">{s.unit}</code> : "none"}</span>
        {s.temporality !== Temporality.UNSPECIFIED && <span>{temporalityLabel[s.temporality]}</span>}
        {s.metricType === MetricType.SUM && <span>{s.monotonic ? "monotonic" : "non-monotonic"}</span>}
      </>
    );
  }
  return (
    <>
      {signal === "span" && <SpanKindBadge kind={s.spanKind} />}
      {signal === "span" && (
        <span>
          errors <ErrorShare schema={s} />
        </span>
      )}
      {s.byScope && <span title="Grouped by instrumentation scope">{signal === "span" ? "names past the limit, by scope" : "no event name, by logger"}</span>}
    </>
  );
}

/** SchemaCard is one shape of a metric, span or log event, for side-by-side comparison. */
export function SchemaCard({ schema: s }: { schema: Schema }) {
  const stats: [string, React.ReactNode][] = [
    ["Releases", s.releaseCount],
    ["Producers", s.producerCount],
    [wordsOf(s.signal).Items, formatCount(s.dataPointCount)],
    ["Last seen", <RelativeTime value={s.lastSeen} />],
  ];
  return (
    <Card
      className={cn("w-[380px] shrink-0", s.superseded && "border-dashed bg-muted/40")}
      data-testid="schema-card"
      data-superseded={s.superseded || undefined}
    >
      <CardHeader className="pb-2">
        <div className="flex items-center justify-between gap-2">
          <CardTitle className="font-mono text-sm">
            <Link to="/schemas/$id" params={{ id: s.schemaId }} className="text-primary hover:underline" title={s.schemaId}>
              {shortId(s.schemaId)}
            </Link>
          </CardTitle>
          <div className="flex flex-wrap items-center justify-end gap-1.5">
            {s.superseded && <SupersededBadge />}
            {s.typeConflict && <TypeConflictBadge title="A release sends one of its keys with more than one value type" />}
            <VersionBadge version={s.currentVersion} />
          </div>
        </div>
        {s.superseded && <MovedTo ids={s.supersededBy} />}
        <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <Properties schema={s} />
        </div>
      </CardHeader>
      <CardContent className="space-y-3">
        <ul className="space-y-1.5" aria-label="Fields">
          {[...s.fields].sort(fieldOrder).map((f) => (
            <li key={`${f.source}/${f.eventName}/${f.name}/${f.valueType}`}>
              <FieldLine field={f} />
            </li>
          ))}
          {s.fields.length === 0 && <li className="text-sm text-muted-foreground">No attributes</li>}
        </ul>
        <dl className="grid grid-cols-4 gap-2 border-t pt-3 text-xs">
          {stats.map(([k, v]) => (
            <div key={k}>
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="font-medium">{v}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
