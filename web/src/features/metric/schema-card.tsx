import { Fragment } from "react";
import { Link } from "@tanstack/react-router";
import {
  fieldOrder,
  MetricTypeBadge,
  PresenceBadge,
  SpanKindBadge,
  SupersededBadge,
  TypeConflictBadge,
  VersionBadge,
} from "@/components/badges";
import { ErrorShare } from "@/components/error-share";
import { RelativeTime } from "@/components/relative-time";
import { MovedTo, SchemaIdText, SchemaNameText } from "@/components/schema-link";
import { useSchemaName } from "@/components/schema-names";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { MetricType, Temporality, type Field, type Schema } from "@/gen/tallycat/v1/schema_pb";
import { fieldName, formatCount, isEventItself, sourceLabel, temporalityLabel, valueTypeLabel } from "@/lib/format";
import { signalNameOf, wordsOf } from "@/lib/signal";
import { cn } from "@/lib/utils";

/** Chip is one property of a schema in its header: it never breaks inside, so a row of them wraps whole chips. */
function Chip({ children, className }: { children: React.ReactNode; className?: string }) {
  return <span className={cn("inline-flex items-center gap-1 whitespace-nowrap", className)}>{children}</span>;
}

/** Properties are what a schema is by its signal: a metric's type and unit, a span's kind and errors, a grouping by scope. */
function Properties({ schema: s }: { schema: Schema }) {
  const signal = signalNameOf(s.signal);
  if (signal === "metric") {
    return (
      <>
        <MetricTypeBadge type={s.metricType} />
        <Chip>unit {s.unit ? <code className="text-foreground">{s.unit}</code> : "none"}</Chip>
        {s.temporality !== Temporality.UNSPECIFIED && <Chip>{temporalityLabel[s.temporality]}</Chip>}
        {s.metricType === MetricType.SUM && <Chip>{s.monotonic ? "monotonic" : "non-monotonic"}</Chip>}
      </>
    );
  }
  return (
    <>
      {signal === "span" && <SpanKindBadge kind={s.spanKind} />}
      {signal === "span" && (
        <Chip>
          errors <ErrorShare schema={s} />
        </Chip>
      )}
      {s.byScope && (
        <Chip className="whitespace-normal">
          <span title="Grouped by instrumentation scope">{signal === "span" ? "names past the limit, by scope" : "no event name, by logger"}</span>
        </Chip>
      )}
    </>
  );
}

/** dotted lets a dotted name break after its dots, not inside a word: "deployment.environment." then "name". */
function dotted(name: string) {
  const parts = name.split(".");
  return parts.map((p, i) => (
    <Fragment key={i}>
      {p}
      {i < parts.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </Fragment>
  ));
}

/**
 * FieldRow is one field of a card, on the card's grid: its name, then its
 * type and its presence, each in a column of its own, so that the chips
 * line up down the card whatever the names' lengths. The source heads the
 * group of rows instead of repeating on each.
 */
function FieldRow({ field: f }: { field: Field }) {
  return (
    <li className="col-span-full grid grid-cols-subgrid items-center">
      <code className="min-w-0 break-words font-mono text-[13px]">{dotted(fieldName(f))}</code>
      <span>
        {!isEventItself(f) && (
          <Badge variant="secondary" className="font-mono">
            {valueTypeLabel[f.valueType]}
          </Badge>
        )}
      </span>
      <span className="flex flex-wrap items-center gap-1.5">
        <PresenceBadge field={f} />
        {f.typeConflict && <TypeConflictBadge />}
        <span className="sr-only"> ({sourceLabel[f.source]})</span>
      </span>
    </li>
  );
}

/** Fields lists a schema's fields on one grid, grouped under their sources (data point, resource…) in the order of the schema's identity. */
function Fields({ fields }: { fields: Field[] }) {
  const sorted = [...fields].sort(fieldOrder);
  // Names take what they need and no more, so that the chips sit beside them in columns; the chips'
  // columns keep their width and the names give way, breaking at dots, when the card is narrow.
  return (
    <ul className="grid grid-cols-[minmax(0,max-content)_auto_auto] items-center justify-start gap-x-3 gap-y-1.5" aria-label="Fields">
      {sorted.map((f, i) => (
        <Fragment key={`${f.source}/${f.eventName}/${f.name}/${f.valueType}`}>
          {/* Each row says its source to screen readers; the heading is for the eye. */}
          {(i === 0 || sorted[i - 1]!.source !== f.source) && (
            <li aria-hidden className="col-span-full pt-1 text-[11px] font-medium uppercase tracking-wide text-muted-foreground first:pt-0">
              {sourceLabel[f.source]}
            </li>
          )}
          <FieldRow field={f} />
        </Fragment>
      ))}
      {fields.length === 0 && <li className="col-span-full text-sm text-muted-foreground">No attributes</li>}
    </ul>
  );
}

/** SchemaCard is one shape of a metric, span or log event, named by the releases that send it, for side-by-side comparison. */
export function SchemaCard({ schema: s }: { schema: Schema }) {
  const named = useSchemaName(s.schemaId);
  // The superseded badge says what a "superseded" trait would: the title keeps the producer.
  const name = s.superseded && named.trait === "superseded" ? { ...named, trait: "" } : named;
  const stats: [string, React.ReactNode][] = [
    ["Releases", s.releaseCount],
    ["Producers", s.producerCount],
    [wordsOf(s.signal).Items, formatCount(s.dataPointCount)],
    ["Last seen", <RelativeTime value={s.lastSeen} />],
  ];
  return (
    <Card className={cn("flex min-w-0 flex-col", s.superseded && "border-dashed bg-muted/40")} data-testid="schema-card" data-superseded={s.superseded || undefined}>
      <CardHeader className="gap-1.5 space-y-0 pb-2">
        <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-1.5">
          <div className="min-w-0 space-y-0.5">
            <CardTitle className="text-base leading-snug">
              <Link to="/schemas/$id" params={{ id: s.schemaId }} className="text-primary hover:underline" title={name.full} data-testid="schema-name">
                <SchemaNameText name={name} />
              </Link>
            </CardTitle>
            {name.producer && <SchemaIdText id={s.schemaId} />}
          </div>
          <div className="flex flex-wrap items-center justify-end gap-1.5">
            {s.superseded && <SupersededBadge />}
            {s.typeConflict && <TypeConflictBadge title="A release sends one of its keys with more than one value type" />}
            <VersionBadge version={s.currentVersion} />
          </div>
        </div>
        {s.superseded && <MovedTo ids={s.supersededBy} />}
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5 text-xs text-muted-foreground">
          <Properties schema={s} />
        </div>
      </CardHeader>
      <CardContent className="flex flex-1 flex-col gap-3">
        <Fields fields={s.fields} />
        {/* Figures sit at the foot of cards of one height, in line across them, and
            wrap to a second row rather than squeeze "Last seen" past the card's edge. */}
        <dl className="mt-auto grid grid-cols-[repeat(auto-fit,minmax(6.5rem,1fr))] gap-2 border-t pt-3 text-xs">
          {stats.map(([k, v]) => (
            <div key={k} className="min-w-0">
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="font-medium">{v}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
