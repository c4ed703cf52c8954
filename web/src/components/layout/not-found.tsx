import { Link, useRouterState } from "@tanstack/react-router";
import { SearchX } from "lucide-react";
import { paletteHint } from "./shortcuts";

/**
 * NotFoundPage is the router's 404: it names the address that has no page,
 * and offers the ways on, home first. (A metric, span or schema the catalog
 * does not hold is its own page's "not found", said by that page.)
 */
export function NotFoundPage() {
  const path = useRouterState({ select: (s) => s.location.pathname });
  return (
    <section className="mx-auto max-w-xl space-y-4 py-16 text-center" data-testid="not-found-page" aria-labelledby="not-found-title">
      <SearchX className="mx-auto h-10 w-10 text-muted-foreground" aria-hidden />
      <p className="text-sm font-medium text-muted-foreground">404 · page not found</p>
      <h1 id="not-found-title" className="text-2xl font-semibold tracking-tight">
        TallyCat has no page at <code className="break-all rounded bg-muted px-1.5 py-0.5 font-mono text-xl">{path}</code>
      </h1>
      <p className="text-sm text-muted-foreground">
        The link may be mistyped or from an older version. Look a metric, span or log event up with{" "}
        <kbd className="rounded border bg-muted px-1 font-sans text-xs">{paletteHint()}</kbd>, or start from the list.
      </p>
      <div className="flex flex-wrap justify-center gap-x-4 gap-y-1 text-sm">
        <Link to="/" className="font-medium text-primary hover:underline">
          Back to the metrics
        </Link>
        <Link to="/producers" className="text-primary hover:underline">
          Producers
        </Link>
        <Link to="/conformance" className="text-primary hover:underline">
          Conformance
        </Link>
      </div>
    </section>
  );
}
