import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useServiceReleases, useServices } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { SelfTelemetrySwitch } from "@/components/self-telemetry-switch";
import { Skeleton } from "@/components/ui/skeleton";
import type { Service } from "@/gen/tallycat/v1/catalog_service_pb";
import { useShowSelf } from "@/lib/self-telemetry";
import { HEARTBEAT, LastSeen } from "./last-seen";
import { ServiceInstances } from "./service-instances";
import { ReleasesTable, SignalCounts } from "./service-releases";

/** RELEASES is how many releases a service shows: the latest deploys are the ones people compare. */
const RELEASES = 5;

function plural(n: number, word: string) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : word + "s"}`;
}

/**
 * ProducersPage lists each service with what it sends (its metrics, spans
 * and log events, each count a way into that list filtered to it), its
 * latest releases with what each of them sends, and its recent instances,
 * each said live, quiet or gone (see LastSeen). TallyCat's own services
 * are left out unless shown. It asks again every heartbeat, so that what
 * it says of who is live stays true while it is open.
 */
export function ProducersPage() {
  const [showSelf] = useShowSelf();
  const q = useServices(!showSelf);
  const services = q.data?.services ?? [];
  const client = useQueryClient();
  useEffect(() => {
    const t = setInterval(() => client.invalidateQueries(), HEARTBEAT);
    return () => clearInterval(t);
  }, [client]);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Producers</h1>
          <p className="text-sm text-muted-foreground">
            Every service that sent metrics, spans or logs, by service.name: what it sends, what each of its releases (versions) sends, and its
            instances.
          </p>
        </div>
        <SelfTelemetrySwitch />
      </div>
      {q.error ? (
        <ErrorState error={q.error} retry={() => q.refetch()} />
      ) : q.isPending ? (
        <Skeleton className="h-48" />
      ) : services.length === 0 ? (
        <p className="rounded-lg border bg-background p-8 text-center text-muted-foreground">No producer has sent telemetry yet.</p>
      ) : (
        <div className="space-y-4">
          {services.map((s) => (
            <ServiceSection key={s.serviceName} service={s} />
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * ServiceSection is one service: its counts, its latest releases and its
 * recent instances. Its header is a grid of the same columns in every
 * service's card, as its tables are, so that the page reads in columns.
 */
function ServiceSection({ service: s }: { service: Service }) {
  const releases = useServiceReleases(s.serviceName, RELEASES);
  return (
    <section className="rounded-lg border bg-background" aria-label={`Service ${s.serviceName}`}>
      <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b px-4 py-3 md:grid md:grid-cols-[minmax(0,10rem)_minmax(0,1fr)_auto] lg:grid-cols-[minmax(0,14rem)_minmax(0,1fr)_auto]">
        <h2 className="truncate font-semibold" title={s.serviceName}>
          {s.serviceName}
        </h2>
        <span className="flex flex-wrap items-center gap-x-1.5 text-sm text-muted-foreground">
          {plural(s.releaseCount, "release")} · {plural(s.instanceCount, "instance")} ·{" "}
          <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
            last seen <LastSeen value={s.lastSeen} />
          </span>
        </span>
        <div className="md:justify-self-end">{releases.data && <SignalCounts service={s.serviceName} keys={releases.data.keys} />}</div>
      </header>
      <div className="grid gap-4 p-4 xl:grid-cols-2">
        {releases.error ? (
          <ErrorState error={releases.error} retry={() => releases.refetch()} />
        ) : releases.isPending ? (
          <Skeleton className="h-24" />
        ) : (
          <ReleasesTable releases={releases.data.releases} total={s.releaseCount} />
        )}
        <ServiceInstances service={s.serviceName} total={s.instanceCount} />
      </div>
    </section>
  );
}
