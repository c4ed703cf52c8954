import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { useShowSelf } from "@/lib/self-telemetry";
import { cn } from "@/lib/utils";

/**
 * SelfTelemetrySwitch is the one switch, the same on every page that
 * lists telemetry, that shows or hides TallyCat's own (see
 * lib/self-telemetry.ts): off by default, kept in this browser.
 */
export function SelfTelemetrySwitch({ className }: { className?: string }) {
  const [show, setShow] = useShowSelf();
  return (
    <div className={cn("flex items-center gap-2", className)} title="The catalog's and the ingest's own metrics (services tallycat-catalog and tallycat-ingest)">
      <Switch id="show-self-telemetry" checked={show} onCheckedChange={setShow} />
      <Label htmlFor="show-self-telemetry" className="cursor-pointer whitespace-nowrap text-sm font-normal text-muted-foreground">
        Show TallyCat's own telemetry
      </Label>
    </div>
  );
}
