import { useEffect, useState } from "react";
import { UserRound } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { actorProblem, MAX_ACTOR, useActor } from "@/lib/actor";
import { cn } from "@/lib/utils";

/**
 * ActorControl is "Your name" in the header: who the catalog records as
 * having assigned or deprecated a version. Until a name is given it asks
 * for one, in the header rather than in a dialog that would stand between
 * a person and the page they came for; once given it shows it, and a
 * click changes it. The dialog's open state is the shell's, so that the
 * command palette can open it too.
 */
export function ActorControl({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [actor] = useActor();
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        onClick={() => onOpenChange(true)}
        title={actor ? `Changes you make are recorded as ${actor}. Click to change.` : "Changes you make are recorded as anonymous until you give a name."}
        className={cn("max-w-44 gap-1.5 px-2", !actor && "text-muted-foreground")}
        data-testid="actor-control"
      >
        <UserRound aria-hidden />
        <span className="truncate">{actor || "Your name?"}</span>
      </Button>
      <ActorDialog open={open} onOpenChange={onOpenChange} />
    </>
  );
}

function ActorDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [actor, setActor] = useActor();
  const [draft, setDraft] = useState(actor);
  // Each opening starts from the name kept, not from an abandoned edit.
  useEffect(() => {
    if (open) setDraft(actor);
  }, [open, actor]);
  const problem = actorProblem(draft);
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (problem) return;
    setActor(draft);
    onOpenChange(false);
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <form onSubmit={save} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Your name</DialogTitle>
            <DialogDescription>
              The catalog records it beside the versions you assign and deprecate, so your team knows who to ask. It is kept in
              this browser only. Behind your single sign-on the catalog records the name it signed you in with instead.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="actor-name">Name or email</Label>
            <Input
              id="actor-name"
              autoFocus
              autoComplete="email"
              placeholder="ana@example.com"
              maxLength={MAX_ACTOR + 1}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? "actor-problem" : undefined}
            />
            {problem && (
              <p id="actor-problem" className="text-xs text-destructive">
                {problem}
              </p>
            )}
            {!draft.trim() && <p className="text-xs text-muted-foreground">Left empty, your changes are recorded as anonymous.</p>}
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={Boolean(problem)}>
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
