package pipeline

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tallycat/tallycat/internal/schemaid"
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

// The attributes of the instruments, made once: a request's result or an
// item's outcome, with the signal (metric, span, log) of the request.
const (
	resultOK = iota
	resultPartial
	resultMalformed
	resultOverloaded
)

const (
	outcomeAccepted = iota
	outcomeRejected
)

var (
	signals     = schemaid.Signals
	resultSets  = attributeSets("result", "ok", "partial", "malformed", "overloaded")
	outcomeSets = attributeSets("outcome", "accepted", "rejected")
)

// attributeSets are the options that record key=value and the signal, by
// signal index and by the index of value.
func attributeSets(key string, values ...string) [][]metric.MeasurementOption {
	out := make([][]metric.MeasurementOption, len(signals))
	for i, sig := range signals {
		for _, v := range values {
			out[i] = append(out[i], metric.WithAttributes(attribute.String(key, v), attribute.String("signal", sig.String())))
		}
	}
	return out
}

// signalIndex is the index of sig in signals.
func signalIndex(sig schemaid.Signal) int {
	if int(sig) < len(signals) {
		return int(sig)
	}
	return 0
}

// NewInstruments creates the ingest's instruments on meter, including
// observations of the forwarder's buffer, batches and retries.
func NewInstruments(meter metric.Meter, fwd *forward.Forwarder) (*Instruments, error) {
	var in Instruments
	var err error
	if in.requests, err = meter.Int64Counter("tallycat.ingest.requests", metric.WithUnit("{request}"),
		metric.WithDescription("OTLP export requests received, by signal and result.")); err != nil {
		return nil, err
	}
	if in.points, err = meter.Int64Counter("tallycat.ingest.data_points", metric.WithUnit("{data_point}"),
		metric.WithDescription("Data points, spans and log records received, by signal and outcome.")); err != nil {
		return nil, err
	}
	if in.duration, err = meter.Float64Histogram("tallycat.ingest.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Time to infer and take in an OTLP export request, by signal and result."),
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
	refused, _ := meter.Int64ObservableCounter("tallycat.ingest.signal_refused", metric.WithUnit("{observation}"),
		metric.WithDescription("Span and log observations dropped because the catalog does not take their signal (a catalog older than the ingest); among tallycat.ingest.dropped."))
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := fwd.Stats()
		o.ObserveInt64(pending, int64(s.Pending))
		o.ObserveInt64(known, int64(s.Known))
		o.ObserveInt64(batches, s.Batches)
		o.ObserveInt64(retries, s.Retries)
		o.ObserveInt64(dropped, s.Dropped)
		o.ObserveInt64(refused, s.SignalRefused)
		return nil
	}, pending, known, batches, retries, dropped, refused)
	return &in, err
}
