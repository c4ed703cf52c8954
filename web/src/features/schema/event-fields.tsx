import { PresenceBadge } from "@/components/badges";
import { FieldSource, type Field, type Window } from "@/gen/tallycat/v1/schema_pb";
import { isEventItself } from "@/lib/format";
import { FieldsTable } from "./fields-table";

type Event = { name: string; itself: Field | undefined; attributes: Field[] };

/** eventsOf groups a span schema's event fields by event: the field that stands for the event, and its attributes. */
export function eventsOf(fields: Field[]): Event[] {
  const events = new Map<string, Event>();
  for (const f of fields) {
    if (f.source !== FieldSource.EVENT) continue;
    const e = events.get(f.eventName) ?? { name: f.eventName, itself: undefined, attributes: [] };
    if (isEventItself(f)) e.itself = f;
    else e.attributes.push(f);
    events.set(f.eventName, e);
  }
  for (const e of events.values()) e.attributes.sort((a, b) => a.name.localeCompare(b.name) || a.valueType - b.valueType);
  return [...events.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * EventFields lists a span schema's events, each by its name with the share
 * of spans that carried it, and its attributes under it; their values are
 * not counted (a span carries any number of events), so none are listed.
 */
export function EventFields({ fields, window }: { fields: Field[]; window: Window }) {
  const events = eventsOf(fields);
  return (
    <section aria-label="events">
      <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">events ({events.length})</h4>
      {events.length === 0 ? (
        <p className="text-sm text-muted-foreground">none</p>
      ) : (
        <div className="space-y-3">
          {events.map((e) => (
            <section key={e.name} aria-label={`event ${e.name}`} data-testid="span-event" className="rounded-md border p-3">
              <div className="mb-1 flex flex-wrap items-center gap-2">
                <code className="font-mono text-[13px] font-medium">{e.name}</code>
                {e.itself && <PresenceBadge field={e.itself} />}
                <span className="text-xs text-muted-foreground">
                  {e.attributes.length === 0 ? "no attributes" : `${e.attributes.length} ${e.attributes.length === 1 ? "attribute" : "attributes"}`}
                </span>
              </div>
              {e.attributes.length > 0 && <FieldsTable rows={e.attributes} window={window} values={false} />}
            </section>
          ))}
        </div>
      )}
    </section>
  );
}
