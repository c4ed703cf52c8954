import { useDiff } from "@/api/catalog";
import { FieldLine } from "@/components/badges";
import { ErrorState } from "@/components/error-state";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { Schema } from "@/gen/tallycat/v1/schema_pb";
import { shortId } from "@/lib/format";

type Props = {
  schemas: Schema[];
  base: string | undefined;
  target: string | undefined;
  onBase: (id: string) => void;
  onTarget: (id: string) => void;
};

/** SchemaDiff compares any two schemas of a metric, with the differences highlighted. */
export function SchemaDiff({ schemas, base, target, onBase, onTarget }: Props) {
  const diff = useDiff(base, target);
  const picker = (label: string, value: string | undefined, onChange: (id: string) => void) => (
    <Select value={value ?? ""} onValueChange={onChange}>
      <SelectTrigger className="w-56 font-mono" aria-label={label}>
        <SelectValue placeholder={label} />
      </SelectTrigger>
      <SelectContent>
        {schemas.map((s) => (
          <SelectItem key={s.schemaId} value={s.schemaId} className="font-mono">
            {shortId(s.schemaId)}
            {s.currentVersion ? ` · v${s.currentVersion.version}` : ""}
            {s.superseded ? " · superseded" : ""}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
  const d = diff.data;
  return (
    <Card id="compare" className="scroll-mt-4">
      <CardHeader className="flex-row flex-wrap items-center gap-3 space-y-0">
        <CardTitle className="mr-2 text-base">Compare</CardTitle>
        {picker("Base schema", base, onBase)}
        <span className="text-muted-foreground">→</span>
        {picker("Target schema", target, onTarget)}
      </CardHeader>
      <CardContent data-testid="schema-diff">
        {diff.error ? (
          <ErrorState error={diff.error} />
        ) : !d ? (
          <Skeleton className="h-24" />
        ) : d.identical ? (
          <p className="text-sm text-muted-foreground">The two schemas are identical.</p>
        ) : (
          <ul className="space-y-1.5 text-sm">
            {d.metadataChanges.map((m) => (
              <li key={m.property} className="rounded-md bg-amber-50 px-3 py-1.5 text-amber-900">
                <span className="font-medium">{m.property}</span> changed: <code>{m.base || "∅"}</code> →{" "}
                <code>{m.target || "∅"}</code>
              </li>
            ))}
            {d.changed.map((c) => (
              <li key={`c/${c.name}`} className="flex flex-wrap items-center gap-2 rounded-md bg-amber-50 px-3 py-1.5 text-amber-900" data-kind="changed">
                <span className="font-medium">changed</span>
                {c.base && <FieldLine field={c.base} />} → {c.target && <FieldLine field={c.target} />}
              </li>
            ))}
            {d.removed.map((f) => (
              <li key={`r/${f.source}/${f.eventName}/${f.name}/${f.valueType}`} className="flex items-center gap-2 rounded-md bg-red-50 px-3 py-1.5 text-red-900" data-kind="removed">
                <span className="font-medium">− removed</span> <FieldLine field={f} />
              </li>
            ))}
            {d.added.map((f) => (
              <li key={`a/${f.source}/${f.eventName}/${f.name}/${f.valueType}`} className="flex items-center gap-2 rounded-md bg-emerald-50 px-3 py-1.5 text-emerald-900" data-kind="added">
                <span className="font-medium">+ added</span> <FieldLine field={f} />
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
