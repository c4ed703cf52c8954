// Package otlp receives OTLP metrics: the gRPC MetricsService/Export
// procedure (served with connect-go, so gRPC, gRPC-Web and Connect clients
// all work) and OTLP/HTTP POST /v1/metrics in protobuf and JSON.
package otlp

import (
	"context"
	"net/http"

	"connectrpc.com/connect"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/tallycat/tallycat/services/ingest"
)

// ExportProcedure is the OTLP gRPC method for metrics.
const ExportProcedure = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

// NewGRPCHandler returns the path and handler of the OTLP gRPC metrics
// service. maxBytes bounds a request message after decompression; maxDepth
// the nesting of a JSON message (0: the default).
func NewGRPCHandler(consumer ingest.Consumer, maxBytes int64, maxDepth int, opts ...connect.HandlerOption) (string, http.Handler) {
	export := func(ctx context.Context, req *rawRequest) (*colmetricpb.ExportMetricsServiceResponse, error) {
		defer req.release()
		res, err := consumer.ConsumeMetrics(ctx, req.req)
		if err != nil {
			return nil, toConnectError(err)
		}
		return response(res), nil
	}
	opts = append([]connect.HandlerOption{
		connect.WithReadMaxBytes(int(maxBytes)),
		connect.WithCodec(rawCodec{}),
		connect.WithCodec(rawCodec{json: true, depth: maxDepth}),
	}, opts...)
	return ExportProcedure, connect.NewUnaryHandlerSimple(ExportProcedure, export, opts...)
}

// response is the OTLP answer to a consumed request: a partial success when
// anything was refused or there is a warning to give.
func response(res ingest.Result) *colmetricpb.ExportMetricsServiceResponse {
	out := &colmetricpb.ExportMetricsServiceResponse{}
	if res.Rejected > 0 || len(res.Reasons) > 0 {
		msg := ""
		for i, r := range res.Reasons {
			if i > 0 {
				msg += "; "
			}
			msg += r
		}
		out.PartialSuccess = &colmetricpb.ExportMetricsPartialSuccess{RejectedDataPoints: res.Rejected, ErrorMessage: msg}
	}
	return out
}
