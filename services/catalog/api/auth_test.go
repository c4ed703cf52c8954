package api_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

const aliceToken = "alice-0123456789abcdef"

func startWithAuth(t *testing.T, closeReads bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(path, []byte("alice:"+aliceToken+"\n"), 0o600)
	tokens, err := auth.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Interceptors: []connect.Interceptor{api.NewAuthInterceptor(tokens, closeReads)}}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAuth(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := startWithAuth(t, false)
			anon := clientsFor(url, opts...)
			alice := clientsFor(url, append(opts, connect.WithInterceptors(auth.BearerToken(aliceToken)))...)
			forged := clientsFor(url, append(opts, connect.WithInterceptors(auth.BearerToken("mallory-0123456789ab")))...)

			batch := &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{obs("m", "svc")}}
			if _, err := anon.observation.RecordObservations(ctx, batch); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("observations without a token = %v, want unauthenticated", err)
			}
			if _, err := forged.observation.RecordObservations(ctx, batch); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("observations with a wrong token = %v, want unauthenticated", err)
			}
			res, err := alice.observation.RecordObservations(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			id := res.SchemaIds[0]
			// Every read the UI makes is open, whichever service serves
			// it: the Conformance page and proposals as the metric pages.
			if _, err := anon.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{}); err != nil {
				t.Errorf("open read without a token = %v", err)
			}
			if _, err := anon.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{}); err != nil {
				t.Errorf("ListFindings without a token = %v, want open", err)
			}
			if _, err := anon.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{}); err != nil {
				t.Errorf("GetConformanceSummary without a token = %v, want open", err)
			}
			if _, err := anon.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{}); err != nil {
				t.Errorf("ListProposals without a token = %v, want open", err)
			}
			if _, err := anon.versioning.ListVersions(ctx, &tallycatv1.ListVersionsRequest{Filter: &tallycatv1.ListVersionsRequest_SchemaId{SchemaId: id}}); err != nil {
				t.Errorf("ListVersions without a token = %v, want open", err)
			}
			if _, err := anon.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: id, Version: "1.0.0"}); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("assign without a token = %v, want unauthenticated", err)
			}
			// The actor header cannot stand in for a token.
			hctx, info := connect.NewClientContext(ctx)
			info.RequestHeader().Set(api.ActorHeader, "alice")
			if _, err := anon.versioning.AssignVersion(hctx, &tallycatv1.AssignVersionRequest{SchemaId: id, Version: "1.0.0"}); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("assign with only an actor header = %v, want unauthenticated", err)
			}
			v, err := alice.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: id, Version: "1.0.0"})
			if err != nil || v.Version.Actor != "alice" {
				t.Errorf("assign with alice's token = %v, %v; want actor alice", v, err)
			}
		})
	}
}

func TestClosedReads(t *testing.T) {
	url := startWithAuth(t, true)
	ctx := context.Background()
	if _, err := clientsFor(url).catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{}); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("closed read without a token = %v, want unauthenticated", err)
	}
	if _, err := clientsFor(url).conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{}); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("closed ListFindings without a token = %v, want unauthenticated", err)
	}
	if _, err := clientsFor(url, connect.WithInterceptors(auth.BearerToken(aliceToken))).catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{}); err != nil {
		t.Errorf("closed read with a token = %v", err)
	}
}

func clientsFor(url string, opts ...connect.ClientOption) clients {
	hc := insecureHTTP2()
	return clients{
		catalog:     tallycatv1connect.NewCatalogServiceClient(hc, url, opts...),
		versioning:  tallycatv1connect.NewVersioningServiceClient(hc, url, opts...),
		observation: tallycatv1connect.NewObservationServiceClient(hc, url, opts...),
		conformance: tallycatv1connect.NewConformanceServiceClient(hc, url, opts...),
	}
}
