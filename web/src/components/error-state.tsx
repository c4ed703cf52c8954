import { Code, ConnectError } from "@connectrpc/connect";
import { AlertTriangle } from "lucide-react";
import { Button } from "@/components/ui/button";

/** ErrorState shows what the API said went wrong, and offers to try again. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const err = ConnectError.from(error);
  return (
    <div role="alert" className="flex items-start gap-3 rounded-lg border border-destructive/40 bg-destructive/5 p-4 text-sm">
      <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0 text-destructive" />
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

/** codeName reads a Connect code in words: Code.InvalidArgument is "invalid argument". */
export function codeName(code: Code): string {
  const name: string | undefined = Code[code];
  return name ? name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() : `code ${code}`;
}
