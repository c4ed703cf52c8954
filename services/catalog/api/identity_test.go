package api_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// startBehindProxy serves a catalog whose identity proxy is trusted from
// the given addresses, with tokens required for changes when withTokens is
// set. The test's clients connect from 127.0.0.1, as a proxy on the same
// host would.
func startBehindProxy(t *testing.T, trusted string, withTokens bool) string {
	t.Helper()
	proxy, err := api.ParseIdentityProxy("X-Forwarded-Email", trusted)
	if err != nil {
		t.Fatal(err)
	}
	interceptors := []connect.Interceptor{api.NewIdentityInterceptor(proxy)}
	if withTokens {
		path := filepath.Join(t.TempDir(), "tokens")
		os.WriteFile(path, []byte("alice:"+aliceToken+"\n"), 0o600)
		tokens, err := auth.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		interceptors = append(interceptors, api.NewAuthInterceptor(tokens, false))
	}
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Interceptors: interceptors}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// withHeaders returns ctx with the request headers a proxy or the UI sets.
func withHeaders(ctx context.Context, kv ...string) context.Context {
	ctx, info := connect.NewClientContext(ctx)
	for i := 0; i+1 < len(kv); i += 2 {
		info.RequestHeader().Set(kv[i], kv[i+1])
	}
	return ctx
}

// TestIdentityProxy: behind a single sign-on proxy, the person it names is
// the actor of a change and needs no token of their own; the same header
// from an address that is not the proxy's signs nobody in.
func TestIdentityProxy(t *testing.T) {
	tests := []struct {
		name       string
		trusted    string
		withTokens bool
		headers    []string
		wantCode   connect.Code
		wantActor  string
	}{
		{"from the proxy, tokens on", "127.0.0.1/32", true, []string{"X-Forwarded-Email", "dana@example.com"}, 0, "dana@example.com"},
		{"around the proxy, tokens on", "10.0.0.0/8", true, []string{"X-Forwarded-Email", "dana@example.com"}, connect.CodeUnauthenticated, ""},
		{"from the proxy, its name wins over the UI's", "127.0.0.0/8, ::1", false,
			[]string{"X-Forwarded-Email", "dana@example.com", api.ActorHeader, "mallory"}, 0, "dana@example.com"},
		{"around the proxy, the UI's name is a label", "10.0.0.1", false,
			[]string{"X-Forwarded-Email", "dana@example.com", api.ActorHeader, "dana"}, 0, "dana"},
		{"from the proxy without the header", "127.0.0.1", false, nil, 0, "anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := startBehindProxy(t, tt.trusted, tt.withTokens)
			ctx := context.Background()
			writer := clientsFor(url, connect.WithInterceptors(auth.BearerToken(aliceToken)))
			res, err := writer.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{
				BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{obs("m", "svc")}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := clientsFor(url).versioning.AssignVersion(withHeaders(ctx, tt.headers...),
				&tallycatv1.AssignVersionRequest{SchemaId: res.SchemaIds[0], Version: "1.0.0"})
			if code := connect.CodeOf(err); err != nil && code != tt.wantCode || err == nil && tt.wantCode != 0 {
				t.Fatalf("assign = %v, want code %v", err, tt.wantCode)
			}
			if err == nil && v.Version.Actor != tt.wantActor {
				t.Errorf("actor = %q, want %q", v.Version.Actor, tt.wantActor)
			}
		})
	}
}

func TestParseIdentityProxy(t *testing.T) {
	tests := []struct {
		header, trusted, wantErr string
	}{
		{"", "", ""},
		{"X-Forwarded-Email", "10.0.0.0/8,192.168.1.7", ""},
		{"X-Forwarded-Email", "", "needs --actor-proxies"},
		{"", "10.0.0.0/8", "needs --actor-header"},
		{"Authorization", "10.0.0.1", "cannot be Authorization"},
		{"X-Forwarded-Email", "10.0.0.0/8,proxy.internal", `"proxy.internal" is neither`},
	}
	for _, tt := range tests {
		p, err := api.ParseIdentityProxy(tt.header, tt.trusted)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ParseIdentityProxy(%q, %q) = %v, want error containing %q", tt.header, tt.trusted, err, tt.wantErr)
		}
		if tt.header == "" && tt.trusted == "" && p != nil {
			t.Errorf("no flags gave a proxy %+v", p)
		}
	}
}
