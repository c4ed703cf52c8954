// Package sdkcapture captures what the OpenTelemetry Go SDK really sends:
// the one export its OTLP/HTTP exporter makes of what a test records. The
// capture of an HTTP server's instruments is the yardstick both the
// scanner's benchmark (infer's BenchmarkScanCaptured) and the running
// ingest's (e2e's BenchmarkOTLPLoopback) read, so it lives here once:
// the two benchmarks then replay the same export, made the same way, and
// their figures can be set side by side.
package sdkcapture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// Export returns the body of the export the OpenTelemetry Go SDK's
// OTLP/HTTP exporter makes of what record records, as the SDK encodes it
// (uncompressed protobuf), from a resource whose service.name is "sdk".
// The periodic reader's interval is an hour, so the SDK exports only when
// flushed and when shut down; its temporality is cumulative, so both
// exports carry the same points, and the body kept is the last. tb fails
// when the SDK sends nothing.
func Export(tb testing.TB, record func(context.Context, metric.Meter)) []byte {
	tb.Helper()
	var body []byte
	var readErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, readErr = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	ctx := context.Background()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(srv.URL+"/v1/metrics"), otlpmetrichttp.WithCompression(otlpmetrichttp.NoCompression))
	if err != nil {
		tb.Fatalf("making the SDK's OTLP/HTTP exporter to %s: %v", srv.URL, err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "sdk"))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	record(ctx, mp.Meter("sdk-seed"))
	if err := mp.ForceFlush(ctx); err != nil {
		tb.Fatalf("flushing the SDK's export: %v", err)
	}
	if err := mp.Shutdown(ctx); err != nil {
		tb.Fatalf("shutting the SDK's meter provider down: %v", err)
	}
	if readErr != nil {
		tb.Fatalf("reading the SDK's export: %v", readErr)
	}
	if len(body) == 0 {
		tb.Fatal("the SDK sent nothing")
	}
	return body
}

// HTTPServerExport is the SDK's export of RecordHTTPServer's instruments:
// the captured export the benchmarks replay.
func HTTPServerExport(tb testing.TB) []byte {
	tb.Helper()
	return Export(tb, RecordHTTPServer)
}

// RecordHTTPServer records what the OpenTelemetry Go SDK instrumenting an
// HTTP server records under the semantic conventions: a request duration
// and a response body size for each of 4 methods × 10 routes × 3 status
// codes, and the active requests of each method.
// Its instruments' names are the conventions' own, so the SDK refusing
// one is a broken SDK, and it panics.
func RecordHTTPServer(ctx context.Context, m metric.Meter) {
	duration, durationErr := m.Float64Histogram("http.server.request.duration", metric.WithUnit("s"))
	active, activeErr := m.Int64UpDownCounter("http.server.active_requests", metric.WithUnit("{request}"))
	size, sizeErr := m.Int64Histogram("http.server.response.body.size", metric.WithUnit("By"))
	if err := errors.Join(durationErr, activeErr, sizeErr); err != nil {
		panic(fmt.Sprintf("making an HTTP server's semantic-convention instruments: %v", err))
	}
	for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
		active.Add(ctx, 1, metric.WithAttributes(attribute.String("http.request.method", method), attribute.String("url.scheme", "https")))
		for r := range 10 {
			for _, status := range []int{200, 404, 500} {
				attrs := metric.WithAttributes(attribute.String("http.request.method", method), attribute.String("http.route", fmt.Sprintf("/api/v1/items/%d", r)),
					attribute.Int("http.response.status_code", status), attribute.String("url.scheme", "https"), attribute.String("network.protocol.version", "1.1"))
				duration.Record(ctx, 0.05, attrs)
				size.Record(ctx, 512, attrs)
			}
		}
	}
}
