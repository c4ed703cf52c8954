// The UI, end to end, in Debian's Chromium driven by playwright-core.
// Usage: node e2e/ui.e2e.mjs <catalog URL> <screenshot folder>
// The catalog must hold http.server.request.duration with two current
// schemas that differ in the type of http.response.status_code, one of
// which has error.type sometimes present, and the schema checkout's release
// moved from when it sent error.type, and the cost figures of issue 12:
// the metric's series counted, and http.request.method's values GET and
// POST kept on the schema with error.type (the Go test arranges it and
// waits for them).
import { chromium } from "playwright-core";
import { join } from "node:path";

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error("usage: node e2e/ui.e2e.mjs <catalog URL> <screenshot folder>");
  process.exit(2);
}
const METRIC = "http.server.request.duration";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  // playwright starts Chromium on a new, empty profile of its own.
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(10_000);
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

let n = 0;
async function shot(name) {
  n += 1;
  const file = join(out, `${String(n).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}
/** isFigure says a series figure was counted: 7, 950, 5.0k, 12M; not a dash, not 0. */
const isFigure = (t) => /^\d+(\.\d)?[kMBT]?$/.test(t) && t !== "0";
function check(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
  console.log(`ok: ${what}`);
}

try {
  // The metrics page lists the metric, flagged as diverging.
  await page.goto(base + "/");
  const row = page.getByTestId("metric-row").filter({ hasText: METRIC });
  await row.waitFor();
  check((await row.textContent()).includes("2 schemas"), "the metric with two schemas says so");
  check((await page.getByTestId("metric-row").count()) === 2, "two metrics are listed");
  const rowSeries = (await row.getByTestId("metric-series").textContent()).trim();
  check(isFigure(rowSeries), `the metric's row shows its series (${rowSeries})`);
  await shot("metrics");

  // Search narrows the list and is kept in the URL.
  await page.getByLabel("Search metrics").fill("active");
  await page.waitForURL(/q=active/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="metric-row"]').length === 1);
  check(true, "searching 'active' leaves one metric and puts q=active in the URL");
  await shot("search");
  await page.getByLabel("Search metrics").fill("duration");
  await page.waitForURL(/q=duration/);

  // The metric page shows both schemas side by side and their diff.
  await page.getByRole("link", { name: METRIC }).click();
  await page.waitForURL(/\/metrics\//);
  await page.getByTestId("schema-card").nth(1).waitFor();
  check((await page.getByTestId("schema-card").count()) === 2, "the metric page shows two schema cards");
  const diff = page.getByTestId("schema-diff");
  await diff.locator('[data-kind="changed"]').waitFor();
  const changed = await diff.locator('[data-kind="changed"]').textContent();
  check(changed.includes("http.response.status_code") && changed.includes("int") && changed.includes("string"),
    "the diff shows http.response.status_code changed between int and string");
  await shot("metric-and-diff");

  // error.type came with checkout's failed requests only: one schema, the
  // attribute sometimes present, not a schema of its own.
  const presence = page.getByTestId("schema-card").filter({ hasText: "error.type" }).getByTestId("field-presence");
  const presenceTexts = await presence.allTextContents();
  check(presenceTexts.some((t) => /sometimes · \d+ %/.test(t)), `error.type is shown as sometimes present (${presenceTexts.join(", ")})`);

  // History: the schema checkout's release moved away from.
  const history = page.getByRole("switch", { name: "Show superseded" });
  await history.click();
  await page.waitForURL(/superseded=true/);
  await page.getByTestId("schema-card").nth(2).waitFor();
  const superseded = page.locator('[data-testid="schema-card"][data-superseded="true"]');
  check((await superseded.count()) === 1, "the history switch shows the one superseded schema");
  check((await superseded.getByTestId("moved-to").textContent()).includes("moved to"), "the superseded schema says where its release moved");
  const moved = page.locator('[data-testid="timeline-event"][data-kind="producer-moved"]');
  await moved.first().waitFor();
  check((await moved.first().textContent()).includes("added error.type (string)"), "the timeline shows checkout's move and what it added");
  await shot("metric-history");
  await history.click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema-card"]').length === 2);

  // Open the schema whose status code is an int, and assign it a version.
  const cards = page.getByTestId("schema-card");
  const intIndex = (await cards.nth(0).textContent()).includes("status_codeint") ? 0 : 1;
  const intCard = cards.nth(intIndex);
  const otherCard = cards.nth(1 - intIndex);
  const otherId = await otherCard.getByRole("link").first().getAttribute("href");
  await intCard.getByRole("link").first().click();
  await page.waitForURL(/\/schemas\//);

  // Its fields show their values: checkout sent http.request.method as GET
  // and as POST, each listed with its share of the field's data points.
  const method = page.getByTestId("field-row").filter({ has: page.locator("code", { hasText: /^http\.request\.method$/ }) });
  await method.getByTestId("example-value").nth(1).waitFor();
  const methodValues = await method.getByTestId("example-value").allTextContents();
  const listed = (v) => methodValues.some((t) => new RegExp(`^${v}(\\d+|<1|>99) %$`).test(t.trim()));
  check(listed("GET") && listed("POST"), `http.request.method lists GET and POST with their shares (${methodValues.join(", ")})`);
  check((await method.getByTestId("distinct-values").textContent()).trim() === "2", "http.request.method has 2 distinct values");
  const schemaSeries = (await page.getByTestId("schema-cost").locator("dd").first().textContent()).trim();
  check(isFigure(schemaSeries), `the schema shows its series (${schemaSeries})`);
  await shot("schema-values");
  await page.getByRole("button", { name: "Assign version" }).click();
  const version = page.getByLabel("Version", { exact: true });
  await version.fill("1.0");
  await page.getByText("A version has three numbers").waitFor();
  check((await version.getAttribute("aria-invalid")) === "true", "'1.0' is flagged as not SemVer while typing");
  await shot("invalid-version");
  await version.fill("1.0.0");
  await page.getByLabel(/^Reason/).fill("reviewed by the platform team");
  await page.getByRole("button", { name: "Assign", exact: true }).click();
  await page.getByRole("dialog").waitFor({ state: "detached" });
  await page.getByText("v1.0.0").first().waitFor();
  check(true, "version 1.0.0 is assigned");

  // It is kept: reload and see it, with its history.
  await page.reload();
  await page.getByText("v1.0.0").first().waitFor();
  await page.getByRole("list", { name: "Version history" }).getByText("reviewed by the platform team").waitFor();
  check(true, "after a reload the version and its reason are still there");
  await shot("schema-versioned");

  // The other schema of the metric cannot take the same version: the
  // server's error is shown in the dialog.
  await page.goto(base + otherId);
  await page.getByRole("button", { name: "Assign version" }).click();
  await page.getByLabel("Version", { exact: true }).fill("1.0.0");
  await page.getByRole("button", { name: "Assign", exact: true }).click();
  const alert = page.getByRole("dialog").getByRole("alert");
  await alert.waitFor();
  check((await alert.textContent()).includes("already held by schema"), "assigning a held version shows the server's already-exists error");
  await shot("version-conflict");
  await page.keyboard.press("Escape");

  // The producers page lists both services.
  await page.goto(base + "/producers");
  await page.getByRole("region", { name: "Service payments" }).waitFor();
  check((await page.getByRole("region", { name: /^Service / }).count()) === 2, "the producers page lists both services");
  await shot("producers");

  // The Cardinality page: the metric among those with the most series,
  // linked to its page, and its last 24 hours plotted.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cardinality" }).click();
  await page.waitForURL(/\/cardinality/);
  const top = page.getByTestId("top-metric").filter({ hasText: METRIC });
  await top.waitFor();
  const topSeries = (await top.getByTestId("series").textContent()).trim();
  check(isFigure(topSeries), `the Cardinality page lists ${METRIC} among the top metrics with its series (${topSeries})`);
  check((await top.getByRole("link", { name: METRIC }).getAttribute("href")) === "/metrics/" + METRIC, "the top metric links to its page");
  await top.getByRole("button", { name: "Plot " + METRIC }).click();
  await page.getByTestId("series-summary").waitFor();
  check((await page.locator('[data-testid="uplot-chart"] canvas').count()) > 0, `uPlot draws ${METRIC}'s series over the last 24 hours`);
  await shot("cardinality");

  // A narrow but supported window still lays out.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(base + "/metrics/" + METRIC);
  await page.getByTestId("schema-card").nth(1).waitFor();
  await shot("metric-1024px");

  if (problems.length) throw new Error(problems.join("\n"));
  console.log("all UI checks passed");
} catch (e) {
  await shot("failure").catch(() => {});
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
