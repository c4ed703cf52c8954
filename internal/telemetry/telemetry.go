// Package telemetry sets up the OpenTelemetry SDK for TallyCat's own
// metrics. Pointed at an ingest (its own, even), TallyCat catalogs itself.
package telemetry

import (
	"context"
	"fmt"
	"os"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/tallycat/tallycat/internal/version"
)

// Telemetry is a service's meter provider and how to stop it.
type Telemetry struct {
	Meters   metric.MeterProvider
	shutdown func(context.Context) error
}

// Setup exports the service's metrics over OTLP/gRPC (plain text) to
// endpoint (host:port) every interval; with no endpoint, metrics go nowhere.
func Setup(ctx context.Context, service, endpoint string, interval time.Duration) (*Telemetry, error) {
	if endpoint == "" {
		return &Telemetry{Meters: noop.NewMeterProvider(), shutdown: func(context.Context) error { return nil }}, nil
	}
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure())
	if err != nil {
		return nil, fmt.Errorf("telemetry exporter: %w", err)
	}
	host, _ := os.Hostname()
	res := resource.NewSchemaless(
		attribute.String("service.name", service), attribute.String("service.namespace", "tallycat"),
		attribute.String("service.version", version.String()),
		attribute.String("service.instance.id", fmt.Sprintf("%s-%d", host, os.Getpid())),
	)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval))))
	return &Telemetry{Meters: mp, shutdown: mp.Shutdown}, nil
}

// Shutdown sends what is left and stops the exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// RPCInterceptor measures RPC latency and outcomes (otelconnect), without
// traces, on t's meters.
func (t *Telemetry) RPCInterceptor() (connect.Interceptor, error) {
	return otelconnect.NewInterceptor(otelconnect.WithMeterProvider(t.Meters), otelconnect.WithoutTracing())
}
