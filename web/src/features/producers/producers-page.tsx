import { useServiceReleases, useServices } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import type { Service } from "@/gen/tallycat/v1/catalog_service_pb";
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
 * latest releases with what each of them sends, and its recent instances.
 */
export function ProducersPage() {
  const q = useServices();
  const services = q.data?.services ?? [];
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Producers</h1>
        <p className="text-sm text-muted-foreground">
          Every service that sent metrics, spans or logs, by service.name: what it sends, what each of its releases (versions) sends, and its
          instances.
        </p>
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

/** ServiceSection is one service: its counts, its latest releases and its recent instances. */
function ServiceSection({ service: s }: { service: Service }) {
  const releases = useServiceReleases(s.serviceName, RELEASES);
  return (
    <section className="rounded-lg border bg-background" aria-label={`Service ${s.serviceName}`}>
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b px-4 py-3">
        <h2 className="font-semibold">{s.serviceName}</h2>
        <span className="text-sm text-muted-foreground">
          {plural(s.releaseCount, "release")} · {plural(s.instanceCount, "instance")} · last seen <RelativeTime value={s.lastSeen} />
        </span>
        <div className="ml-auto">{releases.data && <SignalCounts service={s.serviceName} keys={releases.data.keys} />}</div>
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
