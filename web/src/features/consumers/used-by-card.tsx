import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { Eye } from "lucide-react";
import { useUsage } from "@/api/consumers";
import { SourceBadge } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AttributeUsage, ConsumerReader, GetUsageResponse } from "@/gen/tallycat/v1/consumer_service_pb";
import { FieldSource } from "@/gen/tallycat/v1/schema_pb";
import { ConsumerFindingRow } from "./consumer-finding";
import { ConsumerLink } from "./consumer-link";
import { SyncHow } from "./sync-hint";

/** READERS_SHOWN is how many readers show before "Show all": a metric on many dashboards would bury the page. */
const READERS_SHOWN = 10;

/** AttributesRead lists what one query reads of the key: its attributes, or every one where all its labels reach the result. */
function AttributesRead({ reader: r }: { reader: ConsumerReader }) {
  if (r.allAttributes) {
    return (
      <span className="text-sm" data-testid="reads-every-attribute" title="Every label of the series reaches the query's result (rate(x[5m]) on a panel): every attribute is read">
        every attribute
      </span>
    );
  }
  if (r.attributes.length === 0) return <span className="text-sm text-muted-foreground">no attribute</span>;
  return (
    <span className="flex flex-wrap gap-1.5">
      {r.attributes.map((a) => (
        <code key={a} className="rounded bg-muted px-1 font-mono text-[13px]">
          {a}
        </code>
      ))}
    </span>
  );
}

function Readers({ readers }: { readers: ConsumerReader[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? readers : readers.slice(0, READERS_SHOWN);
  return (
    <div className="space-y-2">
      <Table aria-label="Readers">
        <TableHeader>
          <TableRow>
            <TableHead>Dashboard or rule</TableHead>
            <TableHead>Attributes it reads</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((r, i) => (
            <TableRow key={`${r.consumer?.consumerId}/${r.panel}/${r.refId}/${i}`} data-testid="reader">
              <TableCell>
                <ConsumerLink consumer={r.consumer} query={r} className="text-sm" />
              </TableCell>
              <TableCell>
                <AttributesRead reader={r} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {readers.length > READERS_SHOWN && (
        <Button variant="ghost" size="sm" onClick={() => setAll((a) => !a)}>
          {all ? "Show fewer" : `Show all ${readers.length} queries`}
        </Button>
      )}
    </div>
  );
}

function Attributes({ attributes }: { attributes: AttributeUsage[] }) {
  return (
    <Table aria-label="Attributes read">
      <TableHeader>
        <TableRow>
          <TableHead>Attribute</TableHead>
          <TableHead>Read as</TableHead>
          <TableHead className="text-right">Queries</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {attributes.map((a) => (
          <TableRow key={`${a.source}/${a.attribute}`} data-testid="attribute-read">
            <TableCell>
              <span className="inline-flex flex-wrap items-center gap-1.5">
                <code className="font-mono text-[13px]">{a.attribute}</code>
                {a.source !== FieldSource.DATA_POINT && a.source !== FieldSource.UNSPECIFIED && <SourceBadge source={a.source} />}
              </span>
            </TableCell>
            <TableCell className="font-mono text-[13px] text-muted-foreground">{a.labels.join(", ")}</TableCell>
            <TableCell className="text-right tabular-nums" data-testid="attribute-readers">
              {a.readers}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Usage is what the catalog knows of who reads the key, once some consumer was synced. */
function Usage({ usage: u }: { usage: GetUsageResponse }) {
  const consumers = new Set(u.readers.map((r) => r.consumer?.consumerId)).size;
  return (
    <div className="space-y-4">
      {u.readers.length === 0 ? (
        <p className="text-sm text-muted-foreground" data-testid="no-readers">
          No dashboard or rule synced to the catalog reads this metric.
        </p>
      ) : (
        <>
          <p className="text-sm text-muted-foreground" data-testid="usage-summary">
            {u.readers.length} {u.readers.length === 1 ? "query" : "queries"} in {consumers} {consumers === 1 ? "dashboard or rule" : "dashboards and rules"}
            {u.allAttributes ? "; one keeps every label of its series, so every attribute is read." : "."}
          </p>
          <Readers readers={u.readers} />
          {u.attributes.length > 0 && <Attributes attributes={u.attributes} />}
        </>
      )}
      {u.findings.length > 0 && (
        <ul className="divide-y border-t pt-2" aria-label="Findings on what is read">
          {u.findings.map((f, i) => (
            <ConsumerFindingRow key={`${f.findingId}/${f.consumer?.consumerId}/${f.label}/${f.attribute}/${i}`} finding={f} showConsumer />
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * UsedByCard says who reads a metric: the dashboards and rules and their
 * panels, each a link to its query, the attributes they read and by which
 * labels, and what is wrong or unread. Before any dashboard or rule was
 * synced nothing is known, and it says so, and how to sync, rather than
 * call the metric unused.
 */
export function UsedByCard({ schemaKey }: { schemaKey: string }) {
  const q = useUsage(schemaKey);
  return (
    <Card data-testid="used-by">
      <CardHeader className="flex flex-row flex-wrap items-baseline justify-between gap-x-4 gap-y-1 space-y-0">
        <div className="space-y-1">
          <CardTitle className="flex items-center gap-2 text-base">
            <Eye className="h-4 w-4 text-muted-foreground" aria-hidden />
            Used by
          </CardTitle>
          <CardDescription>The dashboards and alerting and recording rules whose queries read this metric.</CardDescription>
        </div>
        <Link to="/consumers" className="text-sm text-primary hover:underline">
          Every dashboard and rule →
        </Link>
      </CardHeader>
      <CardContent>
        {q.error ? (
          <ErrorState error={q.error} retry={() => q.refetch()} />
        ) : q.isPending ? (
          <Skeleton className="h-16" />
        ) : !q.data.consumersSynced ? (
          <div className="space-y-2" data-testid="usage-unknown">
            <p className="text-sm">
              Nothing is known yet: no dashboard or rule has been synced to the catalog, so no metric is called unused. Sync them to see who
              reads this metric:
            </p>
            <SyncHow />
          </div>
        ) : (
          <Usage usage={q.data} />
        )}
      </CardContent>
    </Card>
  );
}
