import { Layers } from "lucide-react";
import { Signal, type Schema } from "@/gen/tallycat/v1/schema_pb";

/**
 * ByScopeNote says what a schema grouped by scope holds: for spans, the
 * span names past the limit of distinct names (names that embed ids),
 * counted under the scope, with some of them; for logs, the records that
 * carry no event name, counted under their logger.
 */
export function ByScopeNote({ schema: s }: { schema: Schema }) {
  if (!s.byScope) return null;
  const span = s.signal === Signal.SPAN;
  return (
    <div role="note" data-testid="by-scope-note" className="flex items-start gap-3 rounded-lg border border-sky-200 bg-sky-50 p-4 text-sm text-sky-950 dark:border-sky-400/30 dark:bg-sky-400/10 dark:text-sky-100">
      <Layers className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <div className="space-y-1">
        {span ? (
          <>
            <p className="font-medium">
              Span names past the limit, counted under the scope <code className="font-mono">{s.schemaKey}</code>.
            </p>
            <p>
              This scope sent more distinct span names than the catalog keeps a schema for (a name that embeds an id makes one per id), so
              its further names share this one schema.
            </p>
            {s.nameExamples.length > 0 && (
              <div>
                <p className="text-sky-900/80 dark:text-sky-100/75">Some of the names counted here:</p>
                <ul className="mt-1 flex flex-wrap gap-1.5" aria-label="Span names counted under the scope">
                  {s.nameExamples.map((n) => (
                    <li key={n}>
                      <code className="rounded bg-background/70 px-1.5 py-0.5 font-mono text-[13px] dark:bg-background/40">{n}</code>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        ) : (
          <p className="font-medium">
            Log records without an event name, counted under their logger <code className="font-mono">{s.schemaKey}</code>.
          </p>
        )}
      </div>
    </div>
  );
}
