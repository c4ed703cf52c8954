package catalog

import "slices"

// TallyCat's own telemetry. Pointed at an ingest (--telemetry-otlp-endpoint,
// as `make run` and the demo do), the catalog and the ingest report their
// own metrics, and the catalog lists them beside a team's: in a demo
// fleet of five services, nine of fourteen metrics, the top of the
// Cardinality page and the worst service on the Conformance page were
// TallyCat's. They stay in the catalog, useful to whoever runs it; the
// lists can leave them out (the requests' exclude_self_telemetry).
//
// A producer is TallyCat's when its resource says so as
// internal/telemetry.Resource writes it: service.namespace tallycat and
// one of SelfServices as service.name. Both are asked for, so that a team
// whose own service happens to be named tallycat-ingest in its own
// namespace is never hidden. The scope names are no help: TallyCat's RPC
// metrics come through otelconnect, as a team's Connect services' do.
//
// A key is TallyCat's own when every release that ever sent it is
// TallyCat's. A key that a team's service sends too (rpc.server.call.duration
// from a team's Connect service) is theirs as well, and stays listed.

// SelfNamespace is the service.namespace of TallyCat's own telemetry.
const SelfNamespace = "tallycat"

// SelfServices are the service.name values of TallyCat's own telemetry,
// one per binary that reports it.
var SelfServices = []string{"tallycat-catalog", "tallycat-ingest"}

// IsSelf reports whether a release is one of TallyCat's own services.
func IsSelf(namespace, name string) bool {
	return namespace == SelfNamespace && slices.Contains(SelfServices, name)
}

// IsSelf reports whether the release is one of TallyCat's own services.
func (r ReleaseIdentity) IsSelf() bool { return IsSelf(r.ServiceNamespace, r.ServiceName) }
