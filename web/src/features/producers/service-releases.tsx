import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Link } from "@tanstack/react-router";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { KeyCounts, ServiceRelease } from "@/gen/tallycat/v1/catalog_service_pb";
import { signalNames, signalSearch, signalWords, type SignalName } from "@/lib/signal";
import { cn } from "@/lib/utils";
import { LastSeen, livenessOf, useNow } from "./last-seen";

/** countOf is how many keys of a signal the counts hold. */
export function countOf(keys: KeyCounts | undefined, signal: SignalName): number {
  if (!keys) return 0;
  return signal === "metric" ? keys.metricCount : signal === "span" ? keys.spanCount : keys.logCount;
}

/**
 * SignalCounts says what a service sends, every release together, signal
 * by signal: each count links to that signal's list filtered to the
 * service.
 */
export function SignalCounts({ service, keys }: { service: string; keys: KeyCounts | undefined }) {
  return (
    <nav className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" aria-label={`What ${service} sends`}>
      {signalNames.map((signal) => {
        const n = countOf(keys, signal);
        const words = signalWords[signal];
        return (
          <Link
            key={signal}
            to="/"
            search={{ service, ...signalSearch(signal) }}
            className={cn("hover:underline", n > 0 ? "text-primary" : "text-muted-foreground")}
            data-testid={`service-${signal}-count`}
            title={`The ${words.keys} ${service} sends, every release together`}
          >
            {n.toLocaleString("en-US")} {n === 1 ? words.key : words.keys}
          </Link>
        );
      })}
    </nav>
  );
}

/** Change is how a release's count differs from the release deployed before it: "+1" or "−2", nothing when equal. */
function Change({ now, before }: { now: number; before: number | undefined }) {
  if (before === undefined || now === before) return null;
  const more = now > before;
  return (
    <span
      className={cn("ml-1 text-xs", more ? "text-success" : "text-destructive")}
      title={`${more ? "More" : "Fewer"} than the release deployed before it (${before})`}
    >
      {more ? `+${now - before}` : `−${before - now}`}
    </span>
  );
}

type Props = { releases: ServiceRelease[]; total: number };

/**
 * ReleasesTable lists a service's latest releases, newest deploy first (by
 * when each was first seen), with what each sends, signal by signal, and
 * how that differs from the release deployed before it: what a deploy
 * added or stopped sending. A release that stopped sending is marked gone
 * and dimmed (see LastSeen). Its columns have fixed widths, the same in
 * every service's card, so that they line up down the page.
 */
export function ReleasesTable({ releases, total }: Props) {
  const now = useNow();
  return (
    <div>
      <Table aria-label="Releases" className="table-fixed">
        <colgroup>
          <col className="w-[26%]" />
          <col className="w-[16%]" />
          <col className="w-[12%]" />
          <col className="w-[12%]" />
          <col className="w-[12%]" />
          <col className="w-[22%]" />
        </colgroup>
        <TableHeader>
          <TableRow>
            <TableHead>Release</TableHead>
            <TableHead className="text-right">Instances</TableHead>
            {signalNames.map((s) => (
              <TableHead key={s} className="text-right">
                {signalWords[s].title}
              </TableHead>
            ))}
            <TableHead>Last seen</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {releases.map((r, i) => {
            const before = releases[i + 1]?.keys;
            return (
              <TableRow
                key={`${r.serviceNamespace}/${r.serviceVersion}`}
                data-testid="release-row"
                className={cn(r.lastSeen && livenessOf(timestampDate(r.lastSeen), now) === "gone" && "text-muted-foreground")}
              >
                <TableCell className="truncate" title={[r.serviceNamespace, r.serviceVersion].filter(Boolean).join(" · ") || undefined}>
                  <span className="font-mono text-[13px]">{r.serviceVersion || "no version"}</span>
                  {r.serviceNamespace && <p className="truncate text-xs text-muted-foreground">{r.serviceNamespace}</p>}
                </TableCell>
                <TableCell className="text-right tabular-nums">{r.instanceCount.toLocaleString("en-US")}</TableCell>
                {signalNames.map((s) => {
                  const n = countOf(r.keys, s);
                  return (
                    <TableCell key={s} className="whitespace-nowrap text-right tabular-nums" data-testid={`release-${s}-count`}>
                      <span className={cn(n === 0 && "text-muted-foreground")}>{n}</span>
                      <Change now={n} before={before && countOf(before, s)} />
                    </TableCell>
                  );
                })}
                <TableCell>
                  <LastSeen value={r.lastSeen} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {total > releases.length && (
        <p className="mt-2 text-sm text-muted-foreground" data-testid="releases-partial">
          The {releases.length} newest of {total.toLocaleString("en-US")} releases.
        </p>
      )}
    </div>
  );
}
