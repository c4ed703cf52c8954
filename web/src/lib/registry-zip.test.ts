import { describe, expect, it } from "vitest";
import { strFromU8, strToU8, unzipSync } from "fflate";
import { registryPath, registryZipName, zipRegistry } from "./registry-zip";

describe("zipRegistry", () => {
  it("packs each file at the path the catalog gave it", () => {
    const zip = zipRegistry([
      { path: "registry_manifest.yaml", content: strToU8("name: tallycat\n") },
      { path: "http/metrics.yaml", content: strToU8("groups: []\n") },
    ]);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(["http/metrics.yaml", "registry_manifest.yaml"]);
    expect(strFromU8(files["http/metrics.yaml"]!)).toBe("groups: []\n");
  });

  it("refuses a path that would leave the folder it unzips to, and a file sent twice", () => {
    expect(() => zipRegistry([{ path: "../etc/passwd", content: new Uint8Array() }])).toThrow(/outside the registry/);
    expect(() => zipRegistry([{ path: "a.yaml", content: new Uint8Array() }, { path: "./a.yaml", content: new Uint8Array() }])).toThrow(/twice/);
  });
});

describe("registryPath", () => {
  it.each([
    ["http/metrics.yaml", "http/metrics.yaml"],
    ["/http/metrics.yaml", "http/metrics.yaml"],
    ["./http//metrics.yaml", "http/metrics.yaml"],
    ["http\\metrics.yaml", "http/metrics.yaml"],
    ["a/../../b.yaml", undefined],
    ["", undefined],
    ["/", undefined],
  ])("keeps %j as %j", (path, want) => expect(registryPath(path)).toBe(want));
});

it("names the download after the day", () => {
  expect(registryZipName(new Date(2025, 5, 1, 23, 59))).toBe("tallycat-registry-2025-06-01.zip");
});
