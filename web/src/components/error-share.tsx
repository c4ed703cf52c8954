import type { Schema } from "@/gen/tallycat/v1/schema_pb";
import { formatCount, formatShare, shareOf } from "@/lib/format";
import { cn } from "@/lib/utils";

/** ErrorShare is the share of a span schema's spans whose status was error: "7 % (14 of 200 spans)". */
export function ErrorShare({ schema: s, className }: { schema: Pick<Schema, "errorCount" | "dataPointCount">; className?: string }) {
  const share = shareOf(s.errorCount, s.dataPointCount);
  if (share === undefined) return <span className="text-muted-foreground">—</span>;
  return (
    <span
      className={cn(s.errorCount > 0n && "text-destructive", className)}
      data-testid="error-share"
      title={`${formatCount(s.errorCount)} of ${formatCount(s.dataPointCount)} spans had status error`}
    >
      {formatShare(share)}{" "}
      <span className="text-muted-foreground">
        ({formatCount(s.errorCount)} of {formatCount(s.dataPointCount)} spans)
      </span>
    </span>
  );
}
