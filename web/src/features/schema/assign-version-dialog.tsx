import { useState } from "react";
import { ConnectError } from "@connectrpc/connect";
import { Tag } from "lucide-react";
import { useAssignVersion } from "@/api/versioning";
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
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { VersionStatus } from "@/gen/tallycat/v1/schema_pb";
import { semverProblem } from "@/lib/semver";

const MAX_REASON = 1024;

/**
 * AssignVersionDialog gives a schema a SemVer version. It checks the version
 * as you type, and shows the server's answer inline when it refuses (a
 * version another schema of the metric already holds, say).
 */
export function AssignVersionDialog({ schemaId, current }: { schemaId: string; current?: string }) {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState("");
  const [status, setStatus] = useState(VersionStatus.ACTIVE);
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const assign = useAssignVersion();

  const problem = semverProblem(version.trim());
  const reasonMissing = status === VersionStatus.DEPRECATED && reason.trim() === "";
  const serverError = assign.error ? ConnectError.from(assign.error).rawMessage : null;

  const reset = () => {
    setVersion("");
    setStatus(VersionStatus.ACTIVE);
    setReason("");
    setTouched(false);
    assign.reset();
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || reasonMissing) return;
    try {
      await assign.mutateAsync({ schemaId, version: version.trim(), status, reason: reason.trim() });
      setOpen(false);
      reset();
    } catch {
      // The error is shown inline from assign.error.
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Tag /> Assign version
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Assign a version</DialogTitle>
            <DialogDescription>
              A SemVer 2.0.0 version names this shape. Within a metric, a version names one schema only.
              {current && ` The current version is ${current}.`}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="version">Version</Label>
            <Input
              id="version"
              autoFocus
              placeholder="1.0.0"
              value={version}
              aria-invalid={Boolean((touched || version) && problem)}
              aria-describedby="version-help"
              onChange={(e) => {
                setVersion(e.target.value);
                assign.reset();
              }}
              className="font-mono"
            />
            <p id="version-help" className={`text-xs ${(touched || version) && problem ? "text-destructive" : "text-muted-foreground"}`}>
              {(touched || version) && problem ? problem : "MAJOR.MINOR.PATCH, with an optional -pre.release and +build"}
            </p>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="status">Status</Label>
            <Select value={String(status)} onValueChange={(v) => setStatus(Number(v) as VersionStatus)}>
              <SelectTrigger id="status">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={String(VersionStatus.ACTIVE)}>active</SelectItem>
                <SelectItem value={String(VersionStatus.DEPRECATED)}>deprecated</SelectItem>
              </SelectContent>
            </Select>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="reason">Reason {status === VersionStatus.DEPRECATED ? "(required)" : "(optional)"}</Label>
            <Textarea
              id="reason"
              value={reason}
              maxLength={MAX_REASON}
              aria-invalid={touched && reasonMissing}
              onChange={(e) => setReason(e.target.value)}
            />
            <p className={`text-xs ${touched && reasonMissing ? "text-destructive" : "text-muted-foreground"}`}>
              {touched && reasonMissing ? "Say why it is deprecated." : `${reason.length}/${MAX_REASON}`}
            </p>
          </div>
          {serverError && (
            <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {serverError}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" disabled={assign.isPending}>
              {assign.isPending ? "Assigning…" : "Assign"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
