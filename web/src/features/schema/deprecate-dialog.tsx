import { useState } from "react";
import { ConnectError } from "@connectrpc/connect";
import { Archive, RotateCcw } from "lucide-react";
import { useSetVersionStatus } from "@/api/versioning";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { VersionStatus, type SchemaVersion } from "@/gen/tallycat/v1/schema_pb";

/**
 * DeprecateDialog retires a schema's current version with a reason, or
 * makes a deprecated one active again.
 */
export function DeprecateDialog({ schemaId, current }: { schemaId: string; current?: SchemaVersion }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const setStatus = useSetVersionStatus();
  const deprecated = current?.status === VersionStatus.DEPRECATED;
  const target = deprecated ? VersionStatus.ACTIVE : VersionStatus.DEPRECATED;
  const missing = !deprecated && reason.trim() === "";

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (missing) return;
    try {
      await setStatus.mutateAsync({ schemaId, status: target, reason: reason.trim() });
      setOpen(false);
      setReason("");
    } catch {
      // Shown inline.
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) setStatus.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline" disabled={!current} title={current ? undefined : "Assign a version first"}>
          {deprecated ? <RotateCcw /> : <Archive />}
          {deprecated ? "Mark active" : "Deprecate"}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{deprecated ? `Mark ${current?.version} active` : `Deprecate ${current?.version}`}</DialogTitle>
            <DialogDescription>
              {deprecated
                ? "The version becomes active again; the change is kept in its history."
                : "Producers keep sending it, but the catalog marks this shape as one to move away from."}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="deprecate-reason">Reason{deprecated ? " (optional)" : ""}</Label>
            <Textarea
              id="deprecate-reason"
              autoFocus
              maxLength={1024}
              placeholder={deprecated ? "" : "Replaced by http.server.request.duration in seconds"}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          {setStatus.error && (
            <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {ConnectError.from(setStatus.error).rawMessage}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" variant={deprecated ? "default" : "destructive"} disabled={missing || setStatus.isPending}>
              {deprecated ? "Mark active" : "Deprecate"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
