package api

import (
	"context"
	"strings"

	"connectrpc.com/connect"
)

// ActorHeader names who makes a change when the request is not authenticated.
const ActorHeader = "X-TallyCat-Actor"

// anonymous is the actor of a change nobody put a name to.
const anonymous = "anonymous"

type actorKey struct{}

// WithActor returns a context that records actor as the authenticated
// identity of the request; an authenticating interceptor calls it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// actorFrom returns who made the request: the authenticated identity, else
// the X-TallyCat-Actor header, else "anonymous".
func actorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
		if h := strings.TrimSpace(info.RequestHeader().Get(ActorHeader)); h != "" {
			if len(h) > 256 {
				h = h[:256]
			}
			return h
		}
	}
	return anonymous
}
