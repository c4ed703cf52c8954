import { useCallback, useSyncExternalStore } from "react";

/**
 * TallyCat reports its own metrics (the catalog's and the ingest's, as
 * services tallycat-catalog and tallycat-ingest) into the catalog it
 * serves. They are worth looking at when TallyCat itself is in question,
 * but in a small fleet they outnumber a team's own: the lists, Producers,
 * Cardinality and Conformance leave them out unless the person asks, and
 * the catalog leaves them out (exclude_self_telemetry) so that paging and
 * counts stay right. The choice is kept in this browser, one for every
 * page, so that it follows the person from page to page and across
 * visits.
 */
export const SHOW_SELF_KEY = "tallycat-show-self";

const changed = "tallycat-show-self-changed";

/** readShowSelf is whether TallyCat's own telemetry is shown: off unless chosen. */
export function readShowSelf(): boolean {
  try {
    return localStorage.getItem(SHOW_SELF_KEY) === "true";
  } catch {
    return false;
  }
}

/** saveShowSelf keeps the choice; hiding, the default, is kept as no choice. */
export function saveShowSelf(show: boolean) {
  try {
    if (show) localStorage.setItem(SHOW_SELF_KEY, "true");
    else localStorage.removeItem(SHOW_SELF_KEY);
  } catch {
    // Private windows may refuse storage: the choice then lasts the page only.
  }
  window.dispatchEvent(new Event(changed));
}

function subscribe(onChange: () => void) {
  const onStorage = (e: StorageEvent) => e.key === SHOW_SELF_KEY && onChange();
  window.addEventListener(changed, onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(changed, onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** useShowSelf is whether TallyCat's own telemetry is shown, kept up to date across pages and tabs, and a way to change it. */
export function useShowSelf(): [boolean, (show: boolean) => void] {
  const show = useSyncExternalStore(subscribe, readShowSelf, () => false);
  return [show, useCallback((s: boolean) => saveShowSelf(s), [])];
}
