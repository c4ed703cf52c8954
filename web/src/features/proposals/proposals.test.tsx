import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeCatalog, schemaA, schemaD } from "@/test/fake-catalog";
import { proposalA } from "@/test/fake-proposals";
import { renderAt } from "@/test/render";

const SCHEMA = `/schemas/${schemaA.schemaId}`;

// The schema page loads its schema, then its proposals: more than the default 5 s on a busy machine.
describe("version proposals", { timeout: 15_000 }, () => {
  it("shows a schema's proposal: the version, its level, its base, what changed and the way to the diff", async () => {
    renderAt(SCHEMA, fakeCatalog().transport);
    const card = await screen.findByTestId("proposals-card", {}, { timeout: 5000 });
    const proposal = within(card).getByTestId("proposal");
    expect(proposal).toHaveAttribute("data-version", "0.10.0");
    expect(proposal).toHaveAttribute("data-level", "minor");
    expect(within(proposal).getByTestId("proposal-summary")).toHaveTextContent(
      "Proposed version 0.10.0 (minor) relative to 0.9.0 of schema dddddddd",
    );
    expect(within(proposal).getByRole("link", { name: "dddddddd" })).toHaveAttribute("href", `/schemas/${schemaD.schemaId}`);
    const changes = within(proposal).getByRole("list", { name: "Changes since 0.9.0" });
    expect(within(changes).getAllByRole("listitem").map((li) => li.textContent)).toEqual(proposalA.reasons);
    expect(within(proposal).getByTestId("proposal-diff-link")).toHaveAttribute(
      "href",
      `/metrics/${schemaA.schemaKey}?superseded=true&base=${schemaD.schemaId}&target=${schemaA.schemaId}#compare`,
    );
  });

  it("accepts a proposal in one click: the version and its history show it, the proposal goes", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(SCHEMA, transport);
    await userEvent.click(await screen.findByRole("button", { name: "Accept 0.10.0" }, { timeout: 5000 }));
    await waitFor(() => expect(screen.queryByTestId("proposals-card")).not.toBeInTheDocument());
    expect(calls.acceptProposal).toEqual(["0.10.0"]);
    expect(await screen.findByText("v0.10.0")).toBeInTheDocument();
    const history = screen.getByRole("list", { name: "Version history" });
    expect(within(history).getByText("0.10.0")).toBeInTheDocument();
    expect(history).toHaveTextContent("by anonymous");
  });

  it("dismisses a proposal with the reason given in the dialog", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(SCHEMA, transport);
    await userEvent.click(await screen.findByRole("button", { name: "Dismiss" }, { timeout: 5000 }));
    const dialog = screen.getByRole("dialog");
    expect(dialog).toHaveTextContent("Dismiss version 0.10.0");
    await userEvent.type(within(dialog).getByLabelText("Reason (optional)"), "a canary");
    await userEvent.click(within(dialog).getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.queryByTestId("proposals-card")).not.toBeInTheDocument());
    expect(calls.dismissProposal).toEqual([{ version: "0.10.0", reason: "a canary" }]);
    expect(calls.acceptProposal).toEqual([]);
  });

  it("shows the refusal of a proposal no longer made, and refreshes the list on retry", async () => {
    const { transport, calls } = fakeCatalog({ staleProposal: true });
    renderAt(SCHEMA, transport);
    await userEvent.click(await screen.findByRole("button", { name: "Accept 0.10.0" }, { timeout: 5000 }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("failed precondition");
    expect(alert).toHaveTextContent("has no proposal of version 0.10.0");
    await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(screen.queryByTestId("proposals-card")).not.toBeInTheDocument());
    expect(calls.acceptProposal).toEqual(["0.10.0"]); // Not asked again: the list was refreshed instead.
    expect(await screen.findByText("No version has been assigned yet.")).toBeInTheDocument();
  });

  it("lists a metric's proposals, each naming and linking its schema", async () => {
    renderAt(`/metrics/${schemaA.schemaKey}`, fakeCatalog().transport);
    const card = await screen.findByTestId("proposals-card", {}, { timeout: 5000 });
    const [proposal, ...rest] = within(card).getAllByTestId("proposal");
    expect(rest).toHaveLength(0);
    expect(within(proposal!).getByTestId("proposal-summary")).toHaveTextContent(
      "Proposed version 0.10.0 (minor) for schema aaaaaaaa relative to 0.9.0 of schema dddddddd",
    );
    expect(within(proposal!).getByRole("link", { name: "aaaaaaaa" })).toHaveAttribute("href", SCHEMA);
    expect(within(proposal!).getByRole("button", { name: "Accept 0.10.0" })).toBeEnabled();
  });

  it("shows no proposals card for a schema without proposals", async () => {
    renderAt(`/schemas/${schemaD.schemaId}`, fakeCatalog().transport);
    await screen.findByRole("list", { name: "Version history" }, { timeout: 5000 });
    await within(screen.getByTestId("findings-card")).findByTestId("no-findings");
    expect(screen.queryByTestId("proposals-card")).not.toBeInTheDocument();
  });
});

describe("the metric page's diff", { timeout: 15_000 }, () => {
  it("compares the schemas the URL names, and keeps a new choice in the URL", async () => {
    const { history } = renderAt(
      `/metrics/${schemaA.schemaKey}?superseded=true&base=${schemaD.schemaId}&target=${schemaA.schemaId}`,
      fakeCatalog().transport,
    );
    await screen.findByTestId("schema-diff", {}, { timeout: 5000 });
    expect(screen.getByRole("combobox", { name: "Base schema" })).toHaveTextContent("dddddddd");
    expect(screen.getByRole("combobox", { name: "Target schema" })).toHaveTextContent("aaaaaaaa");
    await userEvent.click(screen.getByRole("combobox", { name: "Base schema" }));
    await userEvent.click(await screen.findByRole("option", { name: /bbbbbbbb/ }));
    await waitFor(() => expect(history.location.search).toContain(`base=${schemaA.schemaId.replace(/a/g, "b")}`));
    expect(history.location.search).toContain(`target=${schemaA.schemaId}`);
  });
});
