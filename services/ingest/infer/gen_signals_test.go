package infer_test

import (
	"math/rand/v2"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// gen writes random span and log record encodings that follow the OTLP
// schema loosely: fields repeated, oneof members switched, maps nested, in
// any order, some strings not UTF-8. Most are valid, and exercise the
// merging of occurrences that proto.Marshal never writes.
type gen struct{ r *rand.Rand }

func (g gen) str() []byte {
	if g.r.IntN(60) == 0 {
		return []byte("\xff")
	}
	return []byte([]string{"", "a", "b", "event.name", "x.y", "k"}[g.r.IntN(6)])
}

// anyValue returns a random AnyValue encoding, possibly with several
// members set one after another.
func (g gen) anyValue(d int) []byte {
	var b []byte
	for range g.r.IntN(3) {
		switch g.r.IntN(9) {
		case 0:
			b = wireField(b, 1, g.str())
		case 1:
			b = wireVarint(b, 2, uint64(g.r.IntN(2)))
		case 2:
			b = wireVarint(b, 3, g.r.Uint64())
		case 3:
			b = protowire.AppendFixed64(protowire.AppendTag(b, 4, protowire.Fixed64Type), g.r.Uint64())
		case 4:
			if d < 6 {
				b = wireField(b, 5, wireField(nil, 1, g.anyValue(d+1)))
			}
		case 5, 6:
			if d < 6 {
				b = wireField(b, 6, g.kvlist(d+1))
			}
		case 7:
			b = wireField(b, 7, g.str())
		case 8:
			b = wireVarint(b, 8, uint64(g.r.IntN(3)))
		}
	}
	return b
}

func (g gen) kv(d int) []byte {
	var b []byte
	for range 1 + g.r.IntN(3) {
		if g.r.IntN(2) == 0 {
			b = wireField(b, 1, g.str())
		} else {
			b = wireField(b, 2, g.anyValue(d))
		}
	}
	return b
}

func (g gen) kvlist(d int) []byte {
	var b []byte
	for range g.r.IntN(4) {
		b = wireField(b, 1, g.kv(d))
	}
	return b
}

func (g gen) logRecord() []byte {
	var b []byte
	for range g.r.IntN(8) {
		switch g.r.IntN(7) {
		case 0:
			b = wireVarint(b, 2, uint64(g.r.IntN(3))<<uint(g.r.IntN(2)*32))
		case 1:
			b = wireField(b, 3, g.str())
		case 2, 3:
			b = wireField(b, 5, g.anyValue(0))
		case 4:
			b = wireField(b, 6, g.kv(0))
		case 5:
			b = wireField(b, 12, g.str())
		case 6:
			b = wireField(b, 9, g.str())
		}
	}
	return b
}

func (g gen) span() []byte {
	var b []byte
	for range g.r.IntN(9) {
		switch g.r.IntN(8) {
		case 0:
			b = wireField(b, 5, g.str())
		case 1:
			b = wireVarint(b, 6, uint64(g.r.IntN(8)))
		case 2:
			b = wireField(b, 9, g.kv(0))
		case 3:
			var ev []byte
			for range g.r.IntN(4) {
				if g.r.IntN(2) == 0 {
					ev = wireField(ev, 2, g.str())
				} else {
					ev = wireField(ev, 3, g.kv(0))
				}
			}
			b = wireField(b, 11, ev)
		case 4:
			b = wireField(b, 13, wireField(nil, 4, g.kv(0)))
		case 5:
			b = wireField(b, 15, wireVarint(nil, 3, uint64(g.r.IntN(4))))
		case 6:
			b = wireField(b, 15, wireField(nil, 2, g.str()))
		case 7:
			b = wireField(b, 3, g.str())
		}
	}
	return b
}

// TestScanSignalsAgreeOnGeneratedRequests holds both scanners to their
// references on generated requests, with the nesting limit of the
// receivers' default and a small one.
func TestScanSignalsAgreeOnGeneratedRequests(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(5, 6))}
	limited := infer.NewWithLimits(infer.Limits{MaxDepth: 8})
	for range 3000 {
		var logs, spans [][]byte
		for range 1 + g.r.IntN(4) {
			logs = append(logs, g.logRecord())
			spans = append(spans, g.span())
		}
		lreq, treq := inScope(logs...), inScope(spans...)
		logsScan.agree(t, lreq)
		tracesScan.agree(t, treq)
		_, lerr := limited.ScanLogs(lreq)
		_, terr := limited.ScanTraces(treq)
		uopts := proto.UnmarshalOptions{RecursionLimit: 8}
		if uerr := uopts.Unmarshal(lreq, &collogspb.ExportLogsServiceRequest{}); (uerr == nil) != (lerr == nil) {
			t.Fatalf("logs under a nesting limit of 8: Unmarshal %v, ScanLogs %v", uerr, lerr)
		}
		if uerr := uopts.Unmarshal(treq, &coltracepb.ExportTraceServiceRequest{}); (uerr == nil) != (terr == nil) {
			t.Fatalf("traces under a nesting limit of 8: Unmarshal %v, ScanTraces %v", uerr, terr)
		}
	}
}

// TestDepthLimitAgreesOnEverySignal: under every nesting limit, each
// scanner refuses exactly what proto.Unmarshal refuses with that
// RecursionLimit, for values nested in every place a signal has them.
func TestDepthLimitAgreesOnEverySignal(t *testing.T) {
	type place struct {
		name  string
		build func(v *commonpb.AnyValue) []byte
		scan  func(*infer.Inferrer, []byte) (ingest.Result, error)
		msg   func() proto.Message
	}
	attrs := func(v *commonpb.AnyValue) []*commonpb.KeyValue { return []*commonpb.KeyValue{kv("k", v)} }
	traces := func(sp *tracepb.Span) []byte {
		return marshal(t, &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{sp}}}}}})
	}
	logs := func(lr *logspb.LogRecord) []byte {
		return marshal(t, &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{lr}}}}}})
	}
	newTraces := func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} }
	newLogs := func() proto.Message { return &collogspb.ExportLogsServiceRequest{} }
	for _, p := range []place{
		{"metric data point", func(v *commonpb.AnyValue) []byte { return marshal(t, gaugeRequest(attrs(v), 1)) }, (*infer.Inferrer).Scan,
			func() proto.Message { return &colmetricpb.ExportMetricsServiceRequest{} }},
		{"span", func(v *commonpb.AnyValue) []byte { return traces(&tracepb.Span{Name: "s", Attributes: attrs(v)}) }, (*infer.Inferrer).ScanTraces, newTraces},
		{"span event", func(v *commonpb.AnyValue) []byte {
			return traces(&tracepb.Span{Name: "s", Events: []*tracepb.Span_Event{{Attributes: attrs(v)}}})
		}, (*infer.Inferrer).ScanTraces, newTraces},
		{"span link", func(v *commonpb.AnyValue) []byte {
			return traces(&tracepb.Span{Name: "s", Links: []*tracepb.Span_Link{{Attributes: attrs(v)}}})
		}, (*infer.Inferrer).ScanTraces, newTraces},
		{"log record", func(v *commonpb.AnyValue) []byte { return logs(&logspb.LogRecord{Attributes: attrs(v)}) }, (*infer.Inferrer).ScanLogs, newLogs},
		{"log body", func(v *commonpb.AnyValue) []byte { return logs(&logspb.LogRecord{Body: v}) }, (*infer.Inferrer).ScanLogs, newLogs},
	} {
		for d := 0; d < 6; d++ {
			b := p.build(nested(d))
			for limit := 1; limit < 30; limit++ {
				uerr := proto.UnmarshalOptions{RecursionLimit: limit}.Unmarshal(b, p.msg())
				_, serr := p.scan(infer.NewWithLimits(infer.Limits{MaxDepth: limit}), b)
				if (uerr == nil) != (serr == nil) {
					t.Errorf("%s value nested %d deep, limit %d: Unmarshal %v, scan %v", p.name, d, limit, uerr, serr)
				}
			}
		}
	}
}
