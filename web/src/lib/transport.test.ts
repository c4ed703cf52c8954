import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { CatalogService } from "@/gen/tallycat/v1/catalog_service_pb";
import { ACTOR_HEADER, ACTOR_KEY, actorProblem, saveActor } from "./actor";
import { makeTransport } from "./transport";

/** sent runs one call through the UI's transport and returns the headers the catalog would have received. */
async function sent(): Promise<Headers> {
  let headers = new Headers();
  const fetch = async (_: RequestInfo | URL, init?: RequestInit) => {
    headers = new Headers(init?.headers);
    return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
  };
  await createClient(CatalogService, makeTransport("http://catalog.test", fetch as typeof globalThis.fetch)).listServices({});
  return headers;
}

afterEach(() => localStorage.clear());

describe("the actor on requests", () => {
  it("names the person on every request, from the name kept in this browser", async () => {
    expect((await sent()).has(ACTOR_HEADER)).toBe(false);
    saveActor("  ana@example.com ");
    expect(localStorage.getItem(ACTOR_KEY)).toBe("ana@example.com");
    expect((await sent()).get(ACTOR_HEADER)).toBe("ana@example.com");
    // A new name applies to the next request, without a reload.
    saveActor("Ana Lima");
    expect((await sent()).get(ACTOR_HEADER)).toBe("Ana Lima");
    saveActor("");
    expect((await sent()).has(ACTOR_HEADER)).toBe(false);
  });

  it("leaves out a name a header cannot carry rather than failing the request", async () => {
    localStorage.setItem(ACTOR_KEY, "李娜");
    expect((await sent()).has(ACTOR_HEADER)).toBe(false);
  });

  it("says why a name cannot be sent, with an ASCII spelling where there is one", () => {
    expect(actorProblem("ana@example.com")).toBeUndefined();
    expect(actorProblem("José")).toContain("Try “Jose”");
    expect(actorProblem("李娜")).toContain("An email address works");
    expect(actorProblem("a".repeat(257))).toBe("At most 256 characters.");
  });
});
