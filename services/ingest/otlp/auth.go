package otlp

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/internal/auth"
)

var errUnauthenticated = errors.New("a valid bearer token is required (Authorization: Bearer <token>)")

// RequireToken guards the OTLP/HTTP handler: a request without a valid
// bearer token is answered 401 with a Status body, as OTLP/HTTP asks.
func RequireToken(tokens *auth.Tokens, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := tokens.Identify(r.Header.Get("Authorization")); !ok {
			c, err := codecFor(r.Header.Get("Content-Type"))
			if err != nil {
				c = jsonCodec
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="tallycat"`)
			writeStatus(w, c, http.StatusUnauthorized, connect.CodeUnauthenticated, errUnauthenticated.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TokenInterceptor guards the OTLP/gRPC handler: a call without a valid
// bearer token is unauthenticated.
func TokenInterceptor(tokens *auth.Tokens) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if _, ok := tokens.Identify(req.Header().Get("Authorization")); !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errUnauthenticated)
			}
			return next(ctx, req)
		}
	})
}
