// One hook per ConformanceService RPC. Findings and the summary are
// queries; the registry export is a mutation, as it is asked for by a
// button and ends in a download, not in the cache.
import { keepPreviousData, useMutation } from "@tanstack/react-query";
import { callUnaryMethod, type SkipToken, useQuery, useTransport } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConformanceService, type GetConformanceSummaryRequestSchema, type ListFindingsRequestSchema } from "@/gen/tallycat/v1/conformance_service_pb";

/** useFindings lists findings, most severe first, by schema, metric, service, level or finding id, a page at a time. */
export function useFindings(filters: MessageInitShape<typeof ListFindingsRequestSchema>) {
  // Keep the previous page on screen while another filter or page loads.
  return useQuery(ConformanceService.method.listFindings, filters, { placeholderData: keepPreviousData });
}

/**
 * useConformanceSummary reads the coverage and the counts by level, finding
 * and service, TallyCat's own left out when asked, and the counts of the
 * keys named (a list's page); another page keeps the last counts on screen
 * while its own load.
 */
export function useConformanceSummary(input: MessageInitShape<typeof GetConformanceSummaryRequestSchema> | SkipToken = {}) {
  return useQuery(ConformanceService.method.getConformanceSummary, input, { placeholderData: keepPreviousData });
}

/**
 * useExportRegistry asks for the catalog as a registry in Weaver's format
 * and downloads its files as one .zip; it resolves to the number of files.
 */
export function useExportRegistry() {
  const transport = useTransport();
  return useMutation({
    mutationFn: async () => {
      const res = await callUnaryMethod(transport, ConformanceService.method.exportRegistry, {});
      // The zip code loads on the first export, not with every page that lists findings.
      const { registryZipName, saveFile, zipRegistry } = await import("@/lib/registry-zip");
      saveFile(registryZipName(), zipRegistry(res.files), "application/zip");
      return res.files.length;
    },
  });
}
