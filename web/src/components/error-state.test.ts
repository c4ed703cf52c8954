import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { screen, within } from "@testing-library/react";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";
import { codeName } from "./error-state";

describe("codeName", () => {
  it("reads Connect's codes in words", () => {
    expect(codeName(Code.Unavailable)).toBe("unavailable");
    expect(codeName(Code.InvalidArgument)).toBe("invalid argument");
    expect(codeName(Code.DeadlineExceeded)).toBe("deadline exceeded");
  });
  it("names an unknown code by number", () => expect(codeName(99 as Code)).toBe("code 99"));
});

describe("ErrorState", () => {
  it("says plainly what was not found, with the way back and no Retry: asking again gets the same answer", async () => {
    renderAt("/schemas/0123456789abcdef0123456789abcdef", fakeCatalog().transport);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not found");
    expect(alert).toHaveTextContent("Schema 0123456789abcdef0123456789abcdef not found.");
    expect(alert).not.toHaveTextContent("answered with an error");
    expect(within(alert).queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
    expect(within(alert).getByRole("link", { name: "Back to the metrics" })).toHaveAttribute("href", "/");
  });

  it("offers Retry when the catalog failed", async () => {
    renderAt("/", fakeCatalog({ failKeys: true }).transport);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The catalog answered with an error (unavailable)");
    expect(within(alert).getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
