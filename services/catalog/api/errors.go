package api

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/services/catalog"
)

// codes maps each domain error code to the one RPC code clients see.
var codes = map[string]connect.Code{
	catalog.ECONFLICT:           connect.CodeAlreadyExists,
	catalog.EFAILEDPRECONDITION: connect.CodeFailedPrecondition,
	catalog.EINVALID:            connect.CodeInvalidArgument,
	catalog.ENOTFOUND:           connect.CodeNotFound,
	catalog.EUNAVAILABLE:        connect.CodeUnavailable,
}

// toConnectError turns a store error into the RPC error clients see. Domain
// errors keep their message; anything else is logged in full and answered as
// internal, so database details never leak to clients.
func toConnectError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeCanceled, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	if code, ok := codes[catalog.ErrorCode(err)]; ok {
		return connect.NewError(code, errors.New(catalog.ErrorMessage(err)))
	}
	slog.ErrorContext(ctx, "request failed", "error", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error; the catalog's log has the details"))
}
