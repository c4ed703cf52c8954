// One hook per VersioningService RPC that changes something. After a change
// every catalog query is refetched: versions show on keys, schemas, events.
import { useQueryClient } from "@tanstack/react-query";
import { createConnectQueryKey, useMutation } from "@connectrpc/connect-query";
import { CatalogService } from "@/gen/tallycat/v1/catalog_service_pb";
import { VersioningService } from "@/gen/tallycat/v1/versioning_service_pb";

function useInvalidateCatalog() {
  const queryClient = useQueryClient();
  return () =>
    queryClient.invalidateQueries({
      queryKey: createConnectQueryKey({ schema: CatalogService, cardinality: undefined }),
    });
}

export function useAssignVersion() {
  const invalidate = useInvalidateCatalog();
  return useMutation(VersioningService.method.assignVersion, { onSuccess: invalidate });
}

export function useSetVersionStatus() {
  const invalidate = useInvalidateCatalog();
  return useMutation(VersioningService.method.setVersionStatus, { onSuccess: invalidate });
}
