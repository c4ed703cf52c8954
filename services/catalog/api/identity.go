package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"connectrpc.com/connect"
)

// IdentityProxy is a single sign-on proxy in front of the catalog, such as
// oauth2-proxy, that signs people in and passes on who they are in a
// request header (X-Forwarded-Email, X-Auth-Request-User). A request that
// comes from one of the proxy's addresses with that header is the named
// person's: their name is the actor of what they change, and with
// --auth-token-file they may change things without a token of their own,
// since the proxy already checked who they are.
//
// The header is believed only from the proxy's addresses: anybody can set
// a header, and a client that reaches the catalog around the proxy must
// not sign itself in by writing one.
type IdentityProxy struct {
	// Header is the request header holding the person's name.
	Header string
	// Trusted are the addresses the proxy connects from.
	Trusted []netip.Prefix
}

// ParseIdentityProxy reads the --actor-header and --actor-proxies flags:
// a header name and comma-separated addresses or CIDR prefixes. Both empty
// is no proxy (nil); one without the other is an error, as is an address
// that does not parse, naming it.
func ParseIdentityProxy(header, trusted string) (*IdentityProxy, error) {
	header, trusted = strings.TrimSpace(header), strings.TrimSpace(trusted)
	switch {
	case header == "" && trusted == "":
		return nil, nil
	case header == "":
		return nil, errors.New("--actor-proxies needs --actor-header: the header the proxy puts the person's name in")
	case trusted == "":
		return nil, fmt.Errorf("--actor-header %s needs --actor-proxies: the addresses of the proxy allowed to set it (a header from anywhere else is not believed)", header)
	}
	if http.CanonicalHeaderKey(header) == http.CanonicalHeaderKey("Authorization") {
		return nil, errors.New("--actor-header cannot be Authorization: it carries tokens")
	}
	p := &IdentityProxy{Header: header}
	for _, s := range strings.Split(trusted, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			addr, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("--actor-proxies: %q is neither an address nor a CIDR prefix", s)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		p.Trusted = append(p.Trusted, prefix.Masked())
	}
	return p, nil
}

// trusts reports whether addr, a peer address as "host:port" or a bare
// host, is one of the proxy's.
func (p *IdentityProxy) trusts(addr string) bool {
	ip, err := netip.ParseAddrPort(addr)
	host := ip.Addr()
	if err != nil {
		if host, err = netip.ParseAddr(addr); err != nil {
			return false
		}
	}
	host = host.Unmap()
	for _, prefix := range p.Trusted {
		if prefix.Contains(host) {
			return true
		}
	}
	return false
}

// person returns the name the proxy passed on for a request from addr, if
// the request came from the proxy and carries one.
func (p *IdentityProxy) person(addr string, h http.Header) (string, bool) {
	name := strings.TrimSpace(h.Get(p.Header))
	if name == "" || !p.trusts(addr) {
		return "", false
	}
	if len(name) > maxActorLen {
		name = name[:maxActorLen]
	}
	return name, true
}

// NewIdentityInterceptor makes the person the proxy names the
// authenticated actor of a request (see IdentityProxy). It must come
// before the token interceptor (NewAuthInterceptor), which then lets the
// request through without a token.
func NewIdentityInterceptor(p *IdentityProxy) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if name, ok := p.person(req.Peer().Addr, req.Header()); ok {
				ctx = WithActor(ctx, name)
			}
			return next(ctx, req)
		}
	})
}
