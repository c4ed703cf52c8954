package infer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

func traces(t testing.TB, scope string, spans ...*tracepb.Span) []byte {
	return marshal(t, &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{Resource: svc,
		ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: scope}, Spans: spans}}}}})
}

func logs(t testing.TB, scope string, records ...*logspb.LogRecord) []byte {
	return marshal(t, &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{Resource: svc,
		ScopeLogs: []*logspb.ScopeLogs{{Scope: &commonpb.InstrumentationScope{Name: scope}, LogRecords: records}}}}})
}

func scan(t *testing.T, sc signalScan, b []byte) ingest.Result {
	t.Helper()
	sc.agree(t, b)
	res, err := sc.scan(infer.New(), b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSpanIDsAreTheDocumentsVectors: spans as otelhttp and an HTTP client
// make them get the ids docs/schema-id.md gives their shapes.
func TestSpanIDsAreTheDocumentsVectors(t *testing.T) {
	server := &tracepb.Span{Name: "GET /users/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER, TraceId: traceID, SpanId: spanID,
		Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("http.route", s("/users/{id}")), kv("url.scheme", s("http")), kv("error.type", s("500"))},
		Events: []*tracepb.Span_Event{{Name: "exception", TimeUnixNano: 7,
			Attributes: []*commonpb.KeyValue{kv("exception.type", s("*errors.errorString")), kv("exception.message", s("boom"))}}},
		Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"}}
	client := &tracepb.Span{Name: "GET", Kind: tracepb.Span_SPAN_KIND_CLIENT,
		Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("server.address", s("shop")), kv("server.port", i(443)), kv("url.full", s("https://shop/"))},
		Links:      []*tracepb.Span_Link{{TraceId: traceID, SpanId: spanID, Attributes: []*commonpb.KeyValue{kv("opentracing.ref_type", s("follows_from"))}}}}
	internal := &tracepb.Span{Name: "checkout.process", Kind: tracepb.Span_SPAN_KIND_INTERNAL}
	res := scan(t, tracesScan, traces(t, "otelhttp", server, server, client, internal))
	want := map[string]string{
		"GET /users/{id}":  "89fbe6acff725ec80eb9de4fd9de2470",
		"GET":              "6008a686204e6e1e899ab55685dd7afa",
		"checkout.process": "63deb30206b6678c80175cf93818a877",
	}
	if len(res.Observations) != len(want) || res.DataPoints != 4 {
		t.Fatalf("%s", describe(res))
	}
	for _, o := range res.Observations {
		if o.VariantID != want[o.Shape.Name] {
			t.Errorf("%s: id %s, want %s", o.Shape.Name, o.VariantID, want[o.Shape.Name])
		}
		if errs := map[string]uint64{"GET /users/{id}": 2}[o.Shape.Name]; o.Errors != errs {
			t.Errorf("%s: %d errors, want %d", o.Shape.Name, o.Errors, errs)
		}
	}
}

// TestLogIDsAreTheDocumentsVectors: an event with a map body and a
// logger's records without an event name get the ids docs/schema-id.md
// gives their shapes.
func TestLogIDsAreTheDocumentsVectors(t *testing.T) {
	pageView := &logspb.LogRecord{EventName: "browser.page_view", Attributes: []*commonpb.KeyValue{kv("session.id", s("s1"))},
		Body: kvlist(kv("page", kvlist(kv("url", s("https://shop/cart")), kv("title", s("Cart")))))}
	message := &logspb.LogRecord{SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO",
		Attributes: []*commonpb.KeyValue{kv("code.function.name", s("checkout"))}, Body: s("order 7 placed")}
	res := scan(t, logsScan, logs(t, "com.example.checkout", pageView, message, message))
	want := map[string]string{
		"browser.page_view":    "28691270dfe87788ada571f9ec0c6f74",
		"com.example.checkout": "dbda6bae7fcad48602a6be693186bec3",
	}
	if len(res.Observations) != len(want) || res.DataPoints != 3 {
		t.Fatalf("%s", describe(res))
	}
	for _, o := range res.Observations {
		if o.VariantID != want[o.Shape.Name] {
			t.Errorf("%s: id %s, want %s", o.Shape.Name, o.VariantID, want[o.Shape.Name])
		}
		if byScope := o.Shape.Name == "com.example.checkout"; o.Shape.ByScope != byScope {
			t.Errorf("%s: ByScope %v, want %v", o.Shape.Name, o.Shape.ByScope, byScope)
		}
	}
}

// TestLogBodyBounds: a map body's keys are followed to the depth bound and
// taken up to the key bound, whatever the body holds.
func TestLogBodyBounds(t *testing.T) {
	body := kvlist(kv("a", kvlist(kv("b", kvlist(kv("c", s("x")))))), kv("d", s("1")), kv("e", s("2")), kv("f", s("3")))
	b := logs(t, "l", &logspb.LogRecord{EventName: "e", Body: body})
	for _, tc := range []struct {
		limits infer.Limits
		want   string
	}{
		{infer.Limits{}, "body:map body.a.b.c:string body.d:string body.e:string body.f:string"},
		{infer.Limits{MaxBodyDepth: 2}, "body:map body.a.b:map body.d:string body.e:string body.f:string"},
		{infer.Limits{MaxBodyDepth: 1, MaxBodyKeys: 2}, "body:map body.a:map body.d:string"},
	} {
		res, err := infer.NewWithLimits(tc.limits).ScanLogs(b)
		if err != nil || len(res.Observations) != 1 {
			t.Fatalf("%v: %s", err, describe(res))
		}
		var got []string
		for _, a := range res.Observations[0].Shape.Attributes {
			got = append(got, fmt.Sprintf("%s:%s", a.Key, strings.TrimPrefix(strings.ToLower(a.Type.String()), "value_type_")))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%+v: %s, want %s", tc.limits, strings.Join(got, " "), tc.want)
		}
	}
}

// TestNoValueLeavesTheIngest: the values of bodies (the message of a
// string body among them), of span events and links, the status message
// and the ids are in no observation of a span or a log, not even as a
// hash; only the values of a span's or a log record's own attributes and
// severity fields leave, each as the value of its field, for the
// forwarder to count. With cost tracking off, no value leaves at all.
func TestNoValueLeavesTheIngest(t *testing.T) {
	secret := func(n int) *commonpb.AnyValue { return s(fmt.Sprintf("SECRET-%d", n)) }
	b := logs(t, "l",
		&logspb.LogRecord{EventName: "e", Body: kvlist(kv("card", secret(1))), Attributes: []*commonpb.KeyValue{kv("user", secret(2))}},
		&logspb.LogRecord{Body: secret(3), SeverityText: "INFO", TraceId: []byte("SECRET-4-SECRET!")})
	t2 := traces(t, "t", &tracepb.Span{Name: "op", Attributes: []*commonpb.KeyValue{kv("user", secret(5))},
		Events: []*tracepb.Span_Event{{Name: "ev", Attributes: []*commonpb.KeyValue{kv("k", secret(6))}}},
		Links:  []*tracepb.Span_Link{{Attributes: []*commonpb.KeyValue{kv("k", secret(7))}}},
		Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "SECRET-8"}})
	for _, tc := range []struct {
		sc      signalScan
		b       []byte
		counted []string // the secrets that are an own attribute's values
	}{{logsScan, b, []string{"SECRET-2"}}, {tracesScan, t2, []string{"SECRET-5"}}} {
		res := scan(t, tc.sc, tc.b)
		d := fmt.Sprintf("%+v %s", res, describe(res))
		for n := range 9 {
			if secret := fmt.Sprintf("SECRET-%d", n); strings.Contains(d, secret) && !slices.Contains(tc.counted, secret) {
				t.Errorf("%s left the ingest: %s", secret, d)
			}
		}
		var users []string
		for _, o := range res.Observations {
			for i, v := range o.Values {
				a := o.Shape.Attributes[i%len(o.Shape.Attributes)]
				switch {
				case a.Source == schemaid.Own:
					users = append(users, v.Str)
				case a.Source == schemaid.Severity:
				case v != (cardinality.Value{}):
					t.Errorf("%s field %q carries %+v, want nothing: its values are not counted", a.Source, a.Key, v)
				}
				for n := range 9 {
					if v.Hash == cardinality.HashString(tallycatv1.ValueType_VALUE_TYPE_STRING, fmt.Sprintf("SECRET-%d", n)) && !slices.Contains(tc.counted, v.Str) {
						t.Errorf("the hash of SECRET-%d left the ingest as %q's", n, a.Key)
					}
				}
			}
		}
		if !slices.Equal(users, tc.counted) {
			t.Errorf("own attribute values %q, want %q", users, tc.counted)
		}
		off := infer.New()
		off.SetCostTracking(false)
		res, err := tc.sc.scan(off, tc.b)
		if d := fmt.Sprintf("%+v %s", res, describe(res)); err != nil || strings.Contains(d, "SECRET") || res.Points != nil {
			t.Errorf("with cost tracking off, a value left the ingest: %s (%v)", d, err)
		}
	}
}
