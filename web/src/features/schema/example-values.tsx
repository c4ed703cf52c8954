import { useState } from "react";
import { Lock } from "lucide-react";
import { HighCardinalityBadge } from "@/components/badges";
import { ExampleValuesState, FieldSource, type Field, type Window } from "@/gen/tallycat/v1/schema_pb";
import { formatCompact, formatCount, formatShare, windowLabel } from "@/lib/format";

/** SHOWN is how many values a field lists before "more". */
const SHOWN = 5;

/**
 * notCountedWhy says why a field's values are not counted at all: a log
 * body's never leave the ingest, and a span carries any number of events
 * and links, so their attributes' values are not one per span.
 */
export function notCountedWhy(field: Field): string {
  return field.source === FieldSource.BODY
    ? "A log body's values never leave the ingest, not even as counts: they may be personal data"
    : "A span carries any number of events and links, so their attributes' values are not counted per span";
}

/** DistinctValues is a field's distinct values estimate over the window, and whether it is high cardinality. */
export function DistinctValues({ field, window }: { field: Field; window: Window }) {
  if (field.exampleValuesState === ExampleValuesState.NOT_COUNTED) {
    return (
      <span className="whitespace-nowrap text-xs text-muted-foreground" title={notCountedWhy(field)} data-testid="not-counted">
        not counted
      </span>
    );
  }
  const counted = field.distinctEstimate > 0n || field.exampleValuesState !== ExampleValuesState.UNSPECIFIED;
  return (
    <span className="inline-flex items-center justify-end gap-1.5 whitespace-nowrap">
      {field.highCardinality && <HighCardinalityBadge />}
      {counted ? (
        <span className="tabular-nums" data-testid="distinct-values" title={`≈ ${formatCount(field.distinctEstimate)} distinct values over the ${windowLabel[window]}`}>
          {formatCompact(field.distinctEstimate)}
        </span>
      ) : (
        <span className="text-muted-foreground">—</span>
      )}
    </span>
  );
}

function Note({ children, title, icon }: { children: React.ReactNode; title: string; icon?: React.ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs text-muted-foreground" title={title} data-testid="example-values-note">
      {icon}
      {children}
    </span>
  );
}

/**
 * ExampleValues lists an enum-like field's values with their shares of its
 * items (data points, spans, log records: the items the field was counted
 * over), most frequent first, or says why there are none.
 */
export function ExampleValues({ field, items = "data points" }: { field: Field; items?: string }) {
  const [all, setAll] = useState(false);
  switch (field.exampleValuesState) {
    case ExampleValuesState.KEPT: {
      const values = field.exampleValues;
      if (values.length === 0) return <Note title="The field carried no value in this window">none in this window</Note>;
      const shown = all ? values : values.slice(0, SHOWN);
      return (
        <div className="min-w-44 space-y-1">
          <ul aria-label={`Values of ${field.name}`} className="space-y-0.5">
            {shown.map((v) => (
              <li
                key={v.value}
                data-testid="example-value"
                className="grid grid-cols-[minmax(0,1fr)_3.5rem_2.5rem] items-center gap-2 text-xs"
                title={`${v.value}: ${formatCount(v.dataPoints)} ${items}`}
              >
                <code className="truncate font-mono">{v.value === "" ? "(empty)" : v.value}</code>
                <span className="h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden>
                  <span className="block h-full rounded-full bg-primary/60" style={{ width: `${Math.max(3, Math.min(100, v.share * 100))}%` }} />
                </span>
                <span className="text-right tabular-nums text-muted-foreground">{formatShare(v.share)}</span>
              </li>
            ))}
          </ul>
          {values.length > SHOWN && (
            <button type="button" className="text-xs text-primary hover:underline" onClick={() => setAll(!all)}>
              {all ? "show fewer" : `${values.length - SHOWN} more`}
            </button>
          )}
        </div>
      );
    }
    case ExampleValuesState.TOO_MANY:
      return <Note title="More distinct values than the catalog keeps as examples: the field is not enum-like">too many distinct values to list</Note>;
    case ExampleValuesState.WITHHELD:
      return (
        <Note
          title="Only counted, for privacy: the key is on the value deny list, or the catalog keeps no values (--keep-values=false)"
          icon={<Lock className="h-3 w-3" aria-hidden />}
        >
          values not kept (privacy)
        </Note>
      );
    case ExampleValuesState.NOT_SCALAR:
      return <Note title="Arrays, maps and bytes keep no example values">not kept: not a scalar</Note>;
    case ExampleValuesState.NOT_DATA_POINT:
      return <Note title="Resource and scope attributes are counted, not listed">counted, not listed</Note>;
    case ExampleValuesState.NOT_COUNTED:
      return <Note title={notCountedWhy(field)}>not counted</Note>;
    default:
      return <span className="text-muted-foreground">—</span>;
  }
}
