import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { codeName } from "./error-state";

describe("codeName", () => {
  it("reads Connect's codes in words", () => {
    expect(codeName(Code.Unavailable)).toBe("unavailable");
    expect(codeName(Code.InvalidArgument)).toBe("invalid argument");
    expect(codeName(Code.DeadlineExceeded)).toBe("deadline exceeded");
  });
  it("names an unknown code by number", () => expect(codeName(99 as Code)).toBe("code 99"));
});
