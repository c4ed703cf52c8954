package infer_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// idSpans are n server spans of a release whose names carry ids, from
// first on, one in five failed.
func idSpans(version string, first, n int) *coltracepb.ExportTraceServiceRequest {
	var spans []*tracepb.Span
	for id := first; id < first+n; id++ {
		sp := &tracepb.Span{Name: fmt.Sprintf("GET /users/%d", id), Kind: tracepb.Span_SPAN_KIND_SERVER,
			Attributes: []*commonpb.KeyValue{kv("http.request.method", s("GET"))}}
		if id%5 == 0 {
			sp.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR}
		}
		spans = append(spans, sp)
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", s("users")), kv("service.version", s(version))}},
		ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "otelhttp"}, Spans: spans}},
	}}}
}

// schemas counts, over results, the spans and errors per shape name, and
// the by-scope observations' examples.
type schemas struct {
	spans, errors map[string]uint64
	examples      []string
}

func tally(in *infer.Inferrer, reqs ...*coltracepb.ExportTraceServiceRequest) schemas {
	out := schemas{spans: map[string]uint64{}, errors: map[string]uint64{}}
	for _, req := range reqs {
		b, _ := proto.Marshal(req)
		res, err := in.ScanTraces(b)
		if err != nil {
			panic(err)
		}
		for _, o := range res.Observations {
			name := o.Shape.Name
			if o.Shape.ByScope {
				name = "scope:" + name
				out.examples = append(out.examples, o.NameExamples...)
			}
			out.spans[name] += o.DataPoints
			out.errors[name] += o.Errors
		}
	}
	return out
}

// TestSpanNamesPastTheLimitGoByScope: a release whose span names carry ids
// (5,000 distinct) gets at most the limit of named schemas plus the
// scope's, every span counted, errors included, with examples of the names.
func TestSpanNamesPastTheLimitGoByScope(t *testing.T) {
	in := infer.NewWithLimits(infer.Limits{MaxSpanNames: 1000})
	var reqs []*coltracepb.ExportTraceServiceRequest
	for first := 0; first < 5000; first += 250 {
		reqs = append(reqs, idSpans("1.0.0", first, 250))
	}
	got := tally(in, reqs...)
	if len(got.spans) != 1001 || got.spans["scope:otelhttp"] != 4000 || got.errors["scope:otelhttp"] != 800 {
		t.Fatalf("%d schemas, %d spans and %d errors by scope; want 1001, 4000, 800", len(got.spans), got.spans["scope:otelhttp"], got.errors["scope:otelhttp"])
	}
	if got.spans["GET /users/999"] != 1 || got.spans["GET /users/1000"] != 0 {
		t.Errorf("the first 1,000 names keep their schemas: %v", got.spans["GET /users/999"])
	}
	// Each request carries at most 10 of its names as examples.
	if len(got.examples) != 16*10 || got.examples[0] != "GET /users/1000" {
		t.Errorf("examples %d, first %q", len(got.examples), got.examples[0])
	}
	// Names admitted before stay; new names of this release stay grouped;
	// another release, or a client span, has a limit of its own.
	again := tally(in, idSpans("1.0.0", 0, 10), idSpans("1.0.0", 7000, 10), idSpans("1.1.0", 7000, 10))
	if len(again.spans) != 21 || again.spans["scope:otelhttp"] != 10 || again.spans["GET /users/7000"] != 1 {
		t.Errorf("after the limit: %v", again.spans)
	}
}

// TestSpanNameWindows: a window's new names are limited; a name used in
// a window keeps its schema in the next, one unused for two windows is
// forgotten, and each window admits the limit of new names again.
func TestSpanNameWindows(t *testing.T) {
	in := infer.NewWithLimits(infer.Limits{MaxSpanNames: 10, SpanNameWindow: time.Minute})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in.SetClock(func() time.Time { return now })
	if got := tally(in, idSpans("1", 0, 15)); len(got.spans) != 11 {
		t.Fatalf("first window: %d schemas, want 11", len(got.spans))
	}
	now = now.Add(time.Minute)
	got := tally(in, idSpans("1", 5, 15)) // 5..9 known, 10..19 new
	if len(got.spans) != 15 || got.spans["scope:otelhttp"] != 0 {
		t.Fatalf("second window: %v; want names 5 to 19 admitted", got.spans)
	}
	now = now.Add(time.Minute)
	got = tally(in, idSpans("1", 0, 5), idSpans("1", 100, 10)) // 0..4 unused last window: new again
	if len(got.spans) != 11 || got.spans["scope:otelhttp"] != 5 {
		t.Errorf("third window: %v; want 0 to 4 and 5 of the new names admitted", got.spans)
	}
}

// TestSpanNameLimitAgreesAcrossPaths: the scanner and the decoded path
// group the same names.
func TestSpanNameLimitAgreesAcrossPaths(t *testing.T) {
	req := idSpans("1", 0, 40)
	b, _ := proto.Marshal(req)
	scanned, err := infer.NewWithLimits(infer.Limits{MaxSpanNames: 25}).ScanTraces(b)
	if err != nil {
		t.Fatal(err)
	}
	decoded := infer.NewWithLimits(infer.Limits{MaxSpanNames: 25}).InferTraces(req)
	if !reflect.DeepEqual(scanned, decoded) || len(scanned.Observations) != 26 {
		t.Errorf("scan and decoded disagree under the limit:\n%s\n%s", describe(scanned), describe(decoded))
	}
	last := scanned.Observations[len(scanned.Observations)-1]
	if !last.Shape.ByScope || last.Shape.Name != "otelhttp" || last.VariantID != schemaid.ID(last.Shape) || len(last.NameExamples) != 10 {
		t.Errorf("by-scope observation = %+v", last)
	}
}

// TestSpanNameExamplesTheAPITakes: a name the API would refuse as an
// example (too long, holding NUL) is counted but not kept as one.
func TestSpanNameExamplesTheAPITakes(t *testing.T) {
	in := infer.NewWithLimits(infer.Limits{MaxSpanNames: 1})
	req := idSpans("1", 0, 1)
	spans := req.ResourceSpans[0].ScopeSpans[0]
	for _, name := range []string{strings.Repeat("x", 1025), "a\x00b", "kept"} {
		spans.Spans = append(spans.Spans, &tracepb.Span{Name: name, Kind: tracepb.Span_SPAN_KIND_SERVER})
	}
	got := tally(in, req)
	if got.spans["scope:otelhttp"] != 3 || fmt.Sprint(got.examples) != "[kept]" {
		t.Errorf("by scope: %d spans, examples %q; want 3 and only the name the API takes", got.spans["scope:otelhttp"], got.examples)
	}
}
