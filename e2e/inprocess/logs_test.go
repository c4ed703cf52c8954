package inprocess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// secret marks every body value and message the test sends, none of which
// may reach the catalog.
const secret = "SECRET-VALUE"

// TestSDKLogs sends log records through the Go SDK's Logs API: events with
// map bodies, and a logger's messages without an event name at several
// severities. The catalog gets one schema per event name with its body keys
// and their presence, the messages under their logger's schema with its
// severity fields and their values as examples, the records' attributes
// counted, their bytes, and never a body value or a message.
func TestSDKLogs(t *testing.T) {
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())
	ctx := context.Background()
	exp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(ing.grpcAddr), otlploggrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)),
		sdklog.WithResource(resource.NewSchemaless(attribute.String("service.name", "checkout"), attribute.String("service.version", "1.2.0"))))
	t.Cleanup(func() { lp.Shutdown(context.Background()) })

	checkout, payments := lp.Logger("com.example.checkout"), lp.Logger("com.example.payments")
	const views, withReferrer, messages = 12, 4, 9
	for n := range views {
		var r otellog.Record
		r.SetEventName("browser.page_view")
		r.SetSeverity(otellog.SeverityInfo)
		page := []attribute.KeyValue{attribute.String("url", fmt.Sprintf("https://shop/%s/%d", secret, n)), attribute.String("title", secret)}
		body := []attribute.KeyValue{attribute.Map("page", page...)}
		if n < withReferrer {
			body = append(body, attribute.String("referrer", secret))
		}
		r.SetBody(attribute.MapValue(body...))
		r.AddAttributes(attribute.String("session.id", fmt.Sprint("session-", n%3)))
		checkout.Emit(ctx, r)
	}
	for n := range messages {
		var r otellog.Record
		r.SetSeverity([]otellog.Severity{otellog.SeverityInfo, otellog.SeverityWarn, otellog.SeverityError}[n%3])
		r.SetSeverityText([]string{"INFO", "WARN", "ERROR"}[n%3])
		r.SetBody(attribute.StringValue(fmt.Sprintf("order %d placed: %s", n, secret)))
		r.AddAttributes(attribute.String("code.function.name", "checkout.Place"))
		checkout.Emit(ctx, r)
	}
	var failed otellog.Record
	failed.SetEventName("payment.failed")
	failed.SetBody(attribute.MapValue(attribute.Float64("amount", 12.5), attribute.String("currency", secret)))
	payments.Emit(ctx, failed)
	if err := lp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	client := cat.client()
	schemas := map[string]*tallycatv1.Schema{}
	testenv.Eventually(t, 15*time.Second, "the log keys are in the catalog", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		keys, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_LOG}})
		if err != nil {
			return err
		}
		var names []string
		for _, k := range keys.SchemaKeys {
			names = append(names, k.SchemaKey)
			res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: k.SchemaKey, Signal: tallycatv1.Signal_SIGNAL_LOG})
			if err != nil {
				return err
			}
			if len(res.Schemas) != 1 {
				return fmt.Errorf("%s: %d schemas, want 1", k.SchemaKey, len(res.Schemas))
			}
			schemas[k.SchemaKey] = res.Schemas[0]
		}
		if got := strings.Join(names, " "); got != "browser.page_view com.example.checkout payment.failed" {
			return fmt.Errorf("log keys %s", got)
		}
		return nil
	})

	view := schemas["browser.page_view"]
	fields := signalFields(view)
	if view.DataPointCount != views || view.ByScope {
		t.Errorf("browser.page_view = %v, want %d records", view, views)
	}
	for key, want := range map[string]tallycatv1.FieldPresence{
		"FIELD_SOURCE_BODY  body": Always, "FIELD_SOURCE_BODY  body.page.url": Always, "FIELD_SOURCE_BODY  body.page.title": Always,
		"FIELD_SOURCE_BODY  body.referrer": Sometimes, "FIELD_SOURCE_LOG_RECORD  session.id": Always, "FIELD_SOURCE_SEVERITY  severity_number": Always,
	} {
		if f := fields[key]; f == nil || f.Presence != want {
			t.Errorf("browser.page_view's %s = %v, want %v", key, f, want)
		}
	}
	if f := fields["FIELD_SOURCE_BODY  body.referrer"]; f != nil && f.SeenRatio != float64(withReferrer)/views {
		t.Errorf("body.referrer seen on %.3f of the records, want %d of %d", f.SeenRatio, withReferrer, views)
	}
	logger := schemas["com.example.checkout"]
	fields = signalFields(logger)
	if !logger.ByScope || logger.DataPointCount != messages {
		t.Errorf("the logger's schema = %v, want %d records grouped by scope", logger, messages)
	}
	for _, key := range []string{"FIELD_SOURCE_BODY  body", "FIELD_SOURCE_SEVERITY  severity_number", "FIELD_SOURCE_SEVERITY  severity_text", "FIELD_SOURCE_LOG_RECORD  code.function.name"} {
		if f := fields[key]; f == nil || f.Presence != Always {
			t.Errorf("the logger's %s = %v, want always", key, f)
		}
	}
	if f := fields["FIELD_SOURCE_BODY  body"]; f != nil && f.ValueType != tallycatv1.ValueType_VALUE_TYPE_STRING {
		t.Errorf("the logger's body is a %v, want a string", f.ValueType)
	}
	if p := signalFields(schemas["payment.failed"]); p["FIELD_SOURCE_BODY  body.amount"].GetValueType() != tallycatv1.ValueType_VALUE_TYPE_DOUBLE {
		t.Errorf("payment.failed's fields = %v, want body.amount a double", p)
	}

	// Nothing the catalog tells of them holds a body value or a message.
	for key, s := range schemas {
		d, err := client.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: s.SchemaId})
		if err != nil {
			t.Fatal(err)
		}
		events, err := client.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: key, Signal: tallycatv1.Signal_SIGNAL_LOG})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []proto.Message{s, d, events} {
			if b, _ := protojson.Marshal(m); strings.Contains(string(b), secret) {
				t.Errorf("%s: the catalog holds a value: %s", key, b)
			}
		}
		if c := d.Schema.Cost; c == nil || c.LogBytes < 20*c.DataPoints || c.LogBytes > 1000*c.DataPoints || c.LogBytesPerMinute <= 0 {
			t.Errorf("%s: cost %v, want the records' bytes (tens to hundreds each) and their rate", key, c)
		}
	}
	checkLogCostFigures(t, client, schemas, messages, views)
}

// checkLogCostFigures: the logger's severity values are its examples with
// their shares, its records' attribute is counted, its body is not counted,
// and the page views' session ids are counted with their values.
func checkLogCostFigures(t *testing.T, client tallycatv1connect.CatalogServiceClient, schemas map[string]*tallycatv1.Schema, messages, views int) {
	t.Helper()
	detail := func(key string) map[string]*tallycatv1.Field {
		d, err := client.GetSchema(context.Background(), &tallycatv1.GetSchemaRequest{SchemaId: schemas[key].SchemaId})
		if err != nil {
			t.Fatal(err)
		}
		return signalFields(d.Schema)
	}
	examples := func(f *tallycatv1.Field) string {
		var out []string
		for _, v := range f.GetExampleValues() {
			out = append(out, fmt.Sprintf("%s:%d", v.Value, v.DataPoints))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	third := messages / 3
	logger := detail("com.example.checkout")
	if f := logger["FIELD_SOURCE_SEVERITY  severity_text"]; f.GetExampleValuesState() != Kept || examples(f) != fmt.Sprintf("ERROR:%d INFO:%d WARN:%d", third, third, third) {
		t.Errorf("severity_text = %v, want INFO, WARN and ERROR on a third of the records each", f)
	}
	if f := logger["FIELD_SOURCE_SEVERITY  severity_number"]; examples(f) != fmt.Sprintf("13:%d 17:%d 9:%d", third, third, third) {
		t.Errorf("severity_number = %v, want 9, 13 and 17 (INFO, WARN, ERROR)", f)
	}
	if f := logger["FIELD_SOURCE_LOG_RECORD  code.function.name"]; f.GetDistinctEstimate() != 1 || examples(f) != fmt.Sprintf("checkout.Place:%d", messages) {
		t.Errorf("code.function.name = %v, want one value on every record", f)
	}
	if f := logger["FIELD_SOURCE_BODY  body"]; f.GetExampleValuesState() != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_COUNTED || f.GetDistinctEstimate() != 0 {
		t.Errorf("the logger's body = %v, want not counted", f)
	}
	if f := detail("browser.page_view")["FIELD_SOURCE_LOG_RECORD  session.id"]; f.GetDistinctEstimate() != 3 || examples(f) != fmt.Sprintf("session-0:%d session-1:%d session-2:%d", views/3, views/3, views/3) {
		t.Errorf("session.id = %v, want three sessions", f)
	}
}
