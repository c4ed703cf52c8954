package inprocess

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
)

// TestSpanAndLogConformance: the Go SDK sends a server span with the
// deprecated http.method, a status code as a string and an exception event,
// and a log event with the deprecated code.filepath. Conformance judges
// their attributes against the registry as it judges a metric's: the
// deprecated ones are named with their replacements, the wrong type is a
// type_mismatch, each on its own signal.
//
// Spans and events are also matched to the registry's definitions: a real
// otelhttp server span is the HTTP server span definition's and lacks
// nothing it requires or recommends; a hand-made server span whose code
// path forgets url.scheme on half the requests and never sets
// server.address is the same definition's, with that required attribute
// missing from half the spans and the recommended one never sent; the
// exception event carries exception.type, so exception.message is
// recommended; app.login is an event no registry defines, and a feature
// flag evaluation without feature_flag.key lacks the event's required
// attribute.
func TestSpanAndLogConformance(t *testing.T) {
	ctx := context.Background()
	cat := startCatalog(t, testenv.FreeAddr(t), ":memory:")
	ing := startIngest(t, cat.url())

	tp := newTracerProvider(t, ing, "1.0.0")
	_, span := tp.Tracer("example.com/orders").Start(ctx, "GET /orders", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.method", "GET"), attribute.String("http.response.status_code", "200")))
	span.AddEvent("exception", trace.WithAttributes(attribute.String("exception.type", "io.EOF")))
	span.End()

	const route = "GET /orders/{id}"
	mux := http.NewServeMux()
	mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "order") })
	srv := httptest.NewServer(otelhttp.NewHandler(mux, "orders", otelhttp.WithTracerProvider(tp)))
	t.Cleanup(srv.Close)
	for id := range 3 {
		res, err := srv.Client().Get(fmt.Sprintf("%s/orders/%d", srv.URL, id))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	const carts = "GET /carts/{id}"
	for _, scheme := range []string{"https", ""} {
		attrs := []attribute.KeyValue{attribute.String("http.request.method", "GET"), attribute.String("url.path", "/carts/7"),
			attribute.Int("http.response.status_code", 200)}
		if scheme != "" {
			attrs = append(attrs, attribute.String("url.scheme", scheme))
		}
		_, handMade := tp.Tracer("example.com/carts").Start(ctx, carts, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		handMade.End()
	}
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	exp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(ing.grpcAddr), otlploggrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)),
		sdklog.WithResource(resource.NewSchemaless(attribute.String("service.name", "checkout"), attribute.String("service.version", "1.0.0"))))
	t.Cleanup(func() { lp.Shutdown(context.Background()) })
	var r otellog.Record
	r.SetEventName("app.login")
	r.SetSeverity(otellog.SeverityInfo)
	r.AddAttributes(attribute.String("code.filepath", "login.go"))
	lp.Logger("com.example.checkout").Emit(ctx, r)
	var flag otellog.Record
	flag.SetEventName("feature_flag.evaluation")
	flag.AddAttributes(attribute.String("feature_flag.provider.name", "flagd"), attribute.String("feature_flag.result.variant", "on"))
	lp.Logger("com.example.checkout").Emit(ctx, flag)
	if err := lp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	client := tallycatv1connect.NewConformanceServiceClient(http.DefaultClient, cat.url())
	find := func(sig tallycatv1.Signal) ([]string, error) {
		if err := ing.main.Forwarder().Drain(ctx); err != nil {
			return nil, err
		}
		res, err := client.ListFindings(ctx, &tallycatv1.ListFindingsRequest{Signals: []tallycatv1.Signal{sig}, PageSize: 1000})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range res.Findings {
			if f.Signal != sig {
				return nil, fmt.Errorf("a %s finding asked for %s: %v", f.Signal, sig, f)
			}
			out = append(out, strings.Join([]string{f.FindingId, f.SchemaKey, f.Attribute, f.Replacement, f.Message}, "|"))
		}
		return out, nil
	}
	has := func(got []string, want string) bool {
		for _, g := range got {
			if strings.HasPrefix(g, want) {
				return true
			}
		}
		return false
	}
	testenv.Eventually(t, 20*time.Second, "the span's and the log's attribute findings", func() error {
		spans, err := find(tallycatv1.Signal_SIGNAL_SPAN)
		if err != nil {
			return err
		}
		logs, err := find(tallycatv1.Signal_SIGNAL_LOG)
		if err != nil {
			return err
		}
		for _, want := range []string{
			"deprecated|GET /orders|http.method|http.request.method|attribute http.method is deprecated: use http.request.method",
			`type_mismatch|GET /orders|http.response.status_code||type of http.response.status_code on span "GET /orders": expected int, got string`,
		} {
			if !has(spans, want) {
				return fmt.Errorf("span findings:\n  %s\nwant %s", strings.Join(spans, "\n  "), want)
			}
		}
		if has(spans, "type_mismatch|GET /orders|exception.type") || has(spans, "deprecated|GET /orders|exception.type") {
			return fmt.Errorf("the exception event's attribute is right, but: %v", spans)
		}
		for _, want := range []string{
			`conditionally_required_attribute_not_present|` + route + `|http.route||conditionally required attribute http.route is not present on span "` + route + `", which matches span.http.server`,
			`required_attribute_not_present|` + carts + `|url.scheme||required attribute url.scheme is missing from 50 % of the spans of span "` + carts + `", which matches span.http.server`,
			`recommended_attribute_not_present|` + carts + `|server.address||recommended attribute server.address is not present on span "` + carts + `", which matches span.http.server`,
			`recommended_attribute_not_present|GET /orders|exception.message||recommended attribute exception.message is not present on event exception of span "GET /orders"`,
		} {
			if !has(spans, want) {
				return fmt.Errorf("span findings:\n  %s\nwant %s", strings.Join(spans, "\n  "), want)
			}
		}
		for _, want := range []string{
			"deprecated|app.login|code.filepath|code.file.path|attribute code.filepath is deprecated: use code.file.path",
			`missing_event|app.login|||log event "app.login" is not defined in the registries`,
			`required_attribute_not_present|feature_flag.evaluation|feature_flag.key||required attribute feature_flag.key is not present on log event "feature_flag.evaluation"`,
		} {
			if !has(logs, want) {
				return fmt.Errorf("log findings:\n  %s\nwant %s", strings.Join(logs, "\n  "), want)
			}
		}
		if has(spans, "required_attribute_not_present|"+route) || has(spans, "recommended_attribute_not_present|"+route) {
			return fmt.Errorf("otelhttp's span sends what span.http.server requires and recommends, but: %v", spans)
		}
		if has(logs, "missing_event|feature_flag.evaluation") {
			return fmt.Errorf("feature_flag.evaluation is a defined event: %v", logs)
		}
		return nil
	})
}
