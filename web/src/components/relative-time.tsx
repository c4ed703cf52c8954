import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { exactTime, relativeTime, toDate } from "@/lib/format";

/** RelativeTime shows "5 minutes ago" with the exact time on hover. */
export function RelativeTime({ value }: { value: Timestamp | undefined }) {
  const d = toDate(value);
  if (!d) return <span className="text-muted-foreground">—</span>;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <time dateTime={d.toISOString()} className="cursor-default whitespace-nowrap" tabIndex={0}>
          {relativeTime(d)}
        </time>
      </TooltipTrigger>
      <TooltipContent>{exactTime(d)}</TooltipContent>
    </Tooltip>
  );
}
