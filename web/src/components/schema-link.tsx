import { Fragment } from "react";
import { Link } from "@tanstack/react-router";
import { ArrowRight } from "lucide-react";
import { shortId } from "@/lib/format";
import { cn } from "@/lib/utils";

/** SchemaLink links to a schema by its short id; the full id is in the title. */
export function SchemaLink({ id, className }: { id: string; className?: string }) {
  return (
    <Link to="/schemas/$id" params={{ id }} title={id} className={cn("font-mono text-primary hover:underline", className)}>
      {shortId(id)}
    </Link>
  );
}

/** SchemaLinks lists schemas as short id links, comma-separated. */
export function SchemaLinks({ ids }: { ids: string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <Fragment key={id}>
          {i > 0 && ", "}
          <SchemaLink id={id} />
        </Fragment>
      ))}
    </>
  );
}

/** MovedTo says where a release, a producer or a schema moved: "moved to 5e6f7a8b". */
export function MovedTo({ ids, className }: { ids: string[]; className?: string }) {
  if (ids.length === 0) return null;
  return (
    <span className={cn("inline-flex flex-wrap items-center gap-1 text-xs text-muted-foreground", className)} data-testid="moved-to">
      <ArrowRight className="h-3 w-3" aria-hidden />
      moved to <SchemaLinks ids={ids} />
    </span>
  );
}
