// `make screenshots`: every page of the UI at 1440 and 800 pixels wide, in
// light and dark, on the demo's data, so anyone can look at the UI without
// running it by hand.
//
// It starts what `make demo` starts, on free loopback ports: the catalog
// (in memory, serving web/dist), the ingest and the demo fleet, both
// services sending their own metrics as `make run` does; waits for the
// fleet's metrics, spans and logs, cart's upgrade and a judging; gives
// checkout's request duration version 1.0.0 and deprecates payments' as a
// person would; then opens each page in Debian's Chromium as the
// end-to-end test does (lib.mjs), once per width and theme. The theme is
// the system's preference, emulated, which the UI follows.
//
// Usage: node e2e/screenshots.mjs [--out DIR] [--bin DIR]
// (defaults: ../screenshots and ../bin, from web/). The stack's logs are
// in DIR/stack.log. Exits 1 when a page could not be shot; pages that
// logged errors or did not show what they should are listed at the end.
import { mkdir, open, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, freeAddr, launchChromium, rpc, start } from "./lib.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : fallback;
};
const out = arg("--out", resolve(web, "../screenshots"));
const bin = arg("--bin", resolve(web, "../bin"));

const METRIC = "http.server.request.duration";
const UPGRADED = "cart.items.added";
const SPAN = "POST /cart/checkout";
const LOG_EVENT = "checkout.completed";
const ACTOR = "ana@example.com";
const WIDTHS = [1440, 800];
const THEMES = ["light", "dark"];

await mkdir(out, { recursive: true });
for (const f of await readdir(out, { recursive: true })) if (f.endsWith(".png")) await rm(join(out, f));
const log = await open(join(out, "stack.log"), "w");

const [catalogAddr, grpcAddr, httpAddr] = [await freeAddr(), await freeAddr(), await freeAddr()];
const base = `http://${catalogAddr}`;
const stops = [];
const stopAll = async () => {
  while (stops.length) await stops.pop()().catch(() => {});
};
process.on("SIGINT", () => stopAll().then(() => process.exit(130)));

let failed = false;
const problems = [];
try {
  stops.push(start(join(bin, "tallycat-catalog"), [
    "--listen", catalogAddr, "--db", ":memory:", "--ui-dir", join(web, "dist"),
    "--telemetry-otlp-endpoint", grpcAddr, "--conformance-interval", "10s",
  ], log.fd));
  stops.push(start(join(bin, "tallycat-ingest"), [
    "--catalog-url", base, "--otlp-grpc-listen", grpcAddr, "--otlp-http-listen", httpAddr,
    "--flush-interval", "200ms", "--telemetry-otlp-endpoint", grpcAddr,
  ], log.fd));
  await eventually("the catalog to answer", 30_000, () => rpc(base, "CatalogService/ListServices", {}));
  // The fleet exports every second and upgrades cart after 8 s, so that
  // its move shows on the timeline within the wait.
  stops.push(start(join(bin, "tallycat-demo"), ["--endpoint", grpcAddr, "--interval", "1s", "--upgrade-after", "8s"], log.fd));
  console.log(`stack on ${base}; waiting for the demo fleet's data`);

  const schemasOf = async (schemaKey, signal, includeSuperseded = false) =>
    (await rpc(base, "CatalogService/ListSchemas", { schemaKey, signal, includeSuperseded })).schemas ?? [];
  await eventually(`two schemas of ${METRIC}`, 60_000, async () => (await schemasOf(METRIC, "SIGNAL_METRIC")).length >= 2);
  // Checkout's release moves to the schema with error.type when one of its
  // requests first fails, seconds in: the version goes on the schema it
  // sends after that, not on the one it leaves.
  await eventually(`checkout's move on ${METRIC}`, 30_000, async () => (await schemasOf(METRIC, "SIGNAL_METRIC", true)).some((s) => s.superseded)).catch(
    (e) => console.log(`${e.message}; versioning the schemas current now`),
  );
  const durations = await schemasOf(METRIC, "SIGNAL_METRIC");
  const [spanSchema] = await eventually(`the span ${SPAN}`, 60_000, async () => (await schemasOf(SPAN, "SIGNAL_SPAN")).length && schemasOf(SPAN, "SIGNAL_SPAN"));
  const [logSchema] = await eventually(`the log event ${LOG_EVENT}`, 60_000, async () => (await schemasOf(LOG_EVENT, "SIGNAL_LOG")).length && schemasOf(LOG_EVENT, "SIGNAL_LOG"));
  await eventually(`cart's upgrade on ${UPGRADED}`, 60_000, async () => (await schemasOf(UPGRADED, "SIGNAL_METRIC", true)).length >= 2);
  await eventually("a judging with findings", 60_000, async () => (await rpc(base, "ConformanceService/ListFindings", { pageSize: 1 })).findings?.length);

  // Versions as the README's demo suggests: checkout's shape (seconds)
  // 1.0.0, payments' (milliseconds) given one and deprecated.
  const who = { "X-TallyCat-Actor": ACTOR };
  const checkout = durations.find((s) => s.unit === "s") ?? durations[0];
  const payments = durations.find((s) => s !== checkout);
  await rpc(base, "VersioningService/AssignVersion", { schemaId: checkout.schemaId, version: "1.0.0", reason: "reviewed by the platform team" }, who);
  await rpc(base, "VersioningService/AssignVersion", { schemaId: payments.schemaId, version: "0.9.0", reason: "as payments sends it" }, who);
  await rpc(base, "VersioningService/SetVersionStatus", { schemaId: payments.schemaId, status: "VERSION_STATUS_DEPRECATED", reason: "milliseconds: the conventions ask for seconds" }, who);

  // Each page, with what shows it has loaded (best effort: a page that
  // never shows it is shot all the same, and listed).
  const pages = [
    ["metrics", "/", "[data-testid=metric-row]"],
    ["spans", "/?signal=span", "[data-testid=span-row]"],
    ["logs", "/?signal=log", "[data-testid=log-row]"],
    ["metric", `/metrics/${encodeURIComponent(METRIC)}`, "[data-testid=schema-card]"],
    ["metric-upgraded", `/metrics/${encodeURIComponent(UPGRADED)}`, "[data-testid=timeline-event]"],
    ["schema", `/schemas/${checkout.schemaId}`, "[data-testid=field-row]"],
    ["schema-deprecated", `/schemas/${payments.schemaId}`, "[data-testid=field-row]"],
    ["span", `/metrics/${encodeURIComponent(SPAN)}?signal=span`, "[data-testid=schema-card]"],
    ["span-schema", `/schemas/${spanSchema.schemaId}`, "[data-testid=field-row]"],
    ["log-schema", `/schemas/${logSchema.schemaId}`, "[data-testid=field-row]"],
    ["producers", "/producers", "section, [role=region]"],
    ["cardinality", "/cardinality", "[data-testid=uplot-chart] canvas"],
    ["conformance", "/conformance", "[data-testid=finding]"],
    ["not-found", "/no/such/page", "[data-testid=not-found-page]"],
  ];

  const browser = await launchChromium();
  try {
    for (const width of WIDTHS) {
      for (const theme of THEMES) {
        const folder = join(out, `${width}-${theme}`);
        await mkdir(folder, { recursive: true });
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: theme });
        await context.addInitScript((name) => localStorage.setItem("tallycat-actor", name), ACTOR);
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        let current = "";
        page.on("pageerror", (e) => problems.push(`${width}-${theme} ${current}: page error: ${e.message}`));
        page.on("console", (m) => m.type() === "error" && problems.push(`${width}-${theme} ${current}: console: ${m.text()}`));
        for (const [i, [name, path, ready]] of pages.entries()) {
          current = name;
          const file = join(folder, `${String(i + 1).padStart(2, "0")}-${name}.png`);
          try {
            await page.goto(base + path);
            await page.locator(ready).first().waitFor().catch(() => problems.push(`${width}-${theme} ${name}: ${ready} never showed`));
            await settle(page);
            await page.screenshot({ path: file, fullPage: true });
          } catch (e) {
            failed = true;
            problems.push(`${width}-${theme} ${name}: not shot: ${e.message}`);
          }
        }
        // The palette, open over the list with a few names found.
        current = "palette";
        try {
          await page.goto(base + "/");
          await page.locator("[data-testid=metric-row]").first().waitFor();
          await page.keyboard.press("Control+k");
          await page.getByRole("combobox").fill("http");
          await page.getByRole("option").first().waitFor();
          await settle(page);
          await page.screenshot({ path: join(folder, `${String(pages.length + 1).padStart(2, "0")}-palette.png`) });
        } catch (e) {
          problems.push(`${width}-${theme} palette: ${e.message}`);
        }
        await context.close();
        console.log(`shot ${pages.length + 1} pages at ${width} px, ${theme}: ${folder}`);
      }
    }
  } finally {
    await browser.close();
  }
} catch (e) {
  failed = true;
  console.error(e.message);
} finally {
  await stopAll();
  await log.close();
}
if (problems.length) console.log(`\nto look at:\n${problems.map((p) => `- ${p}`).join("\n")}`);
console.log(`\nscreenshots in ${out} (the stack's log: ${join(out, "stack.log")})`);
process.exitCode = failed ? 1 : 0;

/** settle lets the last answers arrive and the layout come to rest before a shot. */
async function settle(page) {
  await page.waitForLoadState("networkidle", { timeout: 3_000 }).catch(() => {});
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}
