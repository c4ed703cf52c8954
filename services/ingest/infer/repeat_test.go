package infer_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// alternatingSpans is a request of n spans under two resources and scopes
// whose names, kinds, status and attribute layouts alternate at random:
// more layouts under one name than the fast path remembers, the same keys
// in other orders (one shape, several layouts), a value type changed, a
// key repeated, events and links, keys over a limit, values changing all
// the time.
func alternatingSpans(t testing.TB, r *rand.Rand, n int) []byte {
	layouts := []func(v int) *tracepb.Span{
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("http.route", s("/a")), kv("http.response.status_code", i(int64(200+v%3)))}}
		},
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("http.route", s("/a")), kv("http.response.status_code", i(int64(v))), kv("http.request.method", s("GET"))}}
		},
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET")), kv("http.route", s("/a")), kv("http.response.status_code", s(fmt.Sprint(v)))}}
		},
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("http.request.method", s("POST")), kv("error.type", s("500")), kv("http.request.method", s(fmt.Sprint(v)))},
				Events: []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{kv("exception.message", s(fmt.Sprint("boom ", v)))}}}}
		},
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("a", i(int64(v)))},
				Events: []*tracepb.Span_Event{{Name: "retry"}, {Name: "exception"}},
				Links:  []*tracepb.Span_Link{{Attributes: []*commonpb.KeyValue{kv("a", s("x"))}}}}
		},
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("a", i(int64(v))), kv("a", i(1))}}
		},
		func(v int) *tracepb.Span { return &tracepb.Span{} },
		func(v int) *tracepb.Span {
			return &tracepb.Span{Attributes: []*commonpb.KeyValue{kv("a.key.longer.than.the.limit.of.key.bytes", s("x"))}}
		},
		func(v int) *tracepb.Span {
			var kvs []*commonpb.KeyValue
			for k := range 7 {
				kvs = append(kvs, kv(fmt.Sprint("k", k), i(int64(v))))
			}
			return &tracepb.Span{Attributes: kvs}
		},
	}
	names := []string{"GET /a", "GET /a", "GET /a", "POST /b", "", "op-1", "op-2", "op-3"}
	var scopes [4][]*tracepb.Span
	for v := range n {
		sp := layouts[r.IntN(len(layouts))](v)
		sp.Name = names[r.IntN(len(names))]
		sp.Kind = tracepb.Span_SpanKind(1 + r.IntN(2))
		if r.IntN(3) == 0 {
			sp.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR}
		}
		at := r.IntN(len(scopes))
		scopes[at] = append(scopes[at], sp)
	}
	var rss []*tracepb.ResourceSpans
	for ri := range 2 {
		rs := &tracepb.ResourceSpans{Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", s(fmt.Sprint("svc-", ri)))}}}
		for si := range 2 {
			rs.ScopeSpans = append(rs.ScopeSpans, &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: fmt.Sprint("scope-", si)}, Spans: scopes[2*ri+si]})
		}
		rss = append(rss, rs)
	}
	return marshal(t, &coltracepb.ExportTraceServiceRequest{ResourceSpans: rss})
}

// alternatingLogs is alternatingSpans for log records: event names from
// the field and from the event.name attribute (one layout, several
// names), records without one under their scope's name, bodies of every
// kind with alternating map keys, severity set and not.
func alternatingLogs(t testing.TB, r *rand.Rand, n int) []byte {
	bodies := []func(v int) *commonpb.AnyValue{
		func(v int) *commonpb.AnyValue { return nil },
		func(v int) *commonpb.AnyValue { return s(fmt.Sprint("message ", v)) },
		func(v int) *commonpb.AnyValue { return i(int64(v)) },
		func(v int) *commonpb.AnyValue { return kvlist(kv("a", i(int64(v))), kv("b", s("x"))) },
		func(v int) *commonpb.AnyValue { return kvlist(kv("b", s("x")), kv("a", i(int64(v)))) },
		func(v int) *commonpb.AnyValue { return kvlist(kv("a", kvlist(kv("c", s("y")))), kv("b", s("x"))) },
		func(v int) *commonpb.AnyValue { return kvlist(kv("a", kvlist()), kv("b", s(fmt.Sprint(v)))) },
	}
	attrs := []func(v int) []*commonpb.KeyValue{
		func(v int) []*commonpb.KeyValue { return nil },
		func(v int) []*commonpb.KeyValue {
			return []*commonpb.KeyValue{kv("code.function.name", s("f")), kv("order.id", i(int64(v)))}
		},
		func(v int) []*commonpb.KeyValue {
			return []*commonpb.KeyValue{kv("order.id", i(int64(v))), kv("code.function.name", s("f"))}
		},
		func(v int) []*commonpb.KeyValue {
			return []*commonpb.KeyValue{kv("event.name", s([]string{"login", "logout", "checkout"}[v%3])), kv("user", s(fmt.Sprint(v)))}
		},
		func(v int) []*commonpb.KeyValue {
			return []*commonpb.KeyValue{kv("event.name", i(int64(v))), kv("a.key.longer.than.the.limit.of.key.bytes", s("x"))}
		},
	}
	var scopes [4][]*logspb.LogRecord
	for v := range n {
		lr := &logspb.LogRecord{Body: bodies[r.IntN(len(bodies))](v), Attributes: attrs[r.IntN(len(attrs))](v),
			EventName: []string{"", "", "", "shop.order.placed", "page_view"}[r.IntN(5)]}
		if r.IntN(2) == 0 {
			lr.SeverityNumber = logspb.SeverityNumber(1 + r.IntN(20))
		}
		if r.IntN(2) == 0 {
			lr.SeverityText = []string{"INFO", "WARN"}[r.IntN(2)]
		}
		at := r.IntN(len(scopes))
		scopes[at] = append(scopes[at], lr)
	}
	var rls []*logspb.ResourceLogs
	for ri := range 2 {
		rl := &logspb.ResourceLogs{Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", s(fmt.Sprint("svc-", ri)))}}}
		for si := range 2 {
			scope := &commonpb.InstrumentationScope{Name: fmt.Sprint("scope-", si)}
			if si == 1 {
				scope = nil // no name: unknown_scope
			}
			rl.ScopeLogs = append(rl.ScopeLogs, &logspb.ScopeLogs{Scope: scope, LogRecords: scopes[2*ri+si]})
		}
		rls = append(rls, rl)
	}
	return marshal(t, &collogspb.ExportLogsServiceRequest{ResourceLogs: rls})
}

// TestRepeatedLayoutsGetTheSlowPathsShapes: the repeat-item fast path
// gives exactly what resolving every item's shape from its attributes
// gives (observations, counts, failures, sizes, values in their places,
// refusals with their reasons, span names moved past their limit), on
// requests whose layouts alternate under each name, scanned and decoded,
// with and without limits and cost tracking, on cold caches and warm ones.
func TestRepeatedLayoutsGetTheSlowPathsShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 3))
	type way struct {
		scan  func(*infer.Inferrer, []byte) (ingest.Result, error)
		infer func(*infer.Inferrer, []byte) ingest.Result
		make  func(testing.TB, *rand.Rand, int) []byte
	}
	ways := map[string]way{
		"traces": {(*infer.Inferrer).ScanTraces, func(in *infer.Inferrer, b []byte) ingest.Result {
			req := &coltracepb.ExportTraceServiceRequest{}
			if err := proto.Unmarshal(b, req); err != nil {
				t.Fatal(err)
			}
			return in.InferTraces(req)
		}, alternatingSpans},
		"logs": {(*infer.Inferrer).ScanLogs, func(in *infer.Inferrer, b []byte) ingest.Result {
			req := &collogspb.ExportLogsServiceRequest{}
			if err := proto.Unmarshal(b, req); err != nil {
				t.Fatal(err)
			}
			return in.InferLogs(req)
		}, alternatingLogs},
	}
	clock := func() time.Time { return time.Unix(1e9, 0) }
	for name, w := range ways {
		for _, limits := range []infer.Limits{{}, {MaxKeyBytes: 32, MaxAttributes: 6, MaxSpanNames: 2, MaxBodyKeys: 1}} {
			for _, track := range []bool{true, false} {
				fast, slow := infer.NewWithLimits(limits), infer.NewWithLimits(limits)
				slow.SetItemRepeats(false)
				for _, in := range []*infer.Inferrer{fast, slow} {
					in.SetClock(clock)
					in.SetCostTracking(track)
				}
				for round := range 6 {
					b := w.make(t, r, 50+r.IntN(400))
					got, gerr := w.scan(fast, b)
					want, werr := w.scan(slow, b)
					if gerr != nil || werr != nil {
						t.Fatalf("%s: %v, %v", name, gerr, werr)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %+v tracking %v round %d: the fast path scans\n%s\nthe slow path\n%s", name, limits, track, round, describe(got), describe(want))
					}
					got, want = w.infer(fast, b), w.infer(slow, b)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %+v tracking %v round %d: the fast path infers\n%s\nthe slow path\n%s", name, limits, track, round, describe(got), describe(want))
					}
					if got.DataPoints == 0 || len(got.Observations) < 3 {
						t.Fatalf("%s: %d items in %d observations: the request exercises nothing", name, got.DataPoints, len(got.Observations))
					}
					fast.Recycle(got)
				}
			}
		}
	}
}
