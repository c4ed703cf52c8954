import { useState } from "react";
import { ConnectError } from "@connectrpc/connect";
import { Archive, RotateCcw } from "lucide-react";
import { useAssignVersion, useSetVersionStatus } from "@/api/versioning";
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
import { Textarea } from "@/components/ui/textarea";
import { VersionStatus, type SchemaVersion } from "@/gen/tallycat/v1/schema_pb";
import { semverProblem } from "@/lib/semver";

/**
 * DeprecateDialog retires a schema's current version with a reason, or
 * makes a deprecated one active again. A schema without a version can be
 * deprecated too, in the same dialog: the API keeps deprecation as a
 * status of a version (SetVersionStatus changes the current version's), so
 * the dialog says so and asks for the version there, then assigns it
 * already deprecated, in one step and one history entry.
 */
export function DeprecateDialog({ schemaId, current }: { schemaId: string; current?: SchemaVersion }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [version, setVersion] = useState("");
  const [touched, setTouched] = useState(false);
  const setStatus = useSetVersionStatus();
  const assign = useAssignVersion();
  const unversioned = !current;
  const deprecated = current?.status === VersionStatus.DEPRECATED;
  const target = deprecated ? VersionStatus.ACTIVE : VersionStatus.DEPRECATED;
  const reasonMissing = !deprecated && reason.trim() === "";
  const versionProblem = unversioned ? semverProblem(version.trim()) : null;
  const showVersionProblem = Boolean((touched || version) && versionProblem);
  const failure = setStatus.error ?? assign.error;

  const reset = () => {
    setReason("");
    setVersion("");
    setTouched(false);
    setStatus.reset();
    assign.reset();
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (reasonMissing || versionProblem) return;
    try {
      if (unversioned) {
        await assign.mutateAsync({ schemaId, version: version.trim(), status: VersionStatus.DEPRECATED, reason: reason.trim() });
      } else {
        await setStatus.mutateAsync({ schemaId, status: target, reason: reason.trim() });
      }
      setOpen(false);
      reset();
    } catch {
      // Shown inline.
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
        <Button variant="outline">
          {deprecated ? <RotateCcw /> : <Archive />}
          {deprecated ? "Mark active" : "Deprecate"}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{deprecated ? `Mark ${current?.version} active` : unversioned ? "Deprecate this schema" : `Deprecate ${current?.version}`}</DialogTitle>
            <DialogDescription>
              {deprecated
                ? "The version becomes active again; the change is kept in its history."
                : "Producers keep sending it, but the catalog marks this shape as one to move away from."}
            </DialogDescription>
          </DialogHeader>
          {unversioned && (
            <div className="grid gap-2" data-testid="deprecate-needs-version">
              <p className="rounded-md bg-muted px-3 py-2 text-sm">Give this schema a version first: deprecation is a status of a version.</p>
              <Label htmlFor="deprecate-version">Version</Label>
              <Input
                id="deprecate-version"
                autoFocus
                placeholder="1.0.0"
                value={version}
                aria-invalid={showVersionProblem}
                aria-describedby="deprecate-version-help"
                onChange={(e) => {
                  setVersion(e.target.value);
                  assign.reset();
                }}
                className="font-mono"
              />
              <p id="deprecate-version-help" className={`text-xs ${showVersionProblem ? "text-destructive" : "text-muted-foreground"}`}>
                {showVersionProblem ? versionProblem : "It is assigned deprecated, with the reason below, in one step."}
              </p>
            </div>
          )}
          <div className="grid gap-2">
            <Label htmlFor="deprecate-reason">Reason{deprecated ? " (optional)" : ""}</Label>
            <Textarea
              id="deprecate-reason"
              autoFocus={!unversioned}
              maxLength={1024}
              placeholder={deprecated ? "" : "Replaced by http.server.request.duration in seconds"}
              value={reason}
              aria-invalid={touched && reasonMissing}
              onChange={(e) => setReason(e.target.value)}
            />
            {touched && reasonMissing && <p className="text-xs text-destructive">Say why it is deprecated.</p>}
          </div>
          {failure && (
            <p role="alert" className="rounded-md bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {ConnectError.from(failure).rawMessage}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" variant={deprecated ? "default" : "destructive"} disabled={setStatus.isPending || assign.isPending}>
              {deprecated ? "Mark active" : "Deprecate"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
