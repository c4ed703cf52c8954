// Package otlp receives OTLP metrics, traces and logs: the gRPC Export
// procedures of MetricsService, TraceService and LogsService (served with
// connect-go, so gRPC, gRPC-Web and Connect clients all work) and OTLP/HTTP
// POST /v1/metrics, /v1/traces and /v1/logs in protobuf and JSON. The three
// signals are received alike; only their messages and the words of their
// partial success differ (see signalSpec).
package otlp

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

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
	return NewGRPCHandlerFor(schemaid.Metric, consumer, cfg)
}

// NewGRPCHandlerFor returns the path and handler of the OTLP gRPC service of
// a signal: MetricsService, TraceService or LogsService.
func NewGRPCHandlerFor(sig schemaid.Signal, consumer ingest.Consumer, cfg GRPCConfig) (string, http.Handler) {
	sp := specOf(sig)
	export := func(ctx context.Context, req *rawRequest) (*rawResponse, error) {
		defer req.release()
		req.req.Signal = sp.sig
		res, err := consumer.Consume(ctx, req.req)
		if err != nil {
			return nil, toConnectError(err)
		}
		return &rawResponse{msg: sp.answer(res)}, nil
	}
	opts := []connect.HandlerOption{
		connect.WithReadMaxBytes(int(cfg.MaxBytes)),
		connect.WithCodec(rawCodec{spec: sp}),
		connect.WithCodec(rawCodec{spec: sp, json: true, depth: cfg.MaxDepth}),
	}
	if cfg.Tokens != nil {
		opts = append(opts, connect.WithInterceptors(TokenInterceptor(cfg.Tokens)))
	}
	opts = append(opts, cfg.Options...)
	return sp.procedure, &fastGRPC{
		spec: sp, consumer: consumer, maxBytes: cfg.MaxBytes, tokens: cfg.Tokens,
		connect: connect.NewUnaryHandlerSimple(sp.procedure, export, opts...),
	}
}
