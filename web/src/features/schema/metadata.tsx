import { AlertTriangle } from "lucide-react";
import { MetricTypeBadge } from "@/components/badges";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { MetricType, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, temporalityLabel } from "@/lib/format";

/** Metadata is what a schema is besides its fields: type, unit, counts, description. */
export function Metadata({ schema: s }: { schema: Schema }) {
  const rows: [string, React.ReactNode][] = [
    ["Type", <MetricTypeBadge type={s.metricType} />],
    ["Unit", s.unit ? <code>{s.unit}</code> : "none"],
    ["Temporality", temporalityLabel[s.temporality]],
    ["Monotonic", s.metricType === MetricType.SUM ? (s.monotonic ? "yes" : "no") : "—"],
    ["Releases", s.releaseCount],
    ["Producers", s.producerCount],
    ["Data points", formatCount(s.dataPointCount)],
    ["First seen", <RelativeTime value={s.firstSeen} />],
    ["Last seen", <RelativeTime value={s.lastSeen} />],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Metadata</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <div className="border-t pt-3 text-sm">
          <p className="text-muted-foreground">Description</p>
          <p>{s.description || <span className="text-muted-foreground">none</span>}</p>
          {s.descriptionConflict && (
            <p className="mt-1 flex items-center gap-1 text-xs text-warning-foreground">
              <AlertTriangle className="h-3.5 w-3.5" /> Producers disagree on the description; the latest is shown.
            </p>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
