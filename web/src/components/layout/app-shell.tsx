import { Link, Outlet, useRouterState } from "@tanstack/react-router";
import { Cat } from "lucide-react";
import { TooltipProvider } from "@/components/ui/tooltip";
import { parseSignal, signalNames, signalSearch, signalWords } from "@/lib/signal";
import { cn } from "@/lib/utils";

const nav = [
  { to: "/producers", label: "Producers" },
  { to: "/cardinality", label: "Cardinality" },
  { to: "/conformance", label: "Conformance" },
] as const;

const item = "rounded-md px-3 py-1.5 text-muted-foreground hover:bg-accent hover:text-foreground";
const active = "bg-accent !text-foreground font-medium";

/**
 * SignalLinks are Metrics, Spans and Logs: one list page, one signal at a
 * time, the signal in the URL. The one listed is marked whatever else the
 * URL holds (a search, a sort).
 */
function SignalLinks() {
  const listed = useRouterState({
    select: (s) => (s.location.pathname === "/" ? (parseSignal((s.location.search as { signal?: unknown }).signal) ?? "metric") : undefined),
  });
  return (
    <>
      {signalNames.map((name) => (
        <Link
          key={name}
          to="/"
          search={signalSearch(name)}
          activeOptions={{ exact: true, includeSearch: true }}
          className={cn(item, listed === name && active)}
          aria-current={listed === name ? "page" : undefined}
        >
          {signalWords[name].title}
        </Link>
      ))}
    </>
  );
}

/** AppShell is the frame of every page: the header with navigation, then the page. */
export function AppShell() {
  return (
    <TooltipProvider delayDuration={200}>
      <div className="min-h-screen min-w-[1024px] bg-muted/30">
        <header className="border-b bg-background">
          <div className="mx-auto flex h-14 max-w-7xl items-center gap-8 px-6">
            <Link to="/" className="flex items-center gap-2 font-semibold">
              <Cat className="h-5 w-5 text-primary" aria-hidden /> TallyCat
            </Link>
            <nav className="flex gap-1 text-sm" aria-label="Main">
              <SignalLinks />
              {nav.map((n) => (
                <Link key={n.to} to={n.to} className={item} activeProps={{ className: active }}>
                  {n.label}
                </Link>
              ))}
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-7xl px-6 py-6">
          <Outlet />
        </main>
      </div>
    </TooltipProvider>
  );
}
