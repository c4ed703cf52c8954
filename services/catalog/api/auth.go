package api

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/auth"
)

// NewAuthInterceptor requires a valid bearer token for every change
// (VersioningService, ObservationService) and, when closeReads is set, for
// CatalogService too. The token's name becomes the actor of the change. A
// valid token on an open read is accepted and ignored; an invalid one is
// refused, so that a misconfigured client learns of it at once.
func NewAuthInterceptor(tokens *auth.Tokens, closeReads bool) connect.Interceptor {
	readPrefix := "/" + tallycatv1connect.CatalogServiceName + "/"
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			header := req.Header().Get("Authorization")
			guarded := closeReads || !strings.HasPrefix(req.Spec().Procedure, readPrefix)
			if header == "" && !guarded {
				return next(ctx, req)
			}
			name, ok := tokens.Identify(header)
			if !ok {
				msg := "a valid bearer token is required (Authorization: Bearer <token>)"
				if header != "" {
					msg = "the bearer token is not valid"
				}
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New(msg))
			}
			return next(WithActor(ctx, name), req)
		}
	})
}
