import { useDiff } from "@/api/catalog";
import { FieldLine } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { SchemaNameText } from "@/components/schema-link";
import { useSchemaName } from "@/components/schema-names";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { Field, Schema } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";
import { diffFraming, diffWords, type Framing } from "./diff-words";

type Props = {
  schemas: Schema[];
  base: string | undefined;
  target: string | undefined;
  onBase: (id: string) => void;
  onTarget: (id: string) => void;
};

/**
 * tone colours a diff's rows, light and dark. Over time they say what
 * happened (removed red, added green); side by side neither producer is
 * wrong, so each side has a colour of its own, shown on its picker too.
 */
const tone: Record<Framing, { base: string; target: string; changed: string }> = {
  "over-time": {
    base: "bg-red-50 text-red-950 dark:bg-red-400/10 dark:text-red-100",
    target: "bg-emerald-50 text-emerald-950 dark:bg-emerald-400/10 dark:text-emerald-100",
    changed: "bg-amber-50 text-amber-950 dark:bg-amber-400/10 dark:text-amber-100",
  },
  "side-by-side": {
    base: "bg-sky-50 text-sky-950 dark:bg-sky-400/10 dark:text-sky-100",
    target: "bg-violet-50 text-violet-950 dark:bg-violet-400/10 dark:text-violet-100",
    changed: "bg-amber-50 text-amber-950 dark:bg-amber-400/10 dark:text-amber-100",
  },
};
const sideDot = { base: "bg-sky-500", target: "bg-violet-500" };

const fieldKey = (f: Field) => `${f.source}/${f.eventName}/${f.name}/${f.valueType}`;

/** SchemaOption is a schema in a picker: its name, its id, its version, whether it is superseded. */
function SchemaOption({ schema: s }: { schema: Schema }) {
  const name = useSchemaName(s.schemaId);
  // The spaces between the parts are for the text people copy and screen readers read; the flex gap lays them out.
  return (
    <span className="inline-flex items-baseline gap-1.5">
      {name.producer && (
        <span>
          <SchemaNameText name={name} />
        </span>
      )}{" "}
      <span className={cn("font-mono", name.producer && "text-[11px] text-muted-foreground")}>{name.short}</span>{" "}
      {s.currentVersion && <span className="text-xs text-muted-foreground">v{s.currentVersion.version}</span>}{" "}
      {s.superseded && name.trait !== "superseded" && <span className="text-xs text-muted-foreground">superseded</span>}
    </span>
  );
}

/**
 * SchemaDiff compares any two schemas of a key. Two producers' schemas are
 * read side by side ("only in checkout 1.4.2", "differs"); a schema and
 * the one it became, as a change ("added", "removed", "changed").
 */
export function SchemaDiff({ schemas, base, target, onBase, onTarget }: Props) {
  const diff = useDiff(base, target);
  const baseName = useSchemaName(base ?? "");
  const targetName = useSchemaName(target ?? "");
  const baseSchema = schemas.find((s) => s.schemaId === base);
  const targetSchema = schemas.find((s) => s.schemaId === target);
  const framing: Framing =
    baseSchema && targetSchema
      ? diffFraming({ schema: baseSchema, releases: baseName.releases }, { schema: targetSchema, releases: targetName.releases })
      : "side-by-side";
  const words = diffWords(framing, baseName.label, targetName.label);
  const colours = tone[framing];
  const picker = (label: string, side: "base" | "target", value: string | undefined, onChange: (id: string) => void) => (
    <span className="inline-flex min-w-0 max-w-full items-center gap-1.5">
      {framing === "side-by-side" && <span className={cn("h-2.5 w-2.5 shrink-0 rounded-full", sideDot[side])} aria-hidden />}
      <Select value={value ?? ""} onValueChange={onChange}>
        <SelectTrigger className="w-auto min-w-56 max-w-full" aria-label={label}>
          <SelectValue placeholder={label} />
        </SelectTrigger>
        <SelectContent>
          {schemas.map((s) => (
            <SelectItem key={s.schemaId} value={s.schemaId}>
              <SchemaOption schema={s} />
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </span>
  );
  const d = diff.data;
  return (
    <Card id="compare" className="scroll-mt-4">
      <CardHeader className="flex-row flex-wrap items-center gap-3 space-y-0">
        <CardTitle className="mr-2 text-base">Compare</CardTitle>
        {picker("Base schema", "base", base, onBase)}
        <span className="text-sm text-muted-foreground">{words.between}</span>
        {picker("Target schema", "target", target, onTarget)}
      </CardHeader>
      <CardContent data-testid="schema-diff" data-framing={framing}>
        {diff.error ? (
          <ErrorState error={diff.error} />
        ) : !d ? (
          <Skeleton className="h-24" />
        ) : d.identical ? (
          <p className="text-sm text-muted-foreground">The two schemas are identical.</p>
        ) : (
          <ul className="space-y-1.5 text-sm">
            {d.metadataChanges.map((m) => (
              <li key={m.property} className={cn("rounded-md px-3 py-1.5", colours.changed)} data-kind="metadata">
                <span className="font-medium">{words.property(m.property)}</span>:{" "}
                {framing === "over-time" ? (
                  <>
                    <code>{m.base || "∅"}</code> → <code>{m.target || "∅"}</code>
                  </>
                ) : (
                  <>
                    <code>{m.base || "∅"}</code> in {baseName.label}, <code>{m.target || "∅"}</code> in {targetName.label}
                  </>
                )}
              </li>
            ))}
            {d.changed.map((c) => (
              <li key={`c/${c.name}`} className={cn("flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md px-3 py-1.5", colours.changed)} data-kind="changed">
                <span className="font-medium">{words.changed}</span>
                {framing === "over-time" ? (
                  <>
                    {c.base && <FieldLine field={c.base} />} → {c.target && <FieldLine field={c.target} />}
                  </>
                ) : (
                  <span className="grid min-w-0 gap-1">
                    {c.base && <Sided field={c.base} name={baseName.label} />}
                    {c.target && <Sided field={c.target} name={targetName.label} />}
                  </span>
                )}
              </li>
            ))}
            {d.removed.map((f) => (
              <li key={`r/${fieldKey(f)}`} className={cn("flex flex-wrap items-center gap-2 rounded-md px-3 py-1.5", colours.base)} data-kind="removed">
                <span className="font-medium">{words.onlyBase}</span> <FieldLine field={f} />
              </li>
            ))}
            {d.added.map((f) => (
              <li key={`a/${fieldKey(f)}`} className={cn("flex flex-wrap items-center gap-2 rounded-md px-3 py-1.5", colours.target)} data-kind="added">
                <span className="font-medium">{words.onlyTarget}</span> <FieldLine field={f} />
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

/** Sided is one side of a field that differs: how the field is, in whose schema. */
function Sided({ field, name }: { field: Field; name: string }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
      <FieldLine field={field} />
      <span className="text-xs opacity-75">in {name}</span>
    </span>
  );
}
