import { useCallback, useSyncExternalStore } from "react";

/**
 * The person's name, as they gave it, kept in this browser. The catalog
 * records it as the actor of the versions they assign and deprecate (the
 * X-TallyCat-Actor header, see transport.ts). It is a label, not a
 * sign-in: behind a single sign-on proxy the catalog records the proxy's
 * name for the person instead.
 */
export const ACTOR_KEY = "tallycat-actor";
export const ACTOR_HEADER = "X-TallyCat-Actor";
/** MAX_ACTOR is the longest name the catalog records whole. */
export const MAX_ACTOR = 256;

const changed = "tallycat-actor-changed";

/** readActor is the name kept, or "" when none was given (or storage is off). */
export function readActor(): string {
  try {
    return (localStorage.getItem(ACTOR_KEY) ?? "").trim();
  } catch {
    return "";
  }
}

/** saveActor keeps a name; an empty one forgets it. */
export function saveActor(name: string) {
  const n = name.trim();
  try {
    if (n) localStorage.setItem(ACTOR_KEY, n);
    else localStorage.removeItem(ACTOR_KEY);
  } catch {
    // Private windows may refuse storage: the name then lasts the page only.
  }
  // The storage event reaches other tabs only; this one hears its own.
  window.dispatchEvent(new Event(changed));
}

/**
 * actorProblem says why a name cannot be sent, or undefined when it can.
 * A browser sends header values as Latin-1 bytes, which the catalog would
 * read as broken UTF-8, so a name must be printable ASCII; where dropping
 * accents makes it so, the problem suggests that spelling.
 */
export function actorProblem(name: string): string | undefined {
  const n = name.trim();
  if (n.length > MAX_ACTOR) return `At most ${MAX_ACTOR} characters.`;
  if (/^[\x20-\x7E]*$/.test(n)) return undefined;
  const plain = n.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const hint = /^[\x20-\x7E]+$/.test(plain) ? ` Try “${plain}”.` : " An email address works.";
  return `The name travels in a request header, which takes unaccented Latin letters, digits and punctuation only.${hint}`;
}

function subscribe(onChange: () => void) {
  const onStorage = (e: StorageEvent) => e.key === ACTOR_KEY && onChange();
  window.addEventListener(changed, onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(changed, onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** useActor is the name kept, kept up to date across tabs, and a way to change it. */
export function useActor(): [string, (name: string) => void] {
  const name = useSyncExternalStore(subscribe, readActor, () => "");
  return [name, useCallback((n: string) => saveActor(n), [])];
}
