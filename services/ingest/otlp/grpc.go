// Package otlp receives OTLP metrics: the gRPC MetricsService/Export
// procedure (served with connect-go, so gRPC, gRPC-Web and Connect clients
// all work) and OTLP/HTTP POST /v1/metrics in protobuf and JSON.
package otlp

import (
	"context"
	"net/http"

	"connectrpc.com/connect"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/ingest"
)

// ExportProcedure is the OTLP gRPC method for metrics.
const ExportProcedure = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

// GRPCConfig configures the OTLP gRPC handler.
type GRPCConfig struct {
	// MaxBytes bounds a request message after decompression.
	MaxBytes int64
	// MaxDepth bounds the nesting of a JSON message (0: the default).
	MaxDepth int
	// Tokens, when set, are the bearer tokens a call must present one of.
	Tokens *auth.Tokens
	// Options are given to the connect handler (interceptors for metrics,
	// say). The fast path for plain gRPC (see fastGRPC) does not run them.
	Options []connect.HandlerOption
}

// NewGRPCHandler returns the path and handler of the OTLP gRPC metrics
// service.
func NewGRPCHandler(consumer ingest.Consumer, cfg GRPCConfig) (string, http.Handler) {
	export := func(ctx context.Context, req *rawRequest) (*colmetricpb.ExportMetricsServiceResponse, error) {
		defer req.release()
		res, err := consumer.ConsumeMetrics(ctx, req.req)
		if err != nil {
			return nil, toConnectError(err)
		}
		return response(res), nil
	}
	opts := []connect.HandlerOption{
		connect.WithReadMaxBytes(int(cfg.MaxBytes)),
		connect.WithCodec(rawCodec{}),
		connect.WithCodec(rawCodec{json: true, depth: cfg.MaxDepth}),
	}
	if cfg.Tokens != nil {
		opts = append(opts, connect.WithInterceptors(TokenInterceptor(cfg.Tokens)))
	}
	opts = append(opts, cfg.Options...)
	return ExportProcedure, &fastGRPC{
		consumer: consumer, maxBytes: cfg.MaxBytes, tokens: cfg.Tokens,
		connect: connect.NewUnaryHandlerSimple(ExportProcedure, export, opts...),
	}
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
