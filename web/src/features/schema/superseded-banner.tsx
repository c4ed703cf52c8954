import { History } from "lucide-react";
import { SchemaRefs } from "@/components/schema-link";
import type { Schema } from "@/gen/tallycat/v1/schema_pb";

/** SupersededBanner says a schema is a past shape and where its releases went, each schema by its name. */
export function SupersededBanner({ schema }: { schema: Schema }) {
  if (!schema.superseded) return null;
  return (
    <div
      role="status"
      data-testid="superseded-banner"
      className="flex items-start gap-3 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-400/30 dark:bg-amber-400/10 dark:text-amber-100"
    >
      <History className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <div className="space-y-1">
        <p className="font-medium">
          Superseded: every release that produced this schema moved to{" "}
          {schema.supersededBy.length > 0 ? <SchemaRefs ids={schema.supersededBy} /> : "another schema"}.
        </p>
        <p className="text-amber-900/80 dark:text-amber-100/75">
          They now send more attributes. This schema keeps its history and versions; no release produces it any more.
        </p>
      </div>
    </div>
  );
}
