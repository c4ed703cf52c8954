import { useEffect, useState } from "react";
import { Link } from "@tanstack/react-router";
import { ChevronLeft } from "lucide-react";
import { useSchemas } from "@/api/catalog";
import { ErrorState } from "@/components/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import { SchemaCard } from "./schema-card";
import { SchemaDiff } from "./schema-diff";
import { Timeline } from "./timeline";

/** MetricPage shows one metric name: its schemas side by side, a diff of any two, and its timeline. */
export function MetricPage({ schemaKey }: { schemaKey: string }) {
  const schemas = useSchemas(schemaKey);
  const list = schemas.data?.schemas ?? [];
  const [base, setBase] = useState<string>();
  const [target, setTarget] = useState<string>();
  useEffect(() => {
    setBase(list[0]?.schemaId);
    setTarget(list[1]?.schemaId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [schemas.data]);
  const first = list[0];

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <Link to="/" className="inline-flex items-center text-sm text-muted-foreground hover:text-foreground">
          <ChevronLeft className="h-4 w-4" /> Metrics
        </Link>
        <h1 className="break-all font-mono text-2xl font-semibold tracking-tight">{schemaKey}</h1>
        {first?.description && <p className="text-sm text-muted-foreground">{first.description}</p>}
        {schemas.data && (
          <p className="text-sm text-muted-foreground">
            {list.length} {list.length === 1 ? "schema" : "schemas"}
            {list.length > 1 && " — producers send this metric in different shapes"}
          </p>
        )}
      </div>

      {schemas.error ? (
        <ErrorState error={schemas.error} retry={() => schemas.refetch()} />
      ) : schemas.isPending ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Skeleton className="h-64" />
          <Skeleton className="h-64" />
        </div>
      ) : (
        <>
          <section aria-label="Schemas" className="flex gap-4 overflow-x-auto pb-2">
            {list.map((s) => (
              <SchemaCard key={s.schemaId} schema={s} />
            ))}
          </section>
          {list.length > 1 && (
            <SchemaDiff schemas={list} base={base} target={target} onBase={setBase} onTarget={setTarget} />
          )}
          <Timeline schemaKey={schemaKey} />
        </>
      )}
    </div>
  );
}
