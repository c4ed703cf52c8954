package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// playSpans sends one tick's spans: a checkout request, served by checkout
// and paid through payments (failed when failed is set, with error.type and
// an exception event), inventory's reservation with its database query, and
// an order lookup whose span name carries the order's id, as an
// instrumentation that names spans by URL path does: past the ingest's
// limit of span names, such spans are counted under their scope's schema.
func playSpans(ctx context.Context, checkout, payments, inventory, orders *service, failed bool) {
	ctx, server := checkout.tracer.Start(ctx, "POST /cart/checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("http.route", "/cart/checkout"),
			attribute.String("url.scheme", "https")))
	status := 200
	_, client := checkout.tracer.Start(ctx, "POST", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("server.address", "payments"),
			attribute.Int("server.port", 8080), attribute.String("url.full", "http://payments:8080/payments")))
	_, paid := payments.tracer.Start(ctx, "POST /payments", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("http.route", "/payments")))
	if failed {
		status = 500
		for _, s := range []trace.Span{server, client, paid} {
			s.SetAttributes(attribute.String("error.type", "500"))
			s.SetStatus(codes.Error, "payment declined")
		}
		paid.RecordError(errors.New("payment declined"))
	}
	for _, s := range []trace.Span{server, client, paid} {
		s.SetAttributes(attribute.Int("http.response.status_code", status))
	}
	paid.End()
	client.End()
	server.End()

	ctx, reserve := inventory.tracer.Start(context.Background(), "inventory.reserve", trace.WithSpanKind(trace.SpanKindInternal))
	_, query := inventory.tracer.Start(ctx, "SELECT stock", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", "SELECT"),
			attribute.String("db.collection.name", "stock")))
	query.End()
	reserve.End()

	id := rand.IntN(1_000_000)
	_, lookup := orders.tracer.Start(context.Background(), fmt.Sprintf("GET /orders/%d", id), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("url.path", fmt.Sprintf("/orders/%d", id))))
	lookup.End()
}
