// What the UI's scripts in Chromium share: the end-to-end test
// (ui.e2e.mjs) and the screenshots (screenshots.mjs).
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * The flags Debian's Chromium needs here (see /work/shared/TOOLCHAIN.md):
 * headless without a sandbox or a GPU, and nothing fetched behind the
 * test's back. playwright starts it on a new, empty profile of its own.
 */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** launchChromium starts Debian's Chromium (or $CHROMIUM) for playwright-core. */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** check throws unless cond holds, and says what held. */
export function check(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
  console.log(`ok: ${what}`);
}

/** words is an element's text with its white space collapsed. */
export const words = async (locator) => (await locator.textContent()).replace(/\s+/g, " ").trim();

/** freeAddr is a loopback address with a port nothing listens on, as the Go tests' testenv.FreeAddr. */
export function freeAddr() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

/**
 * rpc calls a catalog method with Connect's JSON protocol, as buf curl
 * does: rpc(base, "CatalogService/ListSchemaKeys", {query: "http"}).
 */
export async function rpc(base, method, body = {}, headers = {}) {
  const res = await fetch(`${base}/tallycat.v1.${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** eventually retries fn until it returns something truthy, or throws after timeout ms. */
export async function eventually(what, timeout, fn) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/**
 * start runs a process with its output in a log, and returns a stop that
 * sends SIGTERM and waits for it to end. A process that ends before it is
 * stopped is reported, with where its log is.
 */
export function start(file, args, log) {
  const child = spawn(file, args, { stdio: ["ignore", log, log] });
  let stopping = false;
  const ended = new Promise((resolve) => child.on("exit", resolve));
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`${file} ended early (${signal ?? code}); see its log`);
  });
  return async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await ended;
  };
}
