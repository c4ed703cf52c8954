import { createFileRoute } from "@tanstack/react-router";
import { ConsumerPage } from "@/features/consumers/consumer-page";

export const Route = createFileRoute("/consumers/$consumerId")({
  component: function ConsumerRoute() {
    const { consumerId } = Route.useParams();
    return <ConsumerPage consumerId={consumerId} />;
  },
});
