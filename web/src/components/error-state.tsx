import { Code, ConnectError } from "@connectrpc/connect";
import { Link } from "@tanstack/react-router";
import { AlertTriangle, SearchX } from "lucide-react";
import { Button } from "@/components/ui/button";

/**
 * ErrorState shows what the API said went wrong, and offers to try again.
 * "Not found" is an answer, not a failure: asking again gets the same one,
 * so it is said plainly, without Retry, with the way back to the list.
 */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const err = ConnectError.from(error);
  if (err.code === Code.NotFound) {
    return (
      <div role="alert" data-code="not_found" className="flex items-start gap-3 rounded-lg border bg-card p-4 text-sm">
        <SearchX className="mt-0.5 h-4 w-4 shrink-0 text-muted-foreground" aria-hidden />
        <div className="flex-1 space-y-1">
          <p className="font-medium">Not found</p>
          <p className="break-words text-muted-foreground">{sentence(err.rawMessage)}</p>
          <Link to="/" className="inline-block text-primary hover:underline">
            Back to the metrics
          </Link>
        </div>
      </div>
    );
  }
  return (
    <div role="alert" data-code={codeName(err.code).replace(/ /g, "_")} className="flex items-start gap-3 rounded-lg border border-destructive/40 bg-destructive/5 p-4 text-sm">
      <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0 text-destructive" aria-hidden />
      <div className="flex-1 space-y-1">
        <p className="font-medium text-destructive">The catalog answered with an error ({codeName(err.code)})</p>
        <p className="break-words text-muted-foreground">{err.rawMessage}</p>
      </div>
      {retry && (
        <Button variant="outline" size="sm" onClick={retry}>
          Retry
        </Button>
      )}
    </div>
  );
}

/** sentence starts the catalog's message with a capital: "schema 5e6f not found" reads "Schema 5e6f not found.". */
function sentence(message: string): string {
  const m = message.trim();
  if (!m) return "The catalog holds nothing by this name.";
  return m[0]!.toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
}

/** codeName reads a Connect code in words: Code.InvalidArgument is "invalid argument". */
export function codeName(code: Code): string {
  const name: string | undefined = Code[code];
  return name ? name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() : `code ${code}`;
}
