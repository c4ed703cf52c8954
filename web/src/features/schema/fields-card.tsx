import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldSource, Window, type Field } from "@/gen/tallycat/v1/schema_pb";
import { sourceLabel } from "@/lib/format";
import type { SignalName } from "@/lib/signal";
import { EventFields } from "./event-fields";
import { FieldsTable } from "./fields-table";

/**
 * A Section is the fields from one place in an item. values says whether
 * the section lists example values: resource and scope fields are counted,
 * not listed; a log body's values never enter the catalog, and a span
 * link's are not counted (a span has any number of links), which their
 * Distinct column says.
 */
type Section = { source: FieldSource; values: boolean } | "events";

const { DATA_POINT, RESOURCE, SCOPE, SPAN, LINK, LOG_RECORD, SEVERITY, BODY } = FieldSource;
const producer: Section[] = [
  { source: RESOURCE, values: false },
  { source: SCOPE, values: false },
];

const sections: Record<SignalName, Section[]> = {
  metric: [{ source: DATA_POINT, values: true }, ...producer],
  span: [{ source: SPAN, values: true }, "events", { source: LINK, values: false }, ...producer],
  log: [{ source: SEVERITY, values: true }, { source: LOG_RECORD, values: true }, { source: BODY, values: false }, ...producer],
};

/** ownSource is where a field was found, a span's or a log record's own attributes the catalog may send as data point ones taken as theirs. */
function ownSource(f: Field, signal: SignalName): FieldSource {
  if (f.source !== DATA_POINT) return f.source;
  return signal === "span" ? SPAN : signal === "log" ? LOG_RECORD : DATA_POINT;
}

type Props = { fields: Field[]; signal?: SignalName; window?: Window; className?: string };

/**
 * FieldsCard lists a schema's fields by where they were found: the union
 * of what its releases sent, with how often each field was there and when,
 * how many distinct values each carried over the window and, for an
 * enum-like field, those values with their shares. A span's events are
 * listed by event, each with its attributes.
 */
export function FieldsCard({ fields, signal = "metric", window = Window.UNSPECIFIED, className }: Props) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">Fields</CardTitle>
      </CardHeader>
      <CardContent className="space-y-5">
        {sections[signal].map((section) => {
          if (section === "events") return <EventFields key="events" fields={fields} window={window} />;
          const rows = fields
            .filter((f) => ownSource(f, signal) === section.source)
            .sort((a, b) => a.name.localeCompare(b.name) || a.valueType - b.valueType);
          const label = sourceLabel[section.source];
          return (
            <section key={section.source} aria-label={`${label} fields`}>
              <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">
                {label} ({rows.length})
              </h4>
              <FieldsTable rows={rows} window={window} values={section.values} />
            </section>
          );
        })}
      </CardContent>
    </Card>
  );
}
