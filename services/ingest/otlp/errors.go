package otlp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tallycat/tallycat/services/ingest"
)

// RetryAfter is what an overloaded ingest asks senders to wait.
const RetryAfter = time.Second

// errTooLarge is a body over the configured limit after decompression.
var errTooLarge = errors.New("request body too large")

// toConnectError maps a consumer or decoding error to the gRPC code the OTLP
// specification gives it: overload and cancellation are retryable
// (unavailable), a body over the limit is resource_exhausted, and everything
// else about the request is invalid_argument.
func toConnectError(err error) *connect.Error {
	var ce *connect.Error
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.Is(err, ingest.ErrOverloaded), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		e := connect.NewError(connect.CodeUnavailable, err)
		if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(RetryAfter)}); derr == nil {
			e.AddDetail(d)
		}
		return e
	case errors.Is(err, errTooLarge):
		return connect.NewError(connect.CodeResourceExhausted, err)
	}
	return connect.NewError(connect.CodeInvalidArgument, err) // ErrMalformed among them
}

// httpStatus is the OTLP/HTTP status of a connect code.
func httpStatus(code connect.Code) int {
	switch code {
	case connect.CodeUnavailable:
		return http.StatusServiceUnavailable
	case connect.CodeResourceExhausted:
		return http.StatusRequestEntityTooLarge
	case connect.CodeInvalidArgument:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
