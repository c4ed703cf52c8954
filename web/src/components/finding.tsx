import type { Finding, FindingProducer } from "@/gen/tallycat/v1/conformance_service_pb";
import { cn } from "@/lib/utils";

/**
 * aspects names what a finding's expected and actual values are of, so that
 * "s" and "ms" read as "unit: expected s, got ms".
 */
const aspects: Record<string, string> = {
  unit_mismatch: "unit",
  unit_conflict: "unit",
  unexpected_instrument: "instrument",
  instrument_conflict: "instrument",
  type_mismatch: "type",
  type_conflict: "type",
  undefined_enum_variant: "value",
  temporality_mismatch: "temporality",
  not_stable: "stability",
  template_attribute: "name",
  high_cardinality: "cardinality",
};

/**
 * hasExpectation says whether a finding has two sides worth showing: an
 * expected value, or a seen one that is more than the name the finding is
 * about (missing_metric and deprecated name only what they are about).
 */
export function hasExpectation(f: Pick<Finding, "expected" | "actual" | "attribute" | "schemaKey">): boolean {
  return Boolean(f.expected) || (Boolean(f.actual) && f.actual !== f.attribute && f.actual !== f.schemaKey);
}

/** expectationText is a finding's two sides in words: "unit: expected s, got ms"; empty when neither is set. */
export function expectationText(f: Pick<Finding, "findingId" | "expected" | "actual" | "attribute" | "schemaKey">): string {
  if (!hasExpectation(f)) return "";
  const sides = [f.expected && `expected ${f.expected}`, f.actual && `got ${f.actual}`].filter(Boolean).join(", ");
  const aspect = aspects[f.findingId];
  return aspect ? `${aspect}: ${sides}` : sides;
}

/** Expectation shows what the registry expects beside what was seen: "unit: expected s, got ms". */
export function Expectation({ finding: f, className }: { finding: Finding; className?: string }) {
  if (!hasExpectation(f)) return null;
  const aspect = aspects[f.findingId];
  return (
    <span className={cn("text-sm", className)} data-testid="finding-expectation" title={expectationText(f)}>
      {aspect && <span className="text-muted-foreground">{aspect}: </span>}
      {f.expected && (
        <>
          expected <code className="rounded bg-emerald-50 px-1 font-mono text-[13px] text-emerald-900 dark:bg-emerald-400/15 dark:text-emerald-200">{f.expected}</code>
        </>
      )}
      {f.expected && f.actual && ", "}
      {f.actual && (
        <>
          got <code className="rounded bg-red-50 px-1 font-mono text-[13px] text-red-900 dark:bg-red-400/15 dark:text-red-200">{f.actual}</code>
        </>
      )}
    </span>
  );
}

/** Replacement names what replaces a deprecated name. */
export function Replacement({ finding: f }: { finding: Finding }) {
  if (!f.replacement) return null;
  return (
    <span className="text-sm" data-testid="finding-replacement">
      <span className="text-muted-foreground">replaced by </span>
      <code className="font-mono text-[13px]">{f.replacement}</code>
    </span>
  );
}

/** producerName is a release as people say it: "checkout 1.4.2". */
export function producerName(p: FindingProducer): string {
  return [p.serviceName, p.serviceVersion].filter(Boolean).join(" ");
}

/** Producers lists the releases a finding is about, the first few in full. */
export function Producers({ producers, max = 3 }: { producers: FindingProducer[]; max?: number }) {
  if (producers.length === 0) return null;
  const shown = producers.slice(0, max);
  const rest = producers.length - shown.length;
  const all = producers.map((p) => (p.serviceNamespace ? `${p.serviceNamespace}/` : "") + producerName(p)).join("\n");
  return (
    <span className="text-xs text-muted-foreground" data-testid="finding-producers" title={all}>
      from {shown.map(producerName).join(", ")}
      {rest > 0 && ` and ${rest} more`}
    </span>
  );
}

/** Examples lists what a finding saw where a list says more than a count: the span names past the limit of distinct names. */
export function Examples({ finding: f, max = 5 }: { finding: Finding; max?: number }) {
  if (f.examples.length === 0) return null;
  const rest = f.examples.length - max;
  return (
    <span className="text-sm text-muted-foreground" data-testid="finding-examples" title={f.examples.join("\n")}>
      such as{" "}
      {f.examples.slice(0, max).map((e, i) => (
        <span key={i}>
          {i > 0 && ", "}
          <code className="font-mono text-[13px] text-foreground">{e}</code>
        </span>
      ))}
      {rest > 0 && ` and ${rest} more`}
    </span>
  );
}
