import { Window } from "@/gen/tallycat/v1/schema_pb";
import { cn } from "@/lib/utils";

const choices: [Window, string][] = [
  [Window.LAST_HOUR, "Last hour"],
  [Window.LAST_DAY, "Last 24 hours"],
];

/** WindowToggle picks the span cost figures (series, rates, distinct values) cover. */
export function WindowToggle({ value, onChange, className }: { value: Window | undefined; onChange: (w: Window) => void; className?: string }) {
  const current = value === Window.LAST_DAY ? Window.LAST_DAY : Window.LAST_HOUR;
  return (
    <div role="group" aria-label="Window" className={cn("inline-flex rounded-md border bg-background p-0.5", className)}>
      {choices.map(([w, label]) => (
        <button
          key={w}
          type="button"
          aria-pressed={current === w}
          onClick={() => onChange(w)}
          className={cn(
            "rounded-[5px] px-2.5 py-1 text-xs font-medium transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
            current === w ? "bg-accent text-foreground" : "text-muted-foreground hover:text-foreground",
          )}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
