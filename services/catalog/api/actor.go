package api

import (
	"context"
	"strings"

	"connectrpc.com/connect"
)

// ActorHeader names who makes a change when the request is not
// authenticated: the UI sends the name a person gave it. It is a label,
// not an identity: it authenticates nothing (see IdentityProxy for that).
const ActorHeader = "X-TallyCat-Actor"

// maxActorLen bounds an actor's name as recorded.
const maxActorLen = 256

// anonymous is the actor of a change nobody put a name to.
const anonymous = "anonymous"

type actorKey struct{}

// WithActor returns a context that records actor as the authenticated
// identity of the request; an authenticating interceptor calls it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// authenticated returns the identity an interceptor established for the
// request: a token's name or the person an identity proxy named.
func authenticated(ctx context.Context) (string, bool) {
	a, ok := ctx.Value(actorKey{}).(string)
	return a, ok && a != ""
}

// actorFrom returns who made the request: the authenticated identity, else
// the X-TallyCat-Actor header, else "anonymous".
func actorFrom(ctx context.Context) string {
	if a, ok := authenticated(ctx); ok {
		return a
	}
	if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
		if h := strings.TrimSpace(info.RequestHeader().Get(ActorHeader)); h != "" {
			if len(h) > maxActorLen {
				h = h[:maxActorLen]
			}
			return h
		}
	}
	return anonymous
}
