import { afterEach, describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ACTOR_KEY } from "@/lib/actor";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

afterEach(() => localStorage.clear());

describe("Your name", () => {
  it("asks for a name in the header, keeps it, and changes it", async () => {
    renderAt("/producers", fakeCatalog().transport);
    await userEvent.click(await screen.findByRole("button", { name: "Your name?" }));
    let dialog = screen.getByRole("dialog", { name: "Your name" });
    await userEvent.type(within(dialog).getByLabelText("Name or email"), "ana@example.com{Enter}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(localStorage.getItem(ACTOR_KEY)).toBe("ana@example.com");

    await userEvent.click(screen.getByRole("button", { name: "ana@example.com" }));
    dialog = screen.getByRole("dialog", { name: "Your name" });
    const input = within(dialog).getByLabelText("Name or email");
    expect(input).toHaveValue("ana@example.com");
    await userEvent.clear(input);
    await userEvent.type(input, "José");
    expect(within(dialog).getByText(/Try “Jose”/)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Save" })).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, "Jose Lima");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("button", { name: "Jose Lima" })).toBeInTheDocument();
    expect(localStorage.getItem(ACTOR_KEY)).toBe("Jose Lima");
  });

  it("starts from the name kept in this browser", async () => {
    localStorage.setItem(ACTOR_KEY, "platform-team");
    renderAt("/producers", fakeCatalog().transport);
    expect(await screen.findByRole("button", { name: "platform-team" })).toBeInTheDocument();
  });
});
