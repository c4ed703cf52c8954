import { useEffect, useRef } from "react";

/**
 * typing says whether a key pressed on this element writes text: then "/"
 * is a slash in what the person types, never a shortcut.
 */
export function typing(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target.matches("input, textarea, select, [role='combobox'], [role='textbox']");
}

/**
 * searchBox is the page's search: the first element marked data-search, or
 * the first search input. A marked wrapper yields the input inside it.
 */
export function searchBox(root: ParentNode = document): HTMLElement | null {
  const marked = root.querySelector<HTMLElement>("[data-search], input[type='search']");
  if (!marked || marked.matches("input, textarea")) return marked;
  return marked.querySelector<HTMLElement>("input, textarea") ?? marked;
}

/** modalOpen says a dialog holds the focus: shortcuts must not reach the page behind it. */
const modalOpen = () => document.querySelector("[role='dialog'][data-state='open'], [role='alertdialog'][data-state='open']") !== null;

/** isPaletteKey is ⌘K on a Mac, Ctrl-K elsewhere (either works everywhere: people switch machines). */
export const isPaletteKey = (e: KeyboardEvent) => (e.metaKey || e.ctrlKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k";

/**
 * onShortcut handles the frame's keys: "/" focuses the page's search (or,
 * on a page without one, opens the palette), ⌘K / Ctrl-K opens the palette
 * from anywhere, inputs included, as in the tools people know it from,
 * but not over another dialog.
 * It returns whether it used the key.
 */
export function onShortcut(e: KeyboardEvent, openPalette: () => void): boolean {
  if (e.defaultPrevented || e.isComposing) return false;
  if (isPaletteKey(e)) {
    e.preventDefault(); // Chromium's Ctrl-K would search the web.
    // Not over another dialog (a version being assigned): one thing at a time.
    if (!modalOpen()) openPalette();
    return true;
  }
  if (e.key !== "/" || e.metaKey || e.ctrlKey || e.altKey || typing(e.target) || modalOpen()) return false;
  e.preventDefault(); // Firefox's "/" is quick find.
  const box = searchBox();
  if (box) {
    box.focus();
    if (box instanceof HTMLInputElement || box instanceof HTMLTextAreaElement) box.select();
  } else {
    openPalette();
  }
  return true;
}

/** useShortcuts listens for the frame's keys for as long as the shell is shown. */
export function useShortcuts(openPalette: () => void) {
  const open = useRef(openPalette);
  open.current = openPalette;
  useEffect(() => {
    const listener = (e: KeyboardEvent) => void onShortcut(e, () => open.current());
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);
}

/** paletteHint is how the palette's key reads on this machine. */
export function paletteHint(): string {
  const platform = typeof navigator === "undefined" ? "" : navigator.platform || navigator.userAgent;
  return /Mac|iPhone|iPad/.test(platform) ? "⌘K" : "Ctrl K";
}
