import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup, configure } from "@testing-library/react";

afterEach(() => cleanup());

// findBy* and waitFor wait up to 1 s by default: a page that renders in
// 0.3 s on a quiet laptop can take longer on a loaded 2-core CI machine
// (CI builds the Collector beside the tests). Waiting longer changes no
// assertion; it only stops a slow machine from failing a correct page.
configure({ asyncUtilTimeout: 5000 });

// jsdom lacks what Radix primitives probe for.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
Element.prototype.scrollIntoView ??= function () {};
Element.prototype.hasPointerCapture ??= () => false;
Element.prototype.releasePointerCapture ??= function () {};
