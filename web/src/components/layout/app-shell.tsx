import { useState } from "react";
import { Link, Outlet, useRouterState } from "@tanstack/react-router";
import { Cat, Search } from "lucide-react";
import { CommandPalette } from "@/components/command/command-palette";
import { ThemeSwitch } from "@/components/theme";
import { TooltipProvider } from "@/components/ui/tooltip";
import { parseSignal, signalNames, signalSearch, signalWords } from "@/lib/signal";
import { cn } from "@/lib/utils";
import { ActorControl } from "./actor-control";
import { paletteHint, useShortcuts } from "./shortcuts";

const nav = [
  { to: "/producers", label: "Producers" },
  { to: "/cardinality", label: "Cardinality" },
  { to: "/conformance", label: "Conformance" },
  { to: "/consumers", label: "Consumers" },
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

/** PaletteButton opens the command palette, and says its key. */
function PaletteButton({ onClick }: { onClick: () => void }) {
  const hint = paletteHint();
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label="Open the command palette"
      aria-keyshortcuts="Meta+K Control+K"
      title={`Go to a metric, span, log event or page (${hint})`}
      className="flex h-8 items-center gap-2 rounded-md border bg-background px-2.5 text-sm text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      <Search className="h-3.5 w-3.5" aria-hidden />
      <span className="hidden lg:inline">Go to…</span>
      <kbd className="rounded border bg-muted px-1.5 font-sans text-[11px] leading-4">{hint}</kbd>
    </button>
  );
}

/**
 * AppShell is the frame of every page: the header with navigation, the
 * palette, the theme and who the person is, then the page. From 1280
 * pixels the header is one row; narrower, the navigation takes a row of
 * its own under the logo and the controls, so nothing is cut at 800.
 */
export function AppShell() {
  const [palette, setPalette] = useState(false);
  const [askName, setAskName] = useState(false);
  useShortcuts(() => setPalette(true));
  return (
    <TooltipProvider delayDuration={200}>
      <div className="min-h-screen min-w-[768px] bg-muted/30">
        <header className="border-b bg-background">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-1.5 px-4 py-2 sm:px-6 xl:h-14 xl:flex-nowrap xl:py-0">
            <Link to="/" className="order-1 flex shrink-0 items-center gap-2 font-semibold">
              <Cat className="h-5 w-5 text-primary" aria-hidden /> TallyCat
            </Link>
            <nav className="order-3 -mx-3 flex w-[calc(100%+1.5rem)] gap-1 text-sm xl:order-2 xl:mx-0 xl:w-auto" aria-label="Main">
              <SignalLinks />
              {nav.map((n) => (
                <Link key={n.to} to={n.to} className={item} activeProps={{ className: active }}>
                  {n.label}
                </Link>
              ))}
            </nav>
            <div className="order-2 ml-auto flex items-center gap-2 xl:order-3">
              <PaletteButton onClick={() => setPalette(true)} />
              <ThemeSwitch />
              <ActorControl open={askName} onOpenChange={setAskName} />
            </div>
          </div>
        </header>
        <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
          <Outlet />
        </main>
        <CommandPalette open={palette} onOpenChange={setPalette} onAskName={() => setAskName(true)} />
      </div>
    </TooltipProvider>
  );
}
