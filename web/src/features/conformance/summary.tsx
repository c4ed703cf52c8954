import { LevelBadge } from "@/components/badges";
import { FindingId, findingTitle } from "@/components/finding";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type Coverage, type FindingCount, FindingLevel, type GetConformanceSummaryResponse } from "@/gen/tallycat/v1/conformance_service_pb";
import { formatCount, formatShare, shareOf } from "@/lib/format";
import { cn } from "@/lib/utils";
import type { LevelName } from "./search";

/** findingTotal is how many findings a count holds, every level together. */
export const findingTotal = (c: FindingCount | undefined) => (c ? c.violations + c.improvements + c.information : 0);

const coverages: [key: "metrics" | "attributes" | "dataPoints", label: string, of: string, title: string][] = [
  ["metrics", "Metrics", "metric names", "The current metric names a registry defines"],
  ["attributes", "Attributes", "metric attributes", "The distinct (metric, data point attribute) pairs a registry defines for that metric or globally"],
  ["dataPoints", "Data points", "data points", "The data points received by schemas of metrics a registry defines"],
];

function CoverageFigure({ label, of, title, c, testId }: { label: string; of: string; title: string; c: Coverage | undefined; testId: string }) {
  const share = c ? shareOf(c.defined, c.total) : undefined;
  return (
    <div title={title} data-testid={testId} data-defined={String(c?.defined ?? 0)} data-total={String(c?.total ?? 0)}>
      <dt className="text-xs text-muted-foreground">{label} defined</dt>
      <dd className="text-xl font-semibold tabular-nums" data-testid="coverage-share">
        {share === undefined ? "—" : formatShare(share)}
      </dd>
      <dd className="text-xs text-muted-foreground">
        {formatCount(c?.defined ?? 0)} of {formatCount(c?.total ?? 0)} {of}
      </dd>
    </div>
  );
}

type CountsProps = { total: FindingCount | undefined; level: LevelName | undefined; onLevel: (l: LevelName | undefined) => void };

/** LevelCounts counts the findings by level; a level's button keeps those at it or above. */
function LevelCounts({ total, level, onLevel }: CountsProps) {
  const counts: [FindingLevel, number, LevelName | undefined][] = [
    [FindingLevel.VIOLATION, total?.violations ?? 0, "violation"],
    [FindingLevel.IMPROVEMENT, total?.improvements ?? 0, "improvement"],
    [FindingLevel.INFORMATION, total?.information ?? 0, undefined],
  ];
  return (
    <div>
      <dt className="text-xs text-muted-foreground">Findings</dt>
      <dd className="flex flex-wrap items-center gap-2 pt-1" data-testid="level-counts">
        {counts.map(([l, n, name]) => {
          // Information or above is every finding: its button clears the level, and is never the one pressed.
          const pressed = name !== undefined && level === name;
          return (
            <button
              key={l}
              type="button"
              onClick={() => onLevel(name)}
              aria-pressed={pressed}
              title={name ? "Show the findings at this level or above" : "Show every finding"}
              className={cn("inline-flex items-center gap-1.5 rounded-md p-0.5 pr-1.5 hover:bg-accent", pressed && "bg-accent ring-1 ring-border")}
              data-testid="level-count"
              data-level={FindingLevel[l].toLowerCase()}
            >
              <LevelBadge level={l} />
              <span className="text-lg font-semibold tabular-nums">{formatCount(n)}</span>
            </button>
          );
        })}
      </dd>
    </div>
  );
}

/** CoverageCard is how much of what is emitted the registries define, and the findings by level. */
export function CoverageCard({ summary, level, onLevel }: { summary: GetConformanceSummaryResponse } & Omit<CountsProps, "total">) {
  return (
    <Card>
      <CardContent className="space-y-3 pt-4">
        <dl className="flex flex-wrap gap-x-12 gap-y-3" aria-label="Coverage" data-testid="coverage">
          {coverages.map(([key, label, of, title]) => (
            <CoverageFigure key={key} label={label} of={of} title={title} c={summary[key]} testId={`coverage-${key}`} />
          ))}
          <LevelCounts total={summary.total} level={level} onLevel={onLevel} />
        </dl>
        {summary.registries.length > 0 && (
          <p className="text-xs text-muted-foreground" data-testid="registries">
            Judged against{" "}
            {summary.registries.map((r, i) => (
              <span key={r}>
                {i > 0 && (i === summary.registries.length - 1 ? " and " : ", ")}
                <code className="font-mono text-foreground">{r}</code>
              </span>
            ))}
            .
          </p>
        )}
      </CardContent>
    </Card>
  );
}

type TableProps = {
  title: string;
  description: string;
  label: string;
  rows: FindingCount[];
  picked: string | undefined;
  onPick: (name: string | undefined) => void;
  /** titled names each row by its title, its name (a finding id) small beside it. */
  titled?: boolean;
  className?: string;
};

/** CountsTable counts findings by one thing (finding id, service); a name's button filters the list to it. */
export function CountsTable({ title, description, label, rows, picked, onPick, titled, className }: TableProps) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle className="text-base">{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>
        <Table aria-label={title}>
          <TableHeader>
            <TableRow>
              <TableHead>{label}</TableHead>
              <TableHead className="text-right">Violations</TableHead>
              <TableHead className="text-right">Improvements</TableHead>
              <TableHead className="text-right">Information</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((r) => (
              <TableRow key={r.name} data-testid="count-row" className={cn(picked === r.name && "bg-accent/60")}>
                <TableCell>
                  <button
                    type="button"
                    onClick={() => onPick(picked === r.name ? undefined : r.name)}
                    aria-pressed={picked === r.name}
                    title={picked === r.name ? "Show every one again" : "Show only these findings"}
                    className="text-left text-primary hover:underline"
                  >
                    {titled ? findingTitle({ findingId: r.name, title: r.title }) : r.name || "(no service)"}
                  </button>
                  {titled && <FindingId id={r.name} className="ml-2" />}
                </TableCell>
                <TableCell className={cn("text-right tabular-nums", r.violations === 0 && "text-muted-foreground")}>{r.violations}</TableCell>
                <TableCell className={cn("text-right tabular-nums", r.improvements === 0 && "text-muted-foreground")}>{r.improvements}</TableCell>
                <TableCell className={cn("text-right tabular-nums", r.information === 0 && "text-muted-foreground")}>{r.information}</TableCell>
              </TableRow>
            ))}
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={4} className="py-6 text-center text-muted-foreground">
                  None.
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
