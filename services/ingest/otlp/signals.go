package otlp

import (
	"fmt"
	"strings"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// The OTLP/HTTP paths and the OTLP/gRPC procedures of the three signals.
const (
	MetricsPath = "/v1/metrics"
	TracesPath  = "/v1/traces"
	LogsPath    = "/v1/logs"

	// ExportProcedure is the OTLP gRPC method for metrics.
	ExportProcedure       = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
	TracesExportProcedure = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	LogsExportProcedure   = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
)

// Signals are the signals the receivers take, each at its own path and
// procedure.
var Signals = schemaid.Signals

// signalSpec is what receiving one signal takes beyond what every signal
// shares: where it is served, its request message for decoding OTLP/JSON,
// and its answer, whose partial success names what was refused in the
// signal's own words (rejected_data_points, rejected_spans or
// rejected_log_records).
type signalSpec struct {
	sig        schemaid.Signal
	path       string
	procedure  string
	noun       string // "metrics", "traces" or "logs", for messages
	newRequest func() proto.Message
	response   func(rejected int64, msg string) proto.Message
}

var (
	metricsSpec = &signalSpec{
		sig: schemaid.Metric, path: MetricsPath, procedure: ExportProcedure, noun: "metrics",
		newRequest: func() proto.Message { return &colmetricpb.ExportMetricsServiceRequest{} },
		response: func(rejected int64, msg string) proto.Message {
			out := &colmetricpb.ExportMetricsServiceResponse{}
			if rejected > 0 || msg != "" {
				out.PartialSuccess = &colmetricpb.ExportMetricsPartialSuccess{RejectedDataPoints: rejected, ErrorMessage: msg}
			}
			return out
		},
	}
	tracesSpec = &signalSpec{
		sig: schemaid.Span, path: TracesPath, procedure: TracesExportProcedure, noun: "traces",
		newRequest: func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} },
		response: func(rejected int64, msg string) proto.Message {
			out := &coltracepb.ExportTraceServiceResponse{}
			if rejected > 0 || msg != "" {
				out.PartialSuccess = &coltracepb.ExportTracePartialSuccess{RejectedSpans: rejected, ErrorMessage: msg}
			}
			return out
		},
	}
	logsSpec = &signalSpec{
		sig: schemaid.Log, path: LogsPath, procedure: LogsExportProcedure, noun: "logs",
		newRequest: func() proto.Message { return &collogspb.ExportLogsServiceRequest{} },
		response: func(rejected int64, msg string) proto.Message {
			out := &collogspb.ExportLogsServiceResponse{}
			if rejected > 0 || msg != "" {
				out.PartialSuccess = &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: rejected, ErrorMessage: msg}
			}
			return out
		},
	}
)

// specOf is the spec of a signal; it panics on a signal the receivers do
// not know, which only a programming error can pass.
func specOf(sig schemaid.Signal) *signalSpec {
	switch sig {
	case schemaid.Metric:
		return metricsSpec
	case schemaid.Span:
		return tracesSpec
	case schemaid.Log:
		return logsSpec
	}
	panic(fmt.Sprintf("otlp: no receiver for signal %v", sig))
}

// Path is the OTLP/HTTP path of a signal.
func Path(sig schemaid.Signal) string { return specOf(sig).path }

// Service is the OTLP/gRPC service name of a signal, as gRPC health names
// it.
func Service(sig schemaid.Signal) string {
	p := specOf(sig).procedure
	return p[1:strings.LastIndexByte(p, '/')]
}

// answer is the OTLP answer to a consumed request: a partial success when
// anything was refused or there is a warning to give.
func (sp *signalSpec) answer(res ingest.Result) proto.Message {
	return sp.response(res.Rejected, strings.Join(res.Reasons, "; "))
}
