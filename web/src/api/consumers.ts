// One hook per ConsumerService RPC the UI reads: the dashboards and rules
// synced into the catalog, their findings and who reads a metric.
// SyncConsumers is the CLI's and the catalog's own pull's, not the UI's.
import { keepPreviousData } from "@tanstack/react-query";
import { skipToken, useQuery } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ConsumerService,
  type ListConsumerFindingsRequestSchema,
  type ListConsumersRequestSchema,
} from "@/gen/tallycat/v1/consumer_service_pb";

/** useConsumers lists the stored dashboards and rules, the most broken first, a page at a time, with the counts of all of them. */
export function useConsumers(input: MessageInitShape<typeof ListConsumersRequestSchema>) {
  // Keep the previous page on screen while another filter or page loads.
  return useQuery(ConsumerService.method.listConsumers, input, { placeholderData: keepPreviousData });
}

/** useConsumer reads one dashboard or rule with its queries, each with the keys it reads and its findings. */
export function useConsumer(consumerId: string) {
  return useQuery(ConsumerService.method.getConsumer, { consumerId });
}

/** useConsumerFindings lists what is wrong between the consumers and the catalog, and what nobody reads, most severe first, then by cost. */
export function useConsumerFindings(input: MessageInitShape<typeof ListConsumerFindingsRequestSchema>) {
  return useQuery(ConsumerService.method.listConsumerFindings, input, { placeholderData: keepPreviousData });
}

/** useUsage says who reads a metric key and which of its attributes; nothing is asked while no key is given. */
export function useUsage(schemaKey: string | undefined) {
  return useQuery(ConsumerService.method.getUsage, schemaKey ? { schemaKey } : skipToken);
}
