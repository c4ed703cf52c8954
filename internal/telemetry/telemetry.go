// Package telemetry sets up the OpenTelemetry SDK for TallyCat's own
// metrics. Pointed at an ingest (its own, even), TallyCat catalogs itself.
package telemetry

import (
	"context"
	"flag"
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

// Config says where a service's own metrics go.
type Config struct {
	Endpoint string // host:port of an OTLP/gRPC receiver; empty: nowhere
	Interval time.Duration
}

// DefaultConfig exports nothing until an endpoint is given.
func DefaultConfig() Config { return Config{Interval: 15 * time.Second} }

// AddFlags defines --telemetry-otlp-endpoint and --telemetry-interval.
func (c *Config) AddFlags(fs *flag.FlagSet, service string) {
	fs.StringVar(&c.Endpoint, "telemetry-otlp-endpoint", c.Endpoint, "host:port of an OTLP/gRPC receiver for "+service+"'s own metrics (an ingest catalogs them); empty: off")
	fs.DurationVar(&c.Interval, "telemetry-interval", c.Interval, "how often "+service+"'s own metrics are exported")
}

// Telemetry is a service's meter provider and how to stop it.
type Telemetry struct {
	Meters   metric.MeterProvider
	shutdown func(context.Context) error
}

// Setup exports the service's metrics over OTLP/gRPC (plain text) to
// endpoint (host:port) every interval; with no endpoint, metrics go nowhere.
func Setup(ctx context.Context, service string, c Config) (*Telemetry, error) {
	endpoint, interval := c.Endpoint, c.Interval
	if endpoint == "" {
		return &Telemetry{Meters: noop.NewMeterProvider(), shutdown: func(context.Context) error { return nil }}, nil
	}
	// Short timeouts and retries: a service's own metrics must never hold up
	// its shutdown, even when the receiver (often the ingest itself) has
	// already gone.
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure(),
		otlpmetricgrpc.WithTimeout(5*time.Second),
		otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{Enabled: true, InitialInterval: time.Second, MaxInterval: 5 * time.Second, MaxElapsedTime: 10 * time.Second}))
	if err != nil {
		return nil, fmt.Errorf("telemetry exporter: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(Resource(service)),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval))))
	return &Telemetry{Meters: mp, shutdown: mp.Shutdown}, nil
}

// Resource is what a TallyCat service's own telemetry says of its source:
// the service name, namespace tallycat, the build's version, and an
// instance id of host and process.
func Resource(service string) *resource.Resource {
	host, _ := os.Hostname()
	return resource.NewSchemaless(
		attribute.String("service.name", service), attribute.String("service.namespace", "tallycat"),
		attribute.String("service.version", version.String()),
		attribute.String("service.instance.id", fmt.Sprintf("%s-%d", host, os.Getpid())),
	)
}

// ShutdownTimeout bounds how long Shutdown tries to send what is left.
const ShutdownTimeout = 3 * time.Second

// Shutdown sends what is left, for at most ShutdownTimeout, and stops the
// exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ShutdownTimeout)
	defer cancel()
	return t.shutdown(ctx)
}

// RPCInterceptor measures RPC latency and outcomes (otelconnect), without
// traces, on t's meters.
func (t *Telemetry) RPCInterceptor() (connect.Interceptor, error) {
	return otelconnect.NewInterceptor(otelconnect.WithMeterProvider(t.Meters), otelconnect.WithoutTracing())
}
