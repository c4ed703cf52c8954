import { Fragment } from "react";
import { Link } from "@tanstack/react-router";
import { LevelBadge } from "@/components/badges";
import { FindingId } from "@/components/finding";
import type { ConsumerFinding } from "@/gen/tallycat/v1/consumer_service_pb";
import { findingLevelLabel, formatCompact, formatCount, formatRate } from "@/lib/format";
import { cn } from "@/lib/utils";
import { ConsumerLink } from "./consumer-link";
import { consumerFindingTitle } from "./words";

/** KeyLink is a metric key, a link to its page. */
export function KeyLink({ schemaKey, className, testId }: { schemaKey: string; className?: string; testId?: string }) {
  return (
    <Link to="/metrics/$key" params={{ key: schemaKey }} className={cn("break-all font-mono text-[13px] text-primary hover:underline", className)} data-testid={testId}>
      {schemaKey}
    </Link>
  );
}

/** Near offers the keys a missing name was probably meant to read: those differing only in unit, type or series suffixes. */
function Near({ finding: f }: { finding: ConsumerFinding }) {
  if (f.near.length === 0) return null;
  return (
    <p className="text-sm" data-testid="finding-near">
      <span className="text-muted-foreground">did you mean </span>
      {f.near.map((n, i) => (
        <Fragment key={n.schemaKey}>
          {i > 0 && <span className="text-muted-foreground"> or </span>}
          <KeyLink schemaKey={n.schemaKey} testId="near-key" />
          {n.name && n.name !== n.schemaKey && (
            <span className="text-muted-foreground">
              {" "}
              (<code className="font-mono text-[13px]">{n.name}</code>)
            </span>
          )}
        </Fragment>
      ))}
      <span className="text-muted-foreground">?</span>
    </p>
  );
}

/** Candidates are the keys an ambiguous name could be: the catalog says so rather than guess. */
function Candidates({ finding: f }: { finding: ConsumerFinding }) {
  if (f.candidates.length === 0) return null;
  return (
    <p className="text-sm" data-testid="finding-candidates">
      <span className="text-muted-foreground">could be </span>
      {f.candidates.map((k, i) => (
        <Fragment key={k}>
          {i > 0 && <span className="text-muted-foreground">{i === f.candidates.length - 1 ? " or " : ", "}</span>}
          <KeyLink schemaKey={k} />
        </Fragment>
      ))}
    </p>
  );
}

/** Subject is what the finding is about: the name read and the key it resolved to, the label and how the query uses it. */
function Subject({ finding: f, showKey }: { finding: ConsumerFinding; showKey: boolean }) {
  const metric = f.metric && f.metric !== f.schemaKey ? f.metric : "";
  if (!metric && !(showKey && f.schemaKey) && !f.label && !f.attribute) return null;
  return (
    <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-xs text-muted-foreground">
      {metric && (
        <span>
          reads <code className="font-mono text-[13px] text-foreground" data-testid="finding-metric-name">{metric}</code>
        </span>
      )}
      {showKey && f.schemaKey && (
        <span>
          metric <KeyLink schemaKey={f.schemaKey} testId="finding-key" />
        </span>
      )}
      {(f.attribute || f.label) && (
        <span>
          {f.attribute ? "attribute " : "label "}
          <code className="font-mono text-[13px] text-foreground" data-testid="finding-attribute">
            {f.attribute || f.label}
          </code>
          {f.attribute && f.label && f.label !== f.attribute && (
            <>
              {" "}
              as <code className="font-mono text-[13px] text-foreground">{f.label}</code>
            </>
          )}
          {f.uses.length > 0 && ` (${f.uses.join(", ")})`}
        </span>
      )}
    </div>
  );
}

/** Savings says what nobody reading a metric or attribute costs: its series and rate, or the series dropping the attribute saves. */
function Savings({ finding: f }: { finding: ConsumerFinding }) {
  if (f.findingId === "unused_attribute" && f.seriesSaved > 0n) {
    return (
      <p className="text-sm" data-testid="finding-savings" title={`≈ ${formatCount(f.seriesSaved)} series`}>
        Dropping it saves ≈ {formatCompact(f.seriesSaved)} series.
      </p>
    );
  }
  if (f.findingId === "unused_metric" && f.cost && f.cost.seriesEstimate > 0n) {
    return (
      <p className="text-sm" data-testid="finding-savings">
        ≈ {formatCompact(f.cost.seriesEstimate)} series at {formatRate(f.cost.dataPointsPerMinute)}
        {f.cost.estimatedMonthlyCost !== undefined && `, ${f.cost.estimatedMonthlyCost.toLocaleString(undefined, { maximumFractionDigits: 2 })} a month`} that
        nobody reads.
      </p>
    );
  }
  return null;
}

type Props = {
  finding: ConsumerFinding;
  /** showConsumer names the dashboard or rule and its query: where the finding is not already under them. */
  showConsumer?: boolean;
  /** showKey names the metric key: where the finding is not already on its page. */
  showKey?: boolean;
};

/**
 * ConsumerFindingRow is one finding between a dashboard or rule and the
 * catalog, in words: its level and title, its message, what the query
 * reads, the keys it probably meant ("did you mean …", links), the
 * parser's error, and what nobody reading something costs.
 */
export function ConsumerFindingRow({ finding: f, showConsumer = false, showKey = false }: Props) {
  return (
    <li className="space-y-1 py-2 first:pt-0 last:pb-0" data-testid="consumer-finding" data-finding={f.findingId} data-level={findingLevelLabel[f.level]}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <LevelBadge level={f.level} />
        <span className="text-sm font-medium" data-testid="finding-title">
          {consumerFindingTitle(f)}
        </span>
        {showConsumer && f.consumer && <ConsumerLink consumer={f.consumer} query={f.query} className="text-sm" />}
        <FindingId id={f.findingId} className="ml-auto" />
      </div>
      {f.message && (
        <p className="text-sm" data-testid="finding-message">
          {f.message}
        </p>
      )}
      <Subject finding={f} showKey={showKey} />
      <Near finding={f} />
      <Candidates finding={f} />
      {f.error && (
        <p className="break-words font-mono text-xs text-destructive" data-testid="finding-error">
          {f.error}
        </p>
      )}
      <Savings finding={f} />
    </li>
  );
}
