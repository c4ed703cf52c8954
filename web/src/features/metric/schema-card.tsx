import { Link } from "@tanstack/react-router";
import { FieldLine, fieldOrder, MetricTypeBadge, VersionBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { type Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, shortId, temporalityLabel } from "@/lib/format";

/** SchemaCard is one shape of a metric, for side-by-side comparison. */
export function SchemaCard({ schema: s }: { schema: Schema }) {
  return (
    <Card className="w-[380px] shrink-0" data-testid="schema-card">
      <CardHeader className="pb-2">
        <div className="flex items-center justify-between gap-2">
          <CardTitle className="font-mono text-sm">
            <Link to="/schemas/$id" params={{ id: s.schemaId }} className="text-primary hover:underline" title={s.schemaId}>
              {shortId(s.schemaId)}
            </Link>
          </CardTitle>
          <VersionBadge version={s.currentVersion} />
        </div>
        <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <MetricTypeBadge type={s.metricType} />
          <span>unit {s.unit ? <code className="text-foreground">{s.unit}</code> : "none"}</span>
          {s.temporality !== 0 && <span>{temporalityLabel[s.temporality]}</span>}
          {s.metricType === 2 && <span>{s.monotonic ? "monotonic" : "non-monotonic"}</span>}
        </div>
      </CardHeader>
      <CardContent className="space-y-3">
        <ul className="space-y-1.5" aria-label="Fields">
          {[...s.fields].sort(fieldOrder).map((f) => (
            <li key={`${f.source}/${f.name}/${f.valueType}`}>
              <FieldLine field={f} />
            </li>
          ))}
          {s.fields.length === 0 && <li className="text-sm text-muted-foreground">No attributes</li>}
        </ul>
        <dl className="grid grid-cols-3 gap-2 border-t pt-3 text-xs">
          <div>
            <dt className="text-muted-foreground">Producers</dt>
            <dd className="font-medium">{s.producerCount}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Data points</dt>
            <dd className="font-medium">{formatCount(s.dataPointCount)}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Last seen</dt>
            <dd className="font-medium">
              <RelativeTime value={s.lastSeen} />
            </dd>
          </div>
        </dl>
      </CardContent>
    </Card>
  );
}
