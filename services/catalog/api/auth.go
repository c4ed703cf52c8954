package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"github.com/tallycat/tallycat/internal/auth"
)

// NewAuthInterceptor requires a valid bearer token for every change and,
// when closeReads is set, for every read too. The token's name becomes the
// actor of the change. A valid token on an open read is accepted and
// ignored; an invalid one is refused, so that a misconfigured client learns
// of it at once.
//
// A read is a procedure the API declares free of side effects
// (idempotency_level = NO_SIDE_EFFECTS in the .proto), whichever service it
// belongs to: the UI's Conformance page and proposals read through
// ConformanceService and VersioningService as its metric pages read through
// CatalogService, and a deployment that guards only changes must serve all
// of them. The rule lives in the API's definition, so a new read is open
// and a new change is guarded without this code knowing either.
func NewAuthInterceptor(tokens *auth.Tokens, closeReads bool) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			header := req.Header().Get("Authorization")
			guarded := closeReads || req.Spec().IdempotencyLevel != connect.IdempotencyNoSideEffects
			if header == "" {
				// A person an identity proxy signed in needs no token
				// (see NewIdentityInterceptor).
				if _, ok := authenticated(ctx); ok || !guarded {
					return next(ctx, req)
				}
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
