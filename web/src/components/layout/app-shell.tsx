import { Link, Outlet } from "@tanstack/react-router";
import { Cat } from "lucide-react";
import { TooltipProvider } from "@/components/ui/tooltip";

const nav = [
  { to: "/", label: "Metrics" },
  { to: "/producers", label: "Producers" },
  { to: "/cardinality", label: "Cardinality" },
  { to: "/conformance", label: "Conformance" },
] as const;

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
              {nav.map((item) => (
                <Link
                  key={item.to}
                  to={item.to}
                  activeOptions={{ exact: item.to === "/" }}
                  className="rounded-md px-3 py-1.5 text-muted-foreground hover:bg-accent hover:text-foreground"
                  activeProps={{ className: "bg-accent !text-foreground font-medium" }}
                >
                  {item.label}
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
