import { Fragment, useEffect, useState } from "react";
import { Link } from "@tanstack/react-router";
import { ArrowRight, Check, Copy } from "lucide-react";
import { shortId } from "@/lib/format";
import type { SchemaName } from "@/lib/schema-name";
import { cn } from "@/lib/utils";
import { useSchemaName } from "./schema-names";

/** SchemaLink links to a schema by its short id; the full id is in the title. */
export function SchemaLink({ id, className }: { id: string; className?: string }) {
  return (
    <Link to="/schemas/$id" params={{ id }} title={id} className={cn("font-mono text-primary hover:underline", className)}>
      {shortId(id)}
    </Link>
  );
}

/**
 * copyText puts text on the clipboard. The Clipboard API needs a secure
 * context, and a catalog is often reached over plain HTTP on an internal
 * name: there a selected textarea and the copy command still work.
 */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

/**
 * SchemaIdText is a schema's id as secondary text: small, monospace,
 * selectable, with a button that copies the full id (what people paste
 * into a query, a URL or a bug report). full shows all 32 digits; copy
 * false leaves the button out where ids run in a sentence (a timeline).
 */
export function SchemaIdText({ id, full = false, copy = true, className }: { id: string; full?: boolean; copy?: boolean; className?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <span className={cn("inline-flex items-center gap-0.5 whitespace-nowrap font-mono text-[11px] font-normal text-muted-foreground", className)}>
      <span className="select-all" title={id} data-testid="schema-id">
        {full ? id : shortId(id)}
      </span>
      {copy && (
        <button
          type="button"
          onClick={() => copyText(id).then(() => setCopied(true), () => {})}
          className="rounded p-0.5 hover:bg-accent hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
          aria-label={copied ? "Schema id copied" : "Copy schema id"}
          title={copied ? "Copied" : `Copy ${id}`}
        >
          {copied ? <Check className="h-3 w-3" aria-hidden /> : <Copy className="h-3 w-3" aria-hidden />}
        </button>
      )}
    </span>
  );
}

/** SchemaNameText is a name's words: the producer, then the trait that tells it from a sibling unless the id beside it already does. */
export function SchemaNameText({ name }: { name: SchemaName }) {
  if (!name.producer) return <span className="font-mono">{name.short}</span>;
  const trait = name.trait && name.trait !== name.short ? name.trait : "";
  return (
    <>
      {name.producer}
      {trait && <span className="text-muted-foreground"> · {trait}</span>}
    </>
  );
}

/**
 * SchemaRef names a schema as the page names it (see SchemaNamesProvider):
 * a link by the releases that send it, with its short id as secondary text
 * (selectable; its full id in the link's title); by its short id alone
 * where the page has no name for it. It runs in sentences, so it leaves
 * the copy button to the schema's own title.
 */
export function SchemaRef({ id, className }: { id: string; className?: string }) {
  const name = useSchemaName(id);
  return (
    <span className={cn("inline-flex flex-wrap items-baseline gap-x-1", className)} data-testid="schema-ref">
      <Link to="/schemas/$id" params={{ id }} title={name.full} className="text-primary hover:underline">
        <SchemaNameText name={name} />
      </Link>{" "}
      {name.producer && <SchemaIdText id={id} copy={false} />}
    </span>
  );
}

/** SchemaRefs lists schemas by name, comma-separated. */
export function SchemaRefs({ ids }: { ids: string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <Fragment key={id}>
          {i > 0 && ", "}
          <SchemaRef id={id} />
        </Fragment>
      ))}
    </>
  );
}

/** MovedTo says where a release, a producer or a schema moved: "moved to checkout 1.4.2 5e6f7a8b". */
export function MovedTo({ ids, className }: { ids: string[]; className?: string }) {
  if (ids.length === 0) return null;
  return (
    <span className={cn("inline-flex flex-wrap items-center gap-1 text-xs text-muted-foreground", className)} data-testid="moved-to">
      <ArrowRight className="h-3 w-3" aria-hidden />
      moved to <SchemaRefs ids={ids} />
    </span>
  );
}
