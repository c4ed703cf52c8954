// Command tallycat-demo plays a small fleet of services, instrumented with the
// OpenTelemetry Go SDK, whose metrics diverge the way real fleets' do:
//
//   - http.server.request.duration: checkout sends seconds and an int status
//     code; payments sends milliseconds and a string status code. One in
//     ten of checkout's requests fails and carries error.type, as semantic
//     conventions ask: one schema, with error.type sometimes present.
//   - db.client.operation.duration: inventory sends db.system.name, orders
//     does not.
//   - cart.items.added: cart 1.0.0 is upgraded to 1.1.0 after --upgrade-after
//     and then adds cart.size_bucket.
//
// They send spans and logs too (spans.go, logs.go): checkout's HTTP server
// spans, one in ten failed with error.type and an exception event, and its
// client spans to payments; inventory's database spans; orders' spans named
// with order ids, which go under their scope's schema past the ingest's
// limit of span names; checkout's checkout.completed events with a map
// body, payments' payment.failed events, and cart's messages, which have no
// event name and so fall under cart's logger.
//
// Point it at an ingest (or a Collector in front of one) and open the UI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tallycat/tallycat/internal/cli"
)

// Config is what the demo can be told.
type Config struct {
	Endpoint     string
	Interval     time.Duration
	UpgradeAfter time.Duration
	Duration     time.Duration
}

func main() {
	c := Config{Endpoint: "localhost:4317", Interval: 2 * time.Second, UpgradeAfter: 30 * time.Second}
	fs := flag.NewFlagSet("tallycat-demo", flag.ExitOnError)
	fs.StringVar(&c.Endpoint, "endpoint", c.Endpoint, "OTLP/gRPC endpoint (host:port) of an ingest or a Collector")
	fs.DurationVar(&c.Interval, "interval", c.Interval, "export interval")
	fs.DurationVar(&c.UpgradeAfter, "upgrade-after", c.UpgradeAfter, "when the cart service is upgraded to 1.1.0")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "stop after this long (0: run until stopped)")
	if err := cli.Parse(fs, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	if err := Run(ctx, c); err != nil {
		slog.Error("demo stopped", "error", err)
		os.Exit(1)
	}
}

// service is one simulated service with its own SDK pipelines, one per
// signal.
type service struct {
	name     string // and version, for messages
	provider *sdkmetric.MeterProvider
	meter    metric.Meter
	traces   *sdktrace.TracerProvider
	tracer   trace.Tracer
	logs     *sdklog.LoggerProvider
	logger   otellog.Logger
}

// newService starts a service's SDK pipelines; its error names the service
// and the signal, so that a demo that cannot start says which one failed and
// why.
func newService(ctx context.Context, c Config, name, version string) (*service, error) {
	fail := func(signal string, err error) error {
		return fmt.Errorf("start service %s %s: create its OTLP/gRPC %s exporter for %s: %w", name, version, signal, c.Endpoint, err)
	}
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(c.Endpoint), otlpmetricgrpc.WithInsecure())
	if err != nil {
		return nil, fail("metrics", err)
	}
	spans, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(c.Endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		return nil, fail("traces", err)
	}
	records, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(c.Endpoint), otlploggrpc.WithInsecure())
	if err != nil {
		return nil, fail("logs", err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", name), attribute.String("service.namespace", "shop"),
		attribute.String("service.version", version), attribute.String("service.instance.id", fmt.Sprintf("%s-%04x", name, rand.IntN(1<<16))),
		attribute.String("deployment.environment.name", "demo"),
	)
	scope := "example.com/shop/" + name
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(c.Interval))))
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(spans, sdktrace.WithBatchTimeout(c.Interval)))
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(records, sdklog.WithExportInterval(c.Interval))))
	return &service{name: name + " " + version, provider: mp, meter: mp.Meter(scope),
		traces: tp, tracer: tp.Tracer(scope), logs: lp, logger: lp.Logger(scope)}, nil
}

// Run plays the fleet until ctx ends. A service or instrument that cannot
// be created stops it with an error naming what failed: an exporter that
// failed is nil and an instrument that failed may record nothing, which
// would otherwise panic later, far from the cause, or show nothing.
func Run(ctx context.Context, c Config) error {
	var all []*service
	defer func() {
		for _, s := range all {
			shutdown(s)
		}
	}()
	for _, s := range []struct{ name, version string }{
		{"checkout", "1.4.2"}, {"payments", "2.0.0"}, {"inventory", "0.9.1"}, {"orders", "3.2.0"}, {"cart", "1.0.0"},
	} {
		svc, err := newService(ctx, c, s.name, s.version)
		if err != nil {
			return err
		}
		all = append(all, svc)
	}
	checkout, payments, inventory, orders, cart := all[0], all[1], all[2], all[3], all[4]

	var errs []error
	check := func(service, instrument string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("create %s's instrument %s: %w", service, instrument, err))
		}
	}
	sec, err := checkout.meter.Float64Histogram("http.server.request.duration", metric.WithUnit("s"), metric.WithDescription("Duration of HTTP server requests."))
	check("checkout", "http.server.request.duration", err)
	ms, err := payments.meter.Float64Histogram("http.server.request.duration", metric.WithUnit("ms"), metric.WithDescription("Duration of HTTP server requests."))
	check("payments", "http.server.request.duration", err)
	invDB, err := inventory.meter.Float64Histogram("db.client.operation.duration", metric.WithUnit("s"))
	check("inventory", "db.client.operation.duration", err)
	ordDB, err := orders.meter.Float64Histogram("db.client.operation.duration", metric.WithUnit("s"))
	check("orders", "db.client.operation.duration", err)
	queue, err := orders.meter.Int64UpDownCounter("messaging.queue.depth", metric.WithUnit("{message}"))
	check("orders", "messaging.queue.depth", err)
	added, err := cart.meter.Int64Counter("cart.items.added", metric.WithUnit("{item}"), metric.WithDescription("Items added to carts."))
	check("cart", "cart.items.added", err)
	if err := errors.Join(errs...); err != nil {
		return err
	}

	upgraded := false
	start := time.Now()
	slog.Info("demo fleet running", "endpoint", c.Endpoint, "services", len(all))
	for tick := time.NewTicker(200 * time.Millisecond); ; {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		failed := rand.IntN(10) == 0
		playSpans(ctx, checkout, payments, inventory, orders, failed)
		playLogs(ctx, checkout, payments, cart, failed)
		method := []string{"GET", "POST"}[rand.IntN(2)]
		if failed {
			sec.Record(ctx, rand.Float64(), metric.WithAttributes(attribute.String("http.request.method", method),
				attribute.Int("http.response.status_code", 500), attribute.String("error.type", "500")))
		} else {
			sec.Record(ctx, rand.Float64(), metric.WithAttributes(attribute.String("http.request.method", method), attribute.Int("http.response.status_code", 200)))
		}
		ms.Record(ctx, rand.Float64()*1000, metric.WithAttributes(attribute.String("http.request.method", method), attribute.String("http.response.status_code", "200")))
		invDB.Record(ctx, rand.Float64()/10, metric.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", "SELECT")))
		ordDB.Record(ctx, rand.Float64()/10, metric.WithAttributes(attribute.String("db.operation.name", "SELECT")))
		queue.Add(ctx, int64(rand.IntN(3))-1, metric.WithAttributes(attribute.String("messaging.destination.name", "orders")))
		if !upgraded && time.Since(start) > c.UpgradeAfter {
			// The new release of cart adds an attribute: a new shape, from
			// a new producer version.
			shutdown(cart)
			all = all[:4] // stopped once: not again on the way out
			if cart, err = newService(ctx, c, "cart", "1.1.0"); err != nil {
				return err
			}
			all = append(all, cart)
			if added, err = cart.meter.Int64Counter("cart.items.added", metric.WithUnit("{item}"), metric.WithDescription("Items added to carts.")); err != nil {
				return fmt.Errorf("create cart 1.1.0's instrument cart.items.added: %w", err)
			}
			upgraded = true
			slog.Info("cart upgraded to 1.1.0")
		}
		if upgraded {
			added.Add(ctx, 1, metric.WithAttributes(attribute.String("cart.channel", "web"), attribute.String("cart.size_bucket", "small")))
		} else {
			added.Add(ctx, 1, metric.WithAttributes(attribute.String("cart.channel", "web")))
		}
	}
}

// shutdown stops a service's SDK pipelines, which send what they have not
// yet exported; a failure loses that last export, which is worth a warning,
// not the demo.
func shutdown(s *service) {
	ctx := context.Background()
	for signal, stop := range map[string]func(context.Context) error{"metrics": s.provider.Shutdown, "traces": s.traces.Shutdown, "logs": s.logs.Shutdown} {
		if err := stop(ctx); err != nil {
			slog.Warn("stopping a demo service's SDK pipeline", "service", s.name, "signal", signal, "error", err)
		}
	}
}
