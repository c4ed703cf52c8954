import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import page from "../../index.html?raw";
import { THEME_KEY, ThemeProvider, ThemeSwitch } from "./theme";

/** prefers stubs the system's preference, which jsdom does not have. */
function prefers(scheme: "dark" | "light") {
  vi.stubGlobal("matchMedia", (query: string) => ({
    matches: query === "(prefers-color-scheme: dark)" && scheme === "dark",
    media: query,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
  }));
}

const html = document.documentElement;

beforeEach(() => {
  localStorage.clear();
  html.className = "";
});
afterEach(() => vi.unstubAllGlobals());

describe("the theme", () => {
  it("follows the system until a person chooses, and keeps the choice", async () => {
    prefers("dark");
    const { unmount } = render(
      <ThemeProvider>
        <ThemeSwitch />
      </ThemeProvider>,
    );
    await waitFor(() => expect(html).toHaveClass("dark"));
    expect(screen.getByRole("button", { name: "System theme" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.click(screen.getByRole("button", { name: "Light theme" }));
    await waitFor(() => expect(html).not.toHaveClass("dark"));
    expect(html).toHaveClass("light");
    expect(localStorage.getItem(THEME_KEY)).toBe("light");
    expect(screen.getByRole("button", { name: "Light theme" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "System theme" })).toHaveAttribute("aria-pressed", "false");

    // The next visit starts where this one left off, against the system.
    unmount();
    render(
      <ThemeProvider>
        <ThemeSwitch />
      </ThemeProvider>,
    );
    expect(screen.getByRole("button", { name: "Light theme" })).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(screen.getByRole("button", { name: "Dark theme" }));
    await waitFor(() => expect(html).toHaveClass("dark"));
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
  });

  /**
   * index.html's inline script sets the class before the app loads, so a
   * dark page never flashes white: run it as the browser would.
   */
  describe("before the app loads", () => {
    const boot = (() => {
      const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1];
      if (!script) throw new Error("index.html has no inline script");
      return () => new Function(script)();
    })();

    it("uses the system's preference when nothing was chosen", () => {
      prefers("dark");
      boot();
      expect(html).toHaveClass("dark");
      prefers("light");
      boot();
      expect(html).toHaveClass("light");
      expect(html).not.toHaveClass("dark");
    });

    it("uses the choice kept, whatever the system prefers", () => {
      prefers("light");
      localStorage.setItem(THEME_KEY, "dark");
      boot();
      expect(html).toHaveClass("dark");
      prefers("dark");
      localStorage.setItem(THEME_KEY, "light");
      boot();
      expect(html).not.toHaveClass("dark");
    });
  });
});
