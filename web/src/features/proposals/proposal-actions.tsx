import { useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { Check, X } from "lucide-react";
import { useAcceptProposal, useDismissProposal, useInvalidateVersions } from "@/api/versioning";
import { ErrorState } from "@/components/error-state";
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
import type { VersionProposal } from "@/gen/tallycat/v1/versioning_service_pb";

const MAX_REASON = 1024;

/** stale says the catalog no longer makes the proposal: another version was given meanwhile, or the schema changed. */
const stale = (error: unknown) => ConnectError.from(error).code === Code.FailedPrecondition;

/**
 * ProposalActions accepts a proposal in one click, or dismisses it with an
 * optional reason. A refusal is shown as the catalog said it; trying again
 * asks again, except for a proposal no longer made: that refreshes the list.
 */
export function ProposalActions({ proposal: p }: { proposal: VersionProposal }) {
  const accept = useAcceptProposal();
  const refresh = useInvalidateVersions();
  const run = () => accept.mutate({ schemaId: p.schemaId, proposedVersion: p.proposedVersion });
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          disabled={accept.isPending}
          onClick={run}
        >
          <Check /> {accept.isPending ? "Accepting…" : `Accept ${p.proposedVersion}`}
        </Button>
        <DismissDialog proposal={p} />
      </div>
      {accept.error && <ErrorState error={accept.error} retry={stale(accept.error) ? refresh : run} />}
    </div>
  );
}

/** DismissDialog asks why, optionally, before a proposal is dismissed. */
function DismissDialog({ proposal: p }: { proposal: VersionProposal }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const dismiss = useDismissProposal();
  const refresh = useInvalidateVersions();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await dismiss.mutateAsync({ schemaId: p.schemaId, proposedVersion: p.proposedVersion, reason: reason.trim() });
      setOpen(false);
      setReason("");
    } catch {
      // Shown in the dialog.
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) dismiss.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <X /> Dismiss
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Dismiss version {p.proposedVersion}</DialogTitle>
            <DialogDescription>
              The proposal is no longer listed and never accepted by itself. A different version proposed later is a new proposal.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="dismiss-reason">Reason (optional)</Label>
            <Textarea
              id="dismiss-reason"
              autoFocus
              maxLength={MAX_REASON}
              placeholder="A canary release; it is rolled back"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          {dismiss.error && <ErrorState error={dismiss.error} retry={stale(dismiss.error) ? refresh : undefined} />}
          <DialogFooter>
            <Button type="submit" variant="destructive" disabled={dismiss.isPending}>
              {dismiss.isPending ? "Dismissing…" : "Dismiss"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
