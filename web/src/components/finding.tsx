import { Fragment } from "react";
import { create } from "@bufbuild/protobuf";
import { Link } from "@tanstack/react-router";
import { ChevronDown, ChevronRight } from "lucide-react";
import { type Finding, FindingLevel, type FindingProducer, type ConcernedSchema, ConcernedSchemaSchema } from "@/gen/tallycat/v1/conformance_service_pb";
import { shortId } from "@/lib/format";
import { releaseFullName, releaseName, releasesLabel } from "@/lib/schema-name";
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

/** conflicts are the findings of producers disagreeing with each other, whose actual side lists what each sends. */
const conflicts = new Set(["unit_conflict", "instrument_conflict"]);

/**
 * hasExpectation says whether a finding has two sides worth showing: an
 * expected value, or a seen one that is more than the name the finding is
 * about (missing_metric and deprecated name only what they are about). An
 * attribute "not sent" at a requirement level says no more than its title
 * ("Opt-in attribute not sent"), so it shows none: its expected side is the
 * registry's token (opt_in), not words.
 */
export function hasExpectation(f: Pick<Finding, "findingId" | "expected" | "actual" | "attribute" | "schemaKey">): boolean {
  if (f.findingId.endsWith("_attribute_not_present") && f.actual === "not sent") return false;
  return Boolean(f.expected) || (Boolean(f.actual) && f.actual !== f.attribute && f.actual !== f.schemaKey);
}

/** expectationText is a finding's two sides in words: "unit: expected s, got ms", "units sent: ms, s"; empty when neither is set. */
export function expectationText(f: Pick<Finding, "findingId" | "expected" | "actual" | "attribute" | "schemaKey">): string {
  if (!hasExpectation(f)) return "";
  const aspect = aspects[f.findingId];
  if (conflicts.has(f.findingId) && !f.expected) return `${aspect}s sent: ${f.actual}`;
  const sides = [f.expected && `expected ${f.expected}`, f.actual && `got ${f.actual}`].filter(Boolean).join(", ");
  return aspect ? `${aspect}: ${sides}` : sides;
}

/** Expectation shows what the registry expects beside what was seen: "unit: expected s, got ms"; for producers that disagree, what each sends. */
export function Expectation({ finding: f, className }: { finding: Finding; className?: string }) {
  if (!hasExpectation(f)) return null;
  const aspect = aspects[f.findingId];
  if (conflicts.has(f.findingId) && !f.expected) {
    return (
      <span className={cn("text-sm", className)} data-testid="finding-expectation" title={expectationText(f)}>
        <span className="text-muted-foreground">{aspect}s sent: </span>
        {f.actual.split(", ").map((v, i) => (
          <span key={v}>
            {i > 0 && ", "}
            <code className="rounded bg-red-50 px-1 font-mono text-[13px] text-red-900 dark:bg-red-400/15 dark:text-red-200">{v}</code>
          </span>
        ))}
      </span>
    );
  }
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

/** producerName is a release as people say it: "checkout 1.4.2" (the UI's one naming, lib/schema-name). */
export function producerName(p: FindingProducer): string {
  return releaseName(p);
}

/** findingTitle is a finding's name in words, as the catalog titles it ("Unit differs from the conventions"); a catalog from before titles gets its id in words. */
export function findingTitle(f: Pick<Finding, "title" | "findingId">): string {
  if (f.title) return f.title;
  const words = f.findingId.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** FindingId is a finding's id as small secondary text: what configuration, filters and people's searches use. */
export function FindingId({ id, className }: { id: string; className?: string }) {
  return (
    <code className={cn("font-mono text-[11px] text-muted-foreground", className)} data-testid="finding-id">
      {id}
    </code>
  );
}

/** concernsOf lists the schemas a finding concerns with their producers; a catalog from before grouping names one. */
export function concernsOf(f: Finding): ConcernedSchema[] {
  if (f.schemas.length > 0) return f.schemas;
  return f.schemaId ? [create(ConcernedSchemaSchema, { schemaId: f.schemaId, producers: f.producers })] : [];
}

/**
 * Producers names the schemas a finding concerns by the releases that
 * produce them ("from checkout 1.4.2 · payments 2.0.0"), each a link to
 * its schema, whose id is in the link's title: people know their services,
 * not schema ids. Past max schemas, the rest are counted.
 */
export function Producers({ finding, max = 4 }: { finding: Finding; max?: number }) {
  const schemas = concernsOf(finding);
  if (schemas.length === 0) return null;
  const shown = schemas.slice(0, max);
  const rest = schemas.length - shown.length;
  const all = schemas
    .map((s) => `${s.producers.map(releaseFullName).join(", ") || "no producer"} (schema ${s.schemaId})`)
    .join("\n");
  return (
    <span className="text-xs text-muted-foreground" data-testid="finding-producers" data-schemas={schemas.length} title={all}>
      from{" "}
      {shown.map((s, i) => (
        <Fragment key={s.schemaId}>
          {i > 0 && " · "}
          <Link to="/schemas/$id" params={{ id: s.schemaId }} title={`schema ${s.schemaId}`} className="text-primary hover:underline" data-testid="finding-schema">
            {s.producers.length > 0 ? releasesLabel(s.producers) : `schema ${shortId(s.schemaId)}`}
          </Link>
        </Fragment>
      ))}
      {rest > 0 && ` and ${rest} more`}
    </span>
  );
}

/** splitInformation parts findings into those that ask for action and the information-level ones, which lists fold by default. */
export function splitInformation(findings: Finding[]): { action: Finding[]; information: Finding[] } {
  return {
    action: findings.filter((f) => f.level !== FindingLevel.INFORMATION),
    information: findings.filter((f) => f.level === FindingLevel.INFORMATION),
  };
}

/** InformationToggle shows or folds the information-level findings of a list, saying how many there are. */
export function InformationToggle({ count, open, onToggle, className }: { count: number; open: boolean; onToggle: () => void; className?: string }) {
  if (count === 0) return null;
  const noun = count === 1 ? "information finding" : "information findings";
  return (
    <button
      type="button"
      onClick={onToggle}
      aria-expanded={open}
      className={cn("inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground", className)}
      data-testid="information-toggle"
      title="Information asks for no action: context such as attributes that are opt-in or not stable yet"
    >
      {open ? <ChevronDown className="h-4 w-4" aria-hidden /> : <ChevronRight className="h-4 w-4" aria-hidden />}
      {open ? `Hide ${count} ${noun}` : `Show ${count} ${noun}`}
    </button>
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
