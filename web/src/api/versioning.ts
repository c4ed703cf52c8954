// One hook per VersioningService RPC. After a change every catalog and
// versioning query is refetched: versions show on keys, schemas, events,
// and a version given by hand or by a proposal changes what is proposed.
import { useQueryClient } from "@tanstack/react-query";
import { createConnectQueryKey, useMutation, useQuery } from "@connectrpc/connect-query";
import { CatalogService } from "@/gen/tallycat/v1/catalog_service_pb";
import type { Signal } from "@/gen/tallycat/v1/schema_pb";
import { VersioningService } from "@/gen/tallycat/v1/versioning_service_pb";

/** useInvalidateVersions refetches every catalog and versioning query. */
export function useInvalidateVersions() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [CatalogService, VersioningService].map((schema) =>
        queryClient.invalidateQueries({ queryKey: createConnectQueryKey({ schema, cardinality: undefined }) }),
      ),
    );
}

export function useAssignVersion() {
  const invalidate = useInvalidateVersions();
  return useMutation(VersioningService.method.assignVersion, { onSuccess: invalidate });
}

export function useSetVersionStatus() {
  const invalidate = useInvalidateVersions();
  return useMutation(VersioningService.method.setVersionStatus, { onSuccess: invalidate });
}

/** useProposals lists the versions proposed for one schema, or for every schema of one key of a signal. */
export function useProposals(filter: { schemaId: string } | { schemaKey: string; signal: Signal }) {
  return useQuery(VersioningService.method.listProposals, filter);
}

/** useAcceptProposal assigns a proposed version, as AssignVersion does. */
export function useAcceptProposal() {
  const invalidate = useInvalidateVersions();
  return useMutation(VersioningService.method.acceptProposal, { onSuccess: invalidate });
}

/** useDismissProposal hides a proposed version; the optional reason is stored with the dismissal. */
export function useDismissProposal() {
  const invalidate = useInvalidateVersions();
  return useMutation(VersioningService.method.dismissProposal, { onSuccess: invalidate });
}
