/**
 * The SemVer 2.0.0 grammar, the same one the API's protovalidate rule uses,
 * so that the UI can say at once what the server would refuse.
 */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** semverProblem returns why v is not a SemVer 2.0.0 version, or null. */
export function semverProblem(v: string): string | null {
  if (v === "") return "Enter a version such as 1.0.0";
  if (/^v/i.test(v)) return "Leave out the leading “v”: 1.0.0, not v1.0.0";
  if (SEMVER.test(v)) return null;
  if (!/^\d+\.\d+\.\d+/.test(v)) return "A version has three numbers: MAJOR.MINOR.PATCH, such as 1.4.0";
  if (/(^|\.)0\d/.test(v.split(/[-+]/)[0] ?? "")) return "Numbers may not have leading zeros";
  return "Not a SemVer 2.0.0 version: pre-release and build parts are dot-separated [0-9A-Za-z-]";
}
