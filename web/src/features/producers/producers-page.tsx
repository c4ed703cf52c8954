import { Link } from "@tanstack/react-router";
import { useServices } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { RelativeTime } from "@/components/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { ServiceInstances } from "./service-instances";
import { ServiceMetrics } from "./service-metrics";

function plural(n: number, word: string) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : word + "s"}`;
}

/** ProducersPage lists each service with its releases and instances counted, its recent instances, and the metrics it emits. */
export function ProducersPage() {
  const q = useServices();
  const services = q.data?.services ?? [];
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Producers</h1>
        <p className="text-sm text-muted-foreground">
          Every service that sent metrics, by service.name, with its releases (versions) and instances.
        </p>
      </div>
      {q.error ? (
        <ErrorState error={q.error} retry={() => q.refetch()} />
      ) : q.isPending ? (
        <Skeleton className="h-48" />
      ) : services.length === 0 ? (
        <p className="rounded-lg border bg-background p-8 text-center text-muted-foreground">No producer has sent metrics yet.</p>
      ) : (
        <div className="space-y-4">
          {services.map((s) => (
            <section key={s.serviceName} className="rounded-lg border bg-background" aria-label={`Service ${s.serviceName}`}>
              <header className="flex flex-wrap items-center gap-3 border-b px-4 py-3">
                <h2 className="font-semibold">{s.serviceName}</h2>
                <span className="text-sm text-muted-foreground">
                  {plural(s.releaseCount, "release")} · {plural(s.instanceCount, "instance")} · last seen{" "}
                  <RelativeTime value={s.lastSeen} />
                </span>
                <Link to="/" search={{ service: s.serviceName }} className="ml-auto text-sm text-primary hover:underline">
                  Filter metrics by this service →
                </Link>
              </header>
              <div className="grid gap-4 p-4 lg:grid-cols-2">
                <ServiceInstances service={s.serviceName} total={s.instanceCount} />
                <ServiceMetrics service={s.serviceName} />
              </div>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
