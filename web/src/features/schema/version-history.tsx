import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/relative-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { VersionStatus, type SchemaVersion } from "@/gen/tallycat/v1/schema_pb";
import { statusLabel } from "@/lib/format";

/** VersionHistory lists every version change of a schema, newest first. */
export function VersionHistory({ versions }: { versions: SchemaVersion[] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Version history</CardTitle>
      </CardHeader>
      <CardContent>
        {versions.length === 0 ? (
          <p className="text-sm text-muted-foreground">No version has been assigned yet.</p>
        ) : (
          <ol className="space-y-2 text-sm" aria-label="Version history">
            {versions.map((v, i) => (
              <li key={i} className="flex flex-wrap items-center gap-2">
                <code className="font-mono font-medium">{v.version}</code>
                <Badge variant={v.status === VersionStatus.DEPRECATED ? "warning" : "success"}>{statusLabel[v.status]}</Badge>
                <span className="text-muted-foreground">
                  by {v.actor} <RelativeTime value={v.assignedAt} />
                </span>
                {v.reason && <span className="w-full text-muted-foreground">“{v.reason}”</span>}
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
