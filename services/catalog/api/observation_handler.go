package api

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// ObservationHandler implements tallycatv1connect.ObservationServiceHandler.
type ObservationHandler struct {
	Store catalog.Store
	// Changes, when set, hears of the timeline entries each batch wrote.
	Changes SchemaChangeEmitter
}

// SchemaChangeEmitter hears of the timeline entries a recorded batch wrote,
// once the batch is committed (a duplicate batch wrote none), for example to
// send them as events. It must not block: the sender of the batch waits.
type SchemaChangeEmitter interface {
	EmitSchemaChanges(ctx context.Context, events []catalog.Event)
}

var _ tallycatv1connect.ObservationServiceHandler = (*ObservationHandler)(nil)

// RecordObservations implements tallycatv1connect.ObservationServiceHandler.
// It only converts: the catalog recomputes every id from the shapes it is
// sent (catalog.Observation.Normalize), so no client can file a shape under
// a forged id.
func (h *ObservationHandler) RecordObservations(ctx context.Context, req *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	obs := make([]catalog.Observation, len(req.GetObservations()))
	for i, o := range req.GetObservations() {
		series, fields, err := figures(i, o)
		if err != nil {
			return nil, toConnectError(ctx, err)
		}
		p := o.GetProducer()
		sig, name := schemaid.SignalFromAPI(o.GetSignal()), o.GetName()
		if sig == schemaid.Metric {
			name = o.GetMetricName()
		}
		obs[i] = catalog.Observation{
			Shape: schemaid.Shape{
				Signal: sig, Name: name, Type: o.GetMetricType(), Unit: o.GetUnit(), Temporality: o.GetTemporality(),
				Monotonic: o.GetMonotonic(), SpanKind: schemaid.SpanKind(o.GetSpanKind()), ByScope: o.GetByScope(),
				Attributes: attributes(o.GetDataPointAttributes()),
			},
			Errors:       o.GetErrorCount(),
			NameExamples: o.GetNameExamples(),
			Description:  o.GetDescription(),
			Producer: catalog.ProducerIdentity{
				ServiceName: p.GetServiceName(), ServiceNamespace: p.GetServiceNamespace(),
				ServiceVersion: p.GetServiceVersion(), ServiceInstanceID: p.GetServiceInstanceId(),
			},
			ScopeName: o.GetScopeName(), ScopeVersion: o.GetScopeVersion(),
			ResourceAttributes: attributes(o.GetResourceAttributes()),
			ScopeAttributes:    attributes(o.GetScopeAttributes()),
			DataPoints:         o.GetDataPointCount(),
			FirstObserved:      o.GetFirstObserved().AsTime(),
			LastObserved:       o.GetLastObserved().AsTime(),
			Series:             series,
			Fields:             fields,
			RecordBytes:        o.GetLogRecordBytes(),
		}
	}
	res, err := h.Store.RecordObservations(ctx, req.GetBatchId(), obs)
	if err != nil {
		return nil, toConnectError(ctx, fmt.Errorf("batch %s: %w", req.GetBatchId(), err))
	}
	if h.Changes != nil && len(res.Events) > 0 {
		h.Changes.EmitSchemaChanges(ctx, res.Events)
	}
	return &tallycatv1.RecordObservationsResponse{SchemaIds: res.SchemaIDs, NewSchemas: uint32(res.NewSchemas), Duplicate: res.Duplicate}, nil
}

// attributes converts attribute keys. Their sources are the API's: a
// span's or a log record's own keys (SPAN, LOG_RECORD) and a metric's
// (unset) are the item's own; EVENT, LINK, BODY and SEVERITY are kept as
// they are, an EVENT key with its event's name. The API's rules allow each
// signal its own sources only; the catalog checks the shape again.
func attributes(keys []*tallycatv1.AttributeKey) []schemaid.Attribute {
	out := make([]schemaid.Attribute, len(keys))
	for i, k := range keys {
		out[i] = schemaid.Attribute{Key: k.GetName(), Type: k.GetValueType(), Source: attributeSource(k.GetSource()),
			Event: schemaid.MakeEventName(k.GetEventName())}
	}
	return out
}

// attributeSource is the shape source of an attribute key's API source;
// the rules on Observation refuse the sources a shape does not have.
func attributeSource(src tallycatv1.FieldSource) schemaid.Source {
	s, _ := schemaid.SourceFromAPI(src)
	return s
}

// figures converts an observation's cost figures. A set of distinct values
// that does not decode (a sketch of another precision, garbage) is refused
// as EINVALID naming the observation and the field; the catalog checks the
// rest (see catalog.PlanBatch).
func figures(i int, o *tallycatv1.Observation) (cardinality.Distinct, []catalog.FieldFigures, error) {
	series, err := cardinality.DistinctFromWire(o.GetSeries().GetHashes(), o.GetSeries().GetSketch())
	if err != nil {
		return cardinality.Distinct{}, nil, catalog.Errorf(catalog.EINVALID, "observations[%d].series: %v", i, err)
	}
	var fields []catalog.FieldFigures
	for j, f := range o.GetFields() {
		d, err := cardinality.DistinctFromWire(f.GetDistinct().GetHashes(), f.GetDistinct().GetSketch())
		if err != nil {
			return cardinality.Distinct{}, nil, catalog.Errorf(catalog.EINVALID, "observations[%d].fields[%d] (%.100q).distinct: %v", i, j, f.GetKey(), err)
		}
		values := make([]catalog.ValueCount, len(f.GetValues()))
		for k, v := range f.GetValues() {
			values[k] = catalog.ValueCount{Value: v.GetValue(), DataPoints: v.GetDataPoints()}
		}
		fields = append(fields, catalog.FieldFigures{Source: f.GetSource(), Key: f.GetKey(), Type: f.GetValueType(), Distinct: d,
			Values: values, State: f.GetValuesState()})
	}
	return series, fields, nil
}
