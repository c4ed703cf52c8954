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
// Point it at an ingest (or a Collector in front of one) and open the UI.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

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

// service is one simulated service with its own SDK pipeline.
type service struct {
	provider *sdkmetric.MeterProvider
	meter    metric.Meter
}

func newService(ctx context.Context, c Config, name, version string) (*service, error) {
	exp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(c.Endpoint), otlpmetricgrpc.WithInsecure())
	if err != nil {
		return nil, err
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", name), attribute.String("service.namespace", "shop"),
		attribute.String("service.version", version), attribute.String("service.instance.id", fmt.Sprintf("%s-%04x", name, rand.IntN(1<<16))),
		attribute.String("deployment.environment.name", "demo"),
	)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(c.Interval))))
	return &service{provider: mp, meter: mp.Meter("example.com/shop/" + name)}, nil
}

// Run plays the fleet until ctx ends.
func Run(ctx context.Context, c Config) error {
	checkout, err := newService(ctx, c, "checkout", "1.4.2")
	if err != nil {
		return err
	}
	payments, _ := newService(ctx, c, "payments", "2.0.0")
	inventory, _ := newService(ctx, c, "inventory", "0.9.1")
	orders, _ := newService(ctx, c, "orders", "3.2.0")
	cart, _ := newService(ctx, c, "cart", "1.0.0")
	all := []*service{checkout, payments, inventory, orders, cart}
	defer func() {
		for _, s := range all {
			s.provider.Shutdown(context.Background())
		}
	}()

	sec, _ := checkout.meter.Float64Histogram("http.server.request.duration", metric.WithUnit("s"), metric.WithDescription("Duration of HTTP server requests."))
	ms, _ := payments.meter.Float64Histogram("http.server.request.duration", metric.WithUnit("ms"), metric.WithDescription("Duration of HTTP server requests."))
	invDB, _ := inventory.meter.Float64Histogram("db.client.operation.duration", metric.WithUnit("s"))
	ordDB, _ := orders.meter.Float64Histogram("db.client.operation.duration", metric.WithUnit("s"))
	queue, _ := orders.meter.Int64UpDownCounter("messaging.queue.depth", metric.WithUnit("{message}"))
	added, _ := cart.meter.Int64Counter("cart.items.added", metric.WithUnit("{item}"), metric.WithDescription("Items added to carts."))

	upgraded := false
	start := time.Now()
	slog.Info("demo fleet running", "endpoint", c.Endpoint, "services", len(all))
	for tick := time.NewTicker(200 * time.Millisecond); ; {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		method := []string{"GET", "POST"}[rand.IntN(2)]
		if rand.IntN(10) == 0 {
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
			cart.provider.Shutdown(context.Background())
			if cart, err = newService(ctx, c, "cart", "1.1.0"); err != nil {
				return err
			}
			all[4] = cart
			added, _ = cart.meter.Int64Counter("cart.items.added", metric.WithUnit("{item}"), metric.WithDescription("Items added to carts."))
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
