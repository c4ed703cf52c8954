package api

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// ObservationHandler implements tallycatv1connect.ObservationServiceHandler.
type ObservationHandler struct {
	Store catalog.Store
}

var _ tallycatv1connect.ObservationServiceHandler = (*ObservationHandler)(nil)

// RecordObservations implements tallycatv1connect.ObservationServiceHandler.
// It computes every schema id itself from the shape it was sent.
func (h *ObservationHandler) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	obs := make([]catalog.Observation, len(req.GetObservations()))
	ids := make([]string, len(obs))
	for i, o := range req.GetObservations() {
		if o.GetLastObserved().AsTime().Before(o.GetFirstObserved().AsTime()) {
			return nil, toConnectError(ctx, catalog.Errorf(catalog.EINVALID, "observations[%d]: last_observed is before first_observed", i))
		}
		shape := schemaid.Shape{
			Name: o.GetMetricName(), Type: o.GetMetricType(), Unit: o.GetUnit(),
			Attributes: attributes(o.GetDataPointAttributes()),
		}
		// Keep only what the type carries, so that the stored shape is the
		// one the id was computed from.
		if schemaid.HasTemporality(shape.Type) {
			shape.Temporality = o.GetTemporality()
		}
		if schemaid.HasMonotonic(shape.Type) {
			shape.Monotonic = o.GetMonotonic()
		}
		shape.Normalize()
		p := o.GetProducer()
		obs[i] = catalog.Observation{
			SchemaID: schemaid.ID(shape), Shape: shape, Description: o.GetDescription(),
			Producer: catalog.ProducerIdentity{
				ServiceName: p.GetServiceName(), ServiceNamespace: p.GetServiceNamespace(),
				ServiceVersion: p.GetServiceVersion(), ServiceInstanceID: p.GetServiceInstanceId(),
			},
			ScopeName: o.GetScopeName(), ScopeVer: o.GetScopeVersion(),
			ResourceAttributes: attributes(o.GetResourceAttributes()),
			ScopeAttributes:    attributes(o.GetScopeAttributes()),
			DataPoints:         o.GetDataPointCount(),
			FirstObserved:      o.GetFirstObserved().AsTime(),
			LastObserved:       o.GetLastObserved().AsTime(),
		}
		ids[i] = obs[i].SchemaID
	}
	res, err := h.Store.RecordObservations(ctx, req.GetBatchId(), obs)
	if err != nil {
		return nil, toConnectError(ctx, fmt.Errorf("batch %s: %w", req.GetBatchId(), err))
	}
	return &tallycatv1.RecordObservationsResponse{SchemaIds: ids, NewSchemas: uint32(res.NewSchemas), Duplicate: res.Duplicate}, nil
}

func attributes(keys []*tallycatv1.AttributeKey) []schemaid.Attribute {
	out := make([]schemaid.Attribute, len(keys))
	for i, k := range keys {
		out[i] = schemaid.Attribute{Key: k.GetName(), Type: k.GetValueType()}
	}
	return out
}
