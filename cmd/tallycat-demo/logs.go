package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
)

// playLogs sends one tick's log records through the Logs API: checkout's
// checkout.completed event with a map body (its coupon only sometimes),
// payments' payment.failed event when failed is set, and cart's messages,
// which have no event name and so are cataloged under cart's logger with
// their severity. Only the shapes reach the catalog: the body's values and
// the messages stay in the demo.
func playLogs(ctx context.Context, checkout, payments, cart *service, failed bool) {
	if !failed {
		var r otellog.Record
		r.SetEventName("checkout.completed")
		r.SetSeverity(otellog.SeverityInfo)
		order := []attribute.KeyValue{attribute.Int("items", 1+rand.IntN(5)), attribute.Float64("total", 10+rand.Float64()*90)}
		body := []attribute.KeyValue{attribute.Map("order", order...), attribute.String("currency", "EUR")}
		if rand.IntN(3) == 0 {
			body = append(body, attribute.String("coupon", "SPRING"))
		}
		r.SetBody(attribute.MapValue(body...))
		r.AddAttributes(attribute.String("session.id", fmt.Sprintf("s-%06d", rand.IntN(1_000_000))))
		checkout.logger.Emit(ctx, r)
	} else {
		var r otellog.Record
		r.SetEventName("payment.failed")
		r.SetSeverity(otellog.SeverityError)
		r.SetBody(attribute.MapValue(attribute.String("reason", "declined"), attribute.Float64("amount", rand.Float64()*100)))
		payments.logger.Emit(ctx, r)
	}

	var r otellog.Record
	severity, text := otellog.SeverityInfo, "INFO"
	if rand.IntN(5) == 0 {
		severity, text = otellog.SeverityWarn, "WARN"
	}
	r.SetSeverity(severity)
	r.SetSeverityText(text)
	r.SetBody(attribute.StringValue(fmt.Sprintf("item %d added to cart %d", rand.IntN(100), rand.IntN(10_000))))
	r.AddAttributes(attribute.String("code.function.name", "cart.Add"))
	cart.logger.Emit(ctx, r)
}
