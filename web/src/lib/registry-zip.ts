import { zipSync } from "fflate";

/** A file of an exported registry, as ExportRegistry returns it. */
export type RegistryFileLike = { path: string; content: Uint8Array };

/**
 * registryPath keeps a file's path inside the archive: forward slashes, no
 * leading slash or "./", and no "..", which an unzip would follow out of
 * the folder it extracts to. It returns undefined for a path it refuses.
 */
export function registryPath(path: string): string | undefined {
  const parts = path
    .replace(/\\/g, "/")
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  return parts.join("/");
}

/**
 * zipRegistry packs an exported registry into one .zip, each file at the
 * path the catalog gave it, so that the archive loads as it is with
 * `--registry registry.zip` and unzips into a folder to commit.
 */
export function zipRegistry(files: RegistryFileLike[], mtime: Date = new Date()): Uint8Array<ArrayBuffer> {
  const tree: Record<string, Uint8Array> = {};
  for (const f of files) {
    const path = registryPath(f.path);
    if (!path) throw new Error(`The catalog named a registry file outside the registry: ${JSON.stringify(f.path)}`);
    if (path in tree) throw new Error(`The catalog sent the registry file ${path} twice`);
    tree[path] = f.content;
  }
  return zipSync(tree, { level: 6, mtime });
}

/** registryZipName names the download after the day it was taken: tallycat-registry-2025-06-01.zip. */
export function registryZipName(d: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `tallycat-registry-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.zip`;
}

/** saveFile hands bytes to the browser as a download. */
export function saveFile(name: string, data: Uint8Array<ArrayBuffer>, type: string) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; let the browser take it
  // before it is freed.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
