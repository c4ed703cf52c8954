import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeCatalog, schemaA } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

describe("schema page", () => {
  it("groups fields by source and lists producers", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    expect(await screen.findByRole("region", { name: "data point fields" })).toHaveTextContent("http.request.method");
    expect(screen.getByRole("region", { name: "resource fields" })).toHaveTextContent("service.name");
    expect(screen.getByText("checkout")).toBeInTheDocument();
  });

  it("checks SemVer as you type and shows the server's refusal inline", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/schemas/${schemaA.schemaId}`, transport);
    await userEvent.click(await screen.findByRole("button", { name: /assign version/i }));
    const input = screen.getByLabelText("Version");
    await userEvent.type(input, "1.0");
    expect(screen.getByText(/three numbers/)).toBeInTheDocument();
    expect(input).toHaveAttribute("aria-invalid", "true");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    expect(calls.assignVersion).toEqual([]); // Not sent: the UI already knows.

    await userEvent.clear(input);
    await userEvent.type(input, "1.0.0");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(`already held by schema ${"b".repeat(32)}`);

    await userEvent.clear(input);
    await userEvent.type(input, "2.0.0-rc.1");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(calls.assignVersion).toEqual(["1.0.0", "2.0.0-rc.1"]);
  });

  it("shows not found for an unknown schema", async () => {
    renderAt(`/schemas/${"c".repeat(32)}`, fakeCatalog().transport);
    expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent("not found");
  });
});
