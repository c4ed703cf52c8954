import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog } from "@/test/fake-catalog";
import { logSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

const rowOf = (region: HTMLElement, name: string) =>
  within(region)
    .getAllByTestId("field-row")
    .find((r) => r.querySelector("code")?.textContent === name)!;

describe("log schema page", () => {
  it("shows the severity fields with their values and shares", async () => {
    renderAt(`/schemas/${logSchema.schemaId}`, fakeCatalog().transport);
    const severity = await screen.findByRole("region", { name: "severity fields" });
    const text = rowOf(severity, "severity_text");
    expect(within(text).getByRole("list", { name: "Values of severity_text" })).toBeInTheDocument();
    expect(within(text).getAllByTestId("example-value").map((v) => v.textContent)).toEqual(["INFO70 %", "WARN30 %"]);
    expect(within(rowOf(severity, "severity_number")).getAllByTestId("example-value").map((v) => v.textContent)).toEqual(["970 %", "1330 %"]);
    expect(screen.getByRole("heading", { name: "Log schema checkout 1.4.2" })).toBeInTheDocument();
    expect(screen.getByLabelText("Metadata")).toHaveTextContent("Event nameapp.login");
    expect(screen.getByLabelText("Metadata")).toHaveTextContent("Log records120");
    expect(screen.getByLabelText("Metadata")).not.toHaveTextContent(/Unit|Temporality|Kind/);
  });

  it("shows the body's type and its keys with their types and presence, never their values", async () => {
    renderAt(`/schemas/${logSchema.schemaId}`, fakeCatalog().transport);
    const body = await screen.findByRole("region", { name: "body fields" });
    expect(within(body).getAllByTestId("field-row").map((r) => r.querySelector("code")?.textContent)).toEqual(["body", "body.attempts", "body.page.url"]);
    expect(rowOf(body, "body")).toHaveTextContent("map");
    expect(rowOf(body, "body")).toHaveTextContent("always");
    expect(rowOf(body, "body.page.url")).toHaveTextContent("string");
    expect(within(rowOf(body, "body.page.url")).getByTestId("field-presence")).toHaveAttribute("title", "On 60 % of the schema's log records");
    expect(within(body).queryByRole("columnheader", { name: "Values" })).not.toBeInTheDocument();
    for (const name of ["body", "body.attempts", "body.page.url"]) {
      expect(within(rowOf(body, name)).getByTestId("not-counted")).toHaveAttribute("title", expect.stringContaining("never leave the ingest"));
      expect(within(rowOf(body, name)).queryByTestId("distinct-values")).not.toBeInTheDocument();
    }

    const record = screen.getByRole("region", { name: "log record fields" });
    expect(within(rowOf(record, "user.role")).getAllByTestId("example-value")).toHaveLength(2);
    expect(screen.queryByTestId("by-scope-note")).not.toBeInTheDocument();
    expect(screen.getByTestId("schema-cost")).not.toHaveTextContent("Series");
  });

  it("shows the log's record rate and bytes a minute, and no estimate without a log price", async () => {
    renderAt(`/schemas/${logSchema.schemaId}`, fakeCatalog().transport);
    const cost = await screen.findByTestId("schema-cost");
    expect(cost).toHaveTextContent("Rate2/min");
    expect(cost).toHaveTextContent("Log records in the last hour120");
    expect(cost).toHaveTextContent("Bytes800 B/min");
    expect(within(cost).getByText("800 B/min").parentElement).toHaveAttribute("title", expect.stringContaining("48,000 bytes of log records"));
    expect(cost).not.toHaveTextContent("Monthly");
    const record = screen.getByRole("region", { name: "log record fields" });
    expect(within(rowOf(record, "user.role")).getByTestId("distinct-values")).toHaveTextContent("2");
  });
});
