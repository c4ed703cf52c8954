import { ConnectError } from "@connectrpc/connect";
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

const codeNames: Record<number, string> = {
  1: "canceled", 2: "unknown", 3: "invalid argument", 4: "deadline exceeded", 5: "not found",
  6: "already exists", 7: "permission denied", 8: "resource exhausted", 9: "failed precondition",
  10: "aborted", 11: "out of range", 12: "unimplemented", 13: "internal", 14: "unavailable",
  15: "data loss", 16: "unauthenticated",
};

export function codeName(code: number): string {
  return codeNames[code] ?? `code ${code}`;
}
