import { describe, expect, it } from "vitest";
import { semverProblem } from "./semver";

describe("semverProblem", () => {
  it.each(["0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-rc.1+build.5", "1.0.0+20130313144700", "1.0.0-0.3.7"])(
    "accepts %s",
    (v) => expect(semverProblem(v)).toBeNull(),
  );
  it.each([
    ["", "Enter"],
    ["v1.0.0", "leading “v”"],
    ["1.0", "three numbers"],
    ["01.0.0", "leading zeros"],
    ["1.0.0-", "SemVer"],
    ["1.0.0+", "SemVer"],
  ])("refuses %s", (v, why) => expect(semverProblem(v)).toContain(why));
});
