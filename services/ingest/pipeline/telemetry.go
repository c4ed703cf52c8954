package pipeline

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tallycat/tallycat/services/ingest/forward"
)

// Instruments are the ingest's own metrics: per request, never per point.
type Instruments struct {
	requests metric.Int64Counter
	points   metric.Int64Counter
	// duration covers both receivers: the fast OTLP/gRPC path does not run
	// the RPC interceptors that would otherwise time it.
	duration metric.Float64Histogram
}

var (
	resultOK         = metric.WithAttributes(attribute.String("result", "ok"))
	resultPartial    = metric.WithAttributes(attribute.String("result", "partial"))
	resultMalformed  = metric.WithAttributes(attribute.String("result", "malformed"))
	resultOverloaded = metric.WithAttributes(attribute.String("result", "overloaded"))
	outcomeAccepted  = metric.WithAttributes(attribute.String("outcome", "accepted"))
	outcomeRejected  = metric.WithAttributes(attribute.String("outcome", "rejected"))
)

// NewInstruments creates the ingest's instruments on meter, including
// observations of the forwarder's buffer, batches and retries.
func NewInstruments(meter metric.Meter, fwd *forward.Forwarder) (*Instruments, error) {
	var in Instruments
	var err error
	if in.requests, err = meter.Int64Counter("tallycat.ingest.requests", metric.WithUnit("{request}"),
		metric.WithDescription("OTLP export requests received, by result.")); err != nil {
		return nil, err
	}
	if in.points, err = meter.Int64Counter("tallycat.ingest.data_points", metric.WithUnit("{data_point}"),
		metric.WithDescription("Data points received, by outcome.")); err != nil {
		return nil, err
	}
	if in.duration, err = meter.Float64Histogram("tallycat.ingest.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Time to infer and take in an OTLP export request, by result."),
		metric.WithExplicitBucketBoundaries(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)); err != nil {
		return nil, err
	}
	pending, _ := meter.Int64ObservableGauge("tallycat.ingest.pending", metric.WithUnit("{observation}"),
		metric.WithDescription("New observations waiting for the catalog."))
	known, _ := meter.Int64ObservableGauge("tallycat.ingest.known", metric.WithUnit("{observation}"),
		metric.WithDescription("Observations remembered as reported."))
	batches, _ := meter.Int64ObservableCounter("tallycat.ingest.batches", metric.WithUnit("{batch}"),
		metric.WithDescription("Batches the catalog acknowledged."))
	retries, _ := meter.Int64ObservableCounter("tallycat.ingest.retries", metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts to reach the catalog that failed and were retried."))
	dropped, _ := meter.Int64ObservableCounter("tallycat.ingest.dropped", metric.WithUnit("{observation}"),
		metric.WithDescription("Observations the catalog refused for good."))
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := fwd.Stats()
		o.ObserveInt64(pending, int64(s.Pending))
		o.ObserveInt64(known, int64(s.Known))
		o.ObserveInt64(batches, s.Batches)
		o.ObserveInt64(retries, s.Retries)
		o.ObserveInt64(dropped, s.Dropped)
		return nil
	}, pending, known, batches, retries, dropped)
	return &in, err
}
