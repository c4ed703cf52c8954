import { Link } from "@tanstack/react-router";
import { Layers, ScrollText } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { TableCell } from "@/components/ui/table";
import type { SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import { formatCount } from "@/lib/format";
import { cn } from "@/lib/utils";

/**
 * formatErrorShare is a span key's errors of its spans as a percentage with
 * one decimal where it matters ("2.3 %", "25 %"): a list compares shares
 * of a few percent, which whole numbers would flatten. A tiny share is not
 * rounded down to none, nor a near-total one up to all; no spans is no
 * share at all.
 */
export function formatErrorShare(errors: bigint, spans: bigint): string {
  if (spans <= 0n) return "—";
  if (errors <= 0n) return "0 %";
  const pct = (Number(errors) / Number(spans)) * 100;
  if (pct < 0.1) return "<0.1 %";
  if (pct >= 99.95 && errors < spans) return ">99.9 %";
  return `${pct.toFixed(1).replace(/\.0$/, "")} %`;
}

/**
 * ErrorShareCell is a span key's share of spans with status error. The
 * catalog counts errors per stream, not per ten-minute bucket, so the share
 * is since each release began sending the span, as its schema page counts
 * it, whatever the window the rate column covers.
 */
export function ErrorShareCell({ k }: { k: SchemaKeySummary }) {
  const title =
    k.dataPointCount > 0n
      ? `${formatCount(k.errorCount)} of ${formatCount(k.dataPointCount)} spans had status error, since each release began sending them`
      : "No spans counted";
  return (
    <TableCell
      className={cn("whitespace-nowrap text-right tabular-nums", k.errorCount > 0n ? "text-destructive" : "text-muted-foreground")}
      data-testid="key-error-share"
      title={title}
    >
      {formatErrorShare(k.errorCount, k.dataPointCount)}
    </TableCell>
  );
}

/**
 * ScopeMark says a key groups an instrumentation scope rather than one
 * name: for a log, the logger's records that carry no event name; for a
 * span, the names past the limit of distinct span names (names that embed
 * ids), which link to the finding that names them with examples.
 */
export function ScopeMark({ k, signal }: { k: SchemaKeySummary; signal: "span" | "log" }) {
  if (!k.byScope) return null;
  if (signal === "log") {
    return (
      <Badge
        variant="outline"
        className="ml-2 border-sky-200 text-sky-700 dark:border-sky-400/40 dark:text-sky-300"
        data-testid="logger-mark"
        title="A logger: its records without an event name, counted under their instrumentation scope"
      >
        <ScrollText className="mr-1 h-3 w-3" aria-hidden />
        logger
      </Badge>
    );
  }
  return (
    <Link
      to="/conformance"
      search={{ finding: "span_name_limit", metric: k.schemaKey, signal: "span" }}
      className="ml-2 inline-flex align-middle"
      data-testid="name-limit-mark"
      title="This scope sent more distinct span names than the limit (names that embed ids): its further names are counted here. The finding lists some of them."
    >
      <Badge variant="warning" className="hover:underline">
        <Layers className="mr-1 h-3 w-3" aria-hidden />
        names past the limit
      </Badge>
    </Link>
  );
}
