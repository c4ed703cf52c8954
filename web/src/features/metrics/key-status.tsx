import { Fragment } from "react";
import { Link } from "@tanstack/react-router";
import { TableCell } from "@/components/ui/table";
import { type KeyVersion, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import type { FindingCount } from "@/gen/tallycat/v1/conformance_service_pb";
import { Signal, VersionStatus } from "@/gen/tallycat/v1/schema_pb";
import { statusLabel } from "@/lib/format";
import { cn } from "@/lib/utils";

const statusColor: Record<VersionStatus, string> = {
  [VersionStatus.UNSPECIFIED]: "text-muted-foreground",
  [VersionStatus.ACTIVE]: "text-success",
  [VersionStatus.DEPRECATED]: "text-warning-foreground",
};

/** versionWords is one version as the list says it: "1.0.0 active", "0.9.0 deprecated, superseded". */
export function versionWords(v: KeyVersion): string {
  return `${v.version} ${statusLabel[v.status]}${v.superseded ? ", superseded" : ""}`;
}

/**
 * VersionCell lists the current version of each of a key's schemas with
 * its status, "1.0.0 active · 2.0.0 deprecated", on one line: a key with
 * an active and a deprecated schema says both, where one word could say
 * only one. A superseded schema's version, history now, is dimmed. The
 * line is cut short with an ellipsis rather than wrapped, every version
 * in its title. A catalog that lists no versions (an older one) still
 * says versioned or deprecated.
 */
export function VersionCell({ k }: { k: SchemaKeySummary }) {
  if (k.versions.length === 0) {
    return (
      <TableCell className="whitespace-nowrap">
        {k.deprecated ? (
          <span className="text-xs text-warning-foreground">deprecated</span>
        ) : k.versioned ? (
          <span className="text-xs text-success">versioned</span>
        ) : (
          <span className="text-xs text-muted-foreground">unversioned</span>
        )}
      </TableCell>
    );
  }
  const all = k.versions.map(versionWords).join(" · ");
  return (
    <TableCell className="max-w-[12rem]">
      <div className="truncate text-xs" title={all} data-testid="key-versions">
        {k.versions.map((v, i) => (
          <Fragment key={v.schemaId}>
            {i > 0 && <span className="px-1 text-muted-foreground">·</span>}
            <span data-testid="key-version" data-status={statusLabel[v.status]} className={cn(v.superseded && "opacity-60")}>
              <span className="font-mono">{v.version}</span> <span className={statusColor[v.status]}>{statusLabel[v.status]}</span>
            </span>
          </Fragment>
        ))}
      </div>
    </TableCell>
  );
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word + "s"}`;

/**
 * FindingsCell counts a key's findings that ask for something, violations
 * and improvements, each a link to the Conformance page filtered to the
 * key; information asks for nothing and is left to that page. counts is
 * undefined while the summary loads, and a key without findings has none.
 */
export function FindingsCell({ k, counts, loaded }: { k: SchemaKeySummary; counts: FindingCount | undefined; loaded: boolean }) {
  const violations = counts?.violations ?? 0;
  const improvements = counts?.improvements ?? 0;
  if (!loaded || violations + improvements === 0) {
    return (
      <TableCell className="whitespace-nowrap text-muted-foreground" data-testid="key-findings" title={loaded ? "No violation, nothing to improve" : undefined}>
        —
      </TableCell>
    );
  }
  const signal = k.signal === Signal.SPAN ? "span" : k.signal === Signal.LOG ? "log" : undefined;
  const title = [violations > 0 && plural(violations, "violation"), improvements > 0 && plural(improvements, "improvement")].filter(Boolean).join(", ");
  return (
    <TableCell className="whitespace-nowrap" data-testid="key-findings">
      <Link
        to="/conformance"
        search={{ metric: k.schemaKey, level: "improvement", ...(signal ? { signal } : {}) }}
        className="inline-flex items-center gap-1.5 text-xs tabular-nums hover:underline"
        title={`${title}: open them`}
        aria-label={`${title}: open them`}
      >
        {violations > 0 && (
          <span className="rounded bg-red-100 px-1.5 py-0.5 font-medium text-red-800 dark:bg-red-400/15 dark:text-red-300" data-testid="key-violations">
            {violations}
          </span>
        )}
        {improvements > 0 && (
          <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900 dark:bg-amber-400/15 dark:text-amber-300" data-testid="key-improvements">
            {improvements}
          </span>
        )}
      </Link>
    </TableCell>
  );
}
