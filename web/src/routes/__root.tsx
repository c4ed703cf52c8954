import { createRootRoute, Link } from "@tanstack/react-router";
import { AppShell } from "@/components/layout/app-shell";

export const Route = createRootRoute({
  component: AppShell,
  notFoundComponent: () => (
    <div className="space-y-2 py-12 text-center">
      <p className="text-lg font-medium">There is no such page.</p>
      <Link to="/" className="text-primary underline">
        Back to the metrics
      </Link>
    </div>
  ),
});
