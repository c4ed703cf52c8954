package inprocess

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// service is one application instrumented with the OpenTelemetry Go SDK.
type service struct {
	provider *sdkmetric.MeterProvider
	record   func(context.Context)
}

// newService builds a meter provider for a service that exports to the
// ingest over OTLP/gRPC or OTLP/HTTP, and the instruments it records with.
// codeIsString makes the service send http.response.status_code as a
// string where the other sends an int: the divergence TallyCat exists for.
func newService(t *testing.T, ctx context.Context, name, instance string, overGRPC bool, endpoint string, codeIsString bool) *service {
	t.Helper()
	var exp sdkmetric.Exporter
	var err error
	if overGRPC {
		exp, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure())
	} else {
		exp, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(endpoint), otlpmetrichttp.WithInsecure())
	}
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", name), attribute.String("service.namespace", "shop"),
		attribute.String("service.version", "1.4.2"), attribute.String("service.instance.id", instance),
		attribute.String("host.name", "node-7"), attribute.Int("host.cpu.count", 8),
	)
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))),
		sdkmetric.WithView(sdkmetric.NewView(sdkmetric.Instrument{Name: "app.payload.size"},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 20}})),
	)
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	meter := mp.Meter("example.com/shop/"+name, metric.WithInstrumentationVersion("0.3.0"))
	requests, _ := meter.Int64Counter("app.requests", metric.WithUnit("{request}"), metric.WithDescription("Requests handled."))
	queue, _ := meter.Int64UpDownCounter("app.queue.length", metric.WithUnit("{item}"))
	latency, _ := meter.Float64Histogram("app.latency", metric.WithUnit("ms"))
	size, _ := meter.Int64Histogram("app.payload.size", metric.WithUnit("By"))
	temp, _ := meter.Float64Gauge("app.temperature", metric.WithUnit("Cel"))
	code := attribute.Int("http.response.status_code", 200)
	if codeIsString {
		code = attribute.String("http.response.status_code", "200")
	}
	return &service{provider: mp, record: func(ctx context.Context) {
		requests.Add(ctx, 1, metric.WithAttributes(attribute.String("http.request.method", "GET"), code))
		requests.Add(ctx, 1, metric.WithAttributes(attribute.String("http.request.method", "POST"), code))
		queue.Add(ctx, 3, metric.WithAttributes(attribute.String("queue", "orders")))
		latency.Record(ctx, 12.5, metric.WithAttributes(attribute.String("http.route", "/cart")))
		latency.Record(ctx, 40, metric.WithAttributes(attribute.String("http.route", "/cart"), attribute.Bool("error", true)))
		size.Record(ctx, 512)
		temp.Record(ctx, 21.5, metric.WithAttributes(attribute.Float64("sensor.weight", 0.5), attribute.StringSlice("zones", []string{"a"})))
	}}
}

func (s *service) emit(t *testing.T, ctx context.Context) {
	t.Helper()
	s.record(ctx)
	if err := s.provider.ForceFlush(ctx); err != nil {
		t.Fatalf("export: %v", err)
	}
}

// fieldsOf renders a schema's fields as "source name:type", sorted.
func fieldsOf(s *tallycatv1.Schema) []string {
	var out []string
	for _, f := range s.Fields {
		src := strings.ToLower(strings.TrimPrefix(f.Source.String(), "FIELD_SOURCE_"))
		vt := strings.ToLower(strings.TrimPrefix(f.ValueType.String(), "VALUE_TYPE_"))
		out = append(out, src+" "+f.Name+":"+vt)
	}
	slices.Sort(out)
	return out
}

func TestSDKExportersFillTheCatalog(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), filepath.Join(t.TempDir(), "catalog.duckdb"))
	ing := startIngest(t, cat.url())
	checkout := newService(t, ctx, "checkout", "checkout-1", true, ing.grpcAddr, false)
	payments := newService(t, ctx, "payments", "payments-1", false, ing.httpAddr, true)
	checkout.emit(t, ctx)
	payments.emit(t, ctx)

	client := cat.client()
	want := map[string]int{ // schema key → number of schemas
		"app.requests":     2, // status code int in checkout, string in payments
		"app.queue.length": 1,
		"app.latency":      1, // the error attribute is sometimes present: one schema

		"app.payload.size": 1,
		"app.temperature":  1,
	}
	var keys []*tallycatv1.SchemaKeySummary
	testenv.Eventually(t, 10*time.Second, "the catalog holds every metric", func() error {
		res, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
		if err != nil {
			return err
		}
		keys = res.SchemaKeys
		got := map[string]int{}
		for _, k := range keys {
			got[k.SchemaKey] = int(k.SchemaCount)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("keys %v, want %v", got, want)
		}
		return nil
	})

	types := map[string]tallycatv1.MetricType{
		"app.requests": Sum, "app.queue.length": Sum,
		"app.latency": Histogram, "app.payload.size": ExpHistogram,
		"app.temperature": Gauge,
	}
	for _, k := range keys {
		if k.MetricType != types[k.SchemaKey] {
			t.Errorf("%s is a %v, want %v", k.SchemaKey, k.MetricType, types[k.SchemaKey])
		}
	}

	reqs, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.requests"})
	if err != nil {
		t.Fatal(err)
	}
	resource := []string{"resource host.cpu.count:int", "resource host.name:string", "resource service.instance.id:string",
		"resource service.name:string", "resource service.namespace:string", "resource service.version:string"}
	for _, s := range reqs.Schemas {
		if !s.Monotonic || s.Temporality != Cumulative || s.Unit != "{request}" || s.Description != "Requests handled." {
			t.Errorf("app.requests schema = %v, want a monotonic cumulative sum in {request}", s)
		}
		if s.ProducerCount != 1 {
			t.Errorf("schema %s has %d producers, want 1", s.SchemaId, s.ProducerCount)
		}
		codeType := "int"
		detail, err := client.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: s.SchemaId})
		if err != nil {
			t.Fatal(err)
		}
		p := detail.Producers[0]
		if p.ServiceName == "payments" {
			codeType = "string"
		}
		wantFields := append([]string{"data_point http.request.method:string", "data_point http.response.status_code:" + codeType}, resource...)
		slices.Sort(wantFields)
		if got := fieldsOf(s); !slices.Equal(got, wantFields) {
			t.Errorf("fields of %s's app.requests = %v, want %v", p.ServiceName, got, wantFields)
		}
		if p.ServiceNamespace != "shop" || p.ServiceVersion != "1.4.2" || p.ServiceInstanceId != p.ServiceName+"-1" {
			t.Errorf("producer = %v", p)
		}
		if len(detail.Scopes) != 1 || detail.Scopes[0].Name != "example.com/shop/"+p.ServiceName || detail.Scopes[0].Version != "0.3.0" {
			t.Errorf("scopes = %v", detail.Scopes)
		}
		if s.DataPointCount != 2 {
			t.Errorf("data points = %d, want 2 (GET and POST)", s.DataPointCount)
		}
	}

	latency, _ := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.latency"})
	for _, f := range latency.Schemas[0].Fields {
		switch f.Name {
		case "error":
			if f.Presence != Sometimes || f.SeenRatio != 0.5 {
				t.Errorf("app.latency's error = %v, want sometimes, on half of the points", f)
			}
		case "http.route":
			if f.Presence != Always {
				t.Errorf("app.latency's http.route = %v, want always", f)
			}
		}
	}
	if l := latency.Schemas[0]; l.ProducerCount != 2 || l.ReleaseCount != 2 {
		t.Errorf("app.latency = %v, want one schema of both services' releases", l)
	}

	queue, _ := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.queue.length"})
	if q := queue.Schemas[0]; q.Monotonic || q.ProducerCount != 2 {
		t.Errorf("app.queue.length = %v, want a non-monotonic sum from both services", q)
	}
	gauge, _ := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.temperature"})
	if got := fieldsOf(gauge.Schemas[0]); !slices.Contains(got, "data_point sensor.weight:double") || !slices.Contains(got, "data_point zones:array") {
		t.Errorf("app.temperature fields = %v, want a double and an array", got)
	}
	producers, err := client.ListProducers(ctx, &tallycatv1.ListProducersRequest{})
	if err != nil || len(producers.Producers) != 2 {
		t.Fatalf("producers = %v, %v", producers, err)
	}

	// Emitting the same shapes again adds no schema, only counts.
	checkout.emit(t, ctx)
	payments.emit(t, ctx)
	testenv.Eventually(t, 10*time.Second, "the second export is counted", func() error {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return err
		}
		res, err := client.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "app.requests"})
		if err != nil {
			return err
		}
		for _, s := range res.Schemas {
			if s.DataPointCount != 4 {
				return fmt.Errorf("schema %s has %d points, want 4", s.SchemaId, s.DataPointCount)
			}
		}
		return nil
	})
	res, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, k := range res.SchemaKeys {
		total += int(k.SchemaCount)
	}
	if total != 6 || len(res.SchemaKeys) != 5 {
		t.Errorf("after emitting again: %d keys and %d schemas, want 5 and 6", len(res.SchemaKeys), total)
	}
}
