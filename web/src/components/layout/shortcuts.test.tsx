import { describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";
import { onShortcut } from "./shortcuts";

/** press sends a key to an element as the browser would, and says whether a shortcut took it. */
function press(target: Element, key: string, more: KeyboardEventInit = {}) {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...more });
  let opened = false;
  target.addEventListener("keydown", (ev) => onShortcut(ev as KeyboardEvent, () => (opened = true)), { once: true });
  target.dispatchEvent(e);
  return { used: e.defaultPrevented, opened };
}

describe("the / key", () => {
  it("focuses the page's search, and selects what it holds", () => {
    render(
      <div>
        <input aria-label="Other" />
        <input aria-label="Search metrics" data-search defaultValue="http" />
      </div>,
    );
    const { used, opened } = press(document.body, "/");
    expect(used).toBe(true);
    expect(opened).toBe(false);
    const search = screen.getByLabelText("Search metrics") as HTMLInputElement;
    expect(search).toHaveFocus();
    expect([search.selectionStart, search.selectionEnd]).toEqual([0, 4]);
  });

  it("finds a search input, or the input inside a marked box", () => {
    render(<input type="search" aria-label="Find" />);
    press(document.body, "/");
    expect(screen.getByLabelText("Find")).toHaveFocus();
    cleanup();
    render(
      <div data-search>
        <input aria-label="Inside" />
      </div>,
    );
    press(document.body, "/");
    expect(screen.getByLabelText("Inside")).toHaveFocus();
  });

  it("is a slash, not a shortcut, while typing in an input or a text area", async () => {
    render(
      <div>
        <input aria-label="Reason" />
        <textarea aria-label="Notes" />
        <input aria-label="Search metrics" data-search />
      </div>,
    );
    for (const name of ["Reason", "Notes"]) {
      const field = screen.getByLabelText(name);
      field.focus();
      expect(press(field, "/")).toEqual({ used: false, opened: false });
      expect(field).toHaveFocus();
    }
    // Typed for real, the slash lands in the text.
    await userEvent.type(screen.getByLabelText("Reason"), "a/b");
    expect(screen.getByLabelText("Reason")).toHaveValue("a/b");
  });

  it("leaves Ctrl-/ and the like to the browser", () => {
    render(<input aria-label="Search" data-search />);
    expect(press(document.body, "/", { ctrlKey: true }).used).toBe(false);
    expect(screen.getByLabelText("Search")).not.toHaveFocus();
  });

  it("opens the palette on a page without a search box", () => {
    expect(press(document.body, "/")).toEqual({ used: true, opened: true });
  });
});

describe("⌘K and Ctrl-K", () => {
  it("open the palette from anywhere, an input included", () => {
    render(<input aria-label="Reason" />);
    expect(press(document.body, "k", { metaKey: true })).toEqual({ used: true, opened: true });
    const field = screen.getByLabelText("Reason");
    field.focus();
    expect(press(field, "k", { ctrlKey: true })).toEqual({ used: true, opened: true });
  });
});

describe("the frame", () => {
  it("opens the palette from the keyboard on every page", async () => {
    renderAt("/producers", fakeCatalog().transport);
    await screen.findByRole("navigation", { name: "Main" });
    fireEvent.keyDown(document.body, { key: "k", ctrlKey: true });
    const palette = await screen.findByRole("dialog");
    expect(within(palette).getByRole("combobox")).toHaveFocus();
  });

  it("says which address has no page, and leads home", async () => {
    const { history } = renderAt("/no/such/page", fakeCatalog().transport);
    const page = await screen.findByTestId("not-found-page");
    expect(within(page).getByRole("heading", { level: 1 })).toHaveTextContent("TallyCat has no page at /no/such/page");
    // The frame stays: the navigation is there to go on from.
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
    await userEvent.click(within(page).getByRole("link", { name: "Back to the metrics" }));
    await waitFor(() => expect(history.location.pathname).toBe("/"));
    expect(await screen.findAllByTestId("metric-row")).toHaveLength(2);
  });
});
