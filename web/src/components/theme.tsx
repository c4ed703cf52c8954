import type { ReactNode } from "react";
import { ThemeProvider as NextThemes, useTheme } from "next-themes";
import { Monitor, Moon, Sun } from "lucide-react";
import { cn } from "@/lib/utils";

/**
 * THEME_KEY is where the choice is kept in localStorage. index.html reads
 * the same key before the app loads, so the page is painted in the right
 * theme from the first frame: change both together.
 */
export const THEME_KEY = "tallycat-theme";

export type ThemeChoice = "system" | "light" | "dark";

/**
 * ThemeProvider follows the system's preference until a person chooses,
 * keeps the choice, and follows it across tabs. next-themes does the
 * bookkeeping (the class on <html>, color-scheme for native controls, the
 * system preference changing while the page is open).
 */
export function ThemeProvider({ children }: { children: ReactNode }) {
  return (
    <NextThemes attribute="class" storageKey={THEME_KEY} defaultTheme="system" enableSystem disableTransitionOnChange>
      {children}
    </NextThemes>
  );
}

const choices: { value: ThemeChoice; label: string; Icon: typeof Sun }[] = [
  { value: "system", label: "System theme", Icon: Monitor },
  { value: "light", label: "Light theme", Icon: Sun },
  { value: "dark", label: "Dark theme", Icon: Moon },
];

/** ThemeSwitch is the header's three-way choice: the system's theme, light or dark. */
export function ThemeSwitch({ className }: { className?: string }) {
  const { theme, setTheme } = useTheme();
  const current = (theme ?? "system") as ThemeChoice;
  return (
    <div role="group" aria-label="Theme" className={cn("flex items-center rounded-md border bg-background p-0.5", className)}>
      {choices.map(({ value, label, Icon }) => (
        <button
          key={value}
          type="button"
          aria-label={label}
          aria-pressed={current === value}
          title={label}
          onClick={() => setTheme(value)}
          className={cn(
            "rounded-[5px] p-1.5 text-muted-foreground transition-colors hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
            current === value && "bg-accent text-foreground",
          )}
        >
          <Icon className="h-3.5 w-3.5" aria-hidden />
        </button>
      ))}
    </div>
  );
}

/** useThemeChoice is the theme chosen and a way to choose another, for the command palette. */
export function useThemeChoice(): [ThemeChoice, (t: ThemeChoice) => void] {
  const { theme, setTheme } = useTheme();
  return [(theme ?? "system") as ThemeChoice, setTheme];
}
