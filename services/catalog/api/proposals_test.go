package api_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/proposals"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// startStore is start that also returns the store, for what the catalog
// does by itself (auto-versioning).
func startStore(t *testing.T, opts ...connect.ClientOption) (clients, catalog.Store) {
	t.Helper()
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return clientsFor(srv.URL, opts...), store
}

// checkout is a data point of cart.checkouts from release version of the
// checkout service at at, with the given unit and attributes.
func checkout(version, unit string, at time.Time, attrs ...*tallycatv1.AttributeKey) *tallycatv1.Observation {
	return &tallycatv1.Observation{
		MetricName: "cart.checkouts", MetricType: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: unit,
		Temporality: tallycatv1.Temporality_TEMPORALITY_DELTA, Description: "Checkout duration.",
		DataPointAttributes: attrs,
		Producer:            &tallycatv1.ProducerIdentity{ServiceName: "checkout", ServiceVersion: version, ServiceInstanceId: "i-" + version},
		ScopeName:           "shop",
		DataPointCount:      3, FirstObserved: timestamppb.New(at), LastObserved: timestamppb.New(at),
	}
}

// seedProposals records a release story (grown, then changed) and returns the schemas: base,
// versioned 1.0.0 by alice; coupon, where release 1.0.0 moved when it added
// an optional attribute; seconds, release 2.0.0's with another unit.
func seedProposals(t *testing.T, c clients) (base, coupon, seconds string) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour)
	items, flag := key("cart.items", Int), key("cart.coupon", tallycatv1.ValueType_VALUE_TYPE_BOOL)
	record := func(obs ...*tallycatv1.Observation) []string {
		t.Helper()
		res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: obs})
		if err != nil {
			t.Fatal(err)
		}
		return res.SchemaIds
	}
	base = record(checkout("1.0.0", "ms", t0, items))[0]
	if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: base, Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	coupon = record(checkout("1.0.0", "ms", t0.Add(time.Minute), items), checkout("1.0.0", "ms", t0.Add(time.Minute), items, flag))[1]
	seconds = record(checkout("2.0.0", "s", t0.Add(2*time.Minute), items))[0]
	if base == coupon || coupon == seconds || base == seconds {
		t.Fatalf("schemas %s, %s, %s: want three", base, coupon, seconds)
	}
	return base, coupon, seconds
}

func TestProposals(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			base, coupon, seconds := seedProposals(t, c)

			res, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "cart.checkouts"})
			if err != nil {
				t.Fatal(err)
			}
			byID := make(map[string]*tallycatv1.VersionProposal)
			for _, p := range res.Proposals {
				byID[p.SchemaId] = p
			}
			if p := byID[coupon]; len(res.Proposals) != 2 || p == nil || p.BaseSchemaId != base || p.BaseVersion != "1.0.0" ||
				p.ProposedVersion != "1.1.0" || p.ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR ||
				!slices.Equal(p.Reasons, []string{"added optional attribute cart.coupon (bool)"}) {
				t.Fatalf("proposals = %v, want a minor 1.1.0 for the coupon schema", res.Proposals)
			}
			if p := byID[seconds]; p == nil || p.ProposedVersion != "2.0.0" || p.ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR ||
				!slices.Contains(p.Reasons, `changed the unit from "ms" to "s"`) {
				t.Fatalf("proposals = %v, want a major 2.0.0 for release 2.0.0's schema", res.Proposals)
			}
			one, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaId: seconds})
			if err != nil || len(one.Proposals) != 1 || one.Proposals[0].SchemaId != seconds {
				t.Fatalf("proposals of one schema = %v, %v", one, err)
			}
			all, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{})
			if err != nil || len(all.Proposals) != 2 {
				t.Fatalf("every proposal = %v, %v", all, err)
			}

			if _, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "never.seen"}); connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("proposals of an unknown metric = %v, want NOT_FOUND", err)
			}

			_, err = c.versioning.AcceptProposal(ctx, &tallycatv1.AcceptProposalRequest{SchemaId: seconds, ProposedVersion: "3.0.0"})
			if connect.CodeOf(err) != connect.CodeFailedPrecondition {
				t.Fatalf("accept a version not proposed = %v, want FAILED_PRECONDITION", err)
			}
			_, err = c.versioning.AcceptProposal(ctx, &tallycatv1.AcceptProposalRequest{SchemaId: "0123456789abcdef0123456789abcdef", ProposedVersion: "1.0.0"})
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("accept for an unknown schema = %v, want NOT_FOUND", err)
			}
			_, err = c.versioning.AcceptProposal(ctx, &tallycatv1.AcceptProposalRequest{SchemaId: "nope", ProposedVersion: "1.0.0"})
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Fatalf("accept with a malformed id = %v, want INVALID_ARGUMENT", err)
			}

			actx, info := connect.NewClientContext(ctx)
			info.RequestHeader().Set(api.ActorHeader, "alice@example.com")
			acc, err := c.versioning.AcceptProposal(actx, &tallycatv1.AcceptProposalRequest{SchemaId: seconds, ProposedVersion: "2.0.0"})
			if err != nil || acc.Version.Version != "2.0.0" || acc.Version.Actor != "alice@example.com" ||
				acc.Version.Status != tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE {
				t.Fatalf("accept = %v, %v; want 2.0.0 by alice", acc, err)
			}
			again, err := c.versioning.AcceptProposal(actx, &tallycatv1.AcceptProposalRequest{SchemaId: seconds, ProposedVersion: "2.0.0"})
			if err != nil || again.Version.Version != "2.0.0" {
				t.Fatalf("accept again = %v, %v; want the version as it is", again, err)
			}
			vs, err := c.versioning.ListVersions(ctx, &tallycatv1.ListVersionsRequest{Filter: &tallycatv1.ListVersionsRequest_SchemaId{SchemaId: seconds}})
			if err != nil || len(vs.Versions) != 1 || vs.Versions[0].Actor != "alice@example.com" {
				t.Fatalf("history = %v, %v; want one version by alice", vs, err)
			}
			left, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "cart.checkouts"})
			if err != nil || len(left.Proposals) != 1 || left.Proposals[0].SchemaId != coupon {
				t.Fatalf("proposals after accepting = %v, %v; want the coupon schema's only", left, err)
			}
		})
	}
}

func TestAutoVersionMinor(t *testing.T) {
	ctx := context.Background()
	c, store := startStore(t)
	_, coupon, seconds := seedProposals(t, c)

	got, err := proposals.AcceptProposals(ctx, store, tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR)
	if err != nil || len(got) != 1 || got[0].SchemaID != coupon || got[0].Version != "1.1.0" || got[0].Actor != proposals.AutoVersionActor {
		t.Fatalf("auto-version minor = %v, %v; want 1.1.0 of the coupon schema by tallycat", got, err)
	}
	res, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{})
	if err != nil || len(res.Proposals) != 1 || res.Proposals[0].SchemaId != seconds ||
		res.Proposals[0].ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR {
		t.Fatalf("proposals left = %v, %v; want the major one", res, err)
	}
	if again, err := proposals.AcceptProposals(ctx, store, tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR); err != nil || len(again) != 0 {
		t.Fatalf("auto-version minor again = %v, %v; want nothing", again, err)
	}
	if off, err := proposals.AcceptProposals(ctx, store, tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED); err != nil || len(off) != 0 {
		t.Fatalf("auto-version off = %v, %v; want nothing", off, err)
	}
}

// TestDismissProposal: a dismissed proposal is no longer listed and is not
// accepted by auto-versioning; the dismissal keeps who and why; dismissing
// it again is no error.
func TestDismissProposal(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, store := startStore(t, opts...)
			_, coupon, seconds := seedProposals(t, c)

			_, err := c.versioning.DismissProposal(ctx, &tallycatv1.DismissProposalRequest{SchemaId: coupon, ProposedVersion: "9.9.9"})
			if connect.CodeOf(err) != connect.CodeFailedPrecondition {
				t.Fatalf("dismiss a version not proposed = %v, want FAILED_PRECONDITION", err)
			}
			_, err = c.versioning.DismissProposal(ctx, &tallycatv1.DismissProposalRequest{SchemaId: "0123456789abcdef0123456789abcdef", ProposedVersion: "1.0.0"})
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("dismiss for an unknown schema = %v, want NOT_FOUND", err)
			}
			dctx, info := connect.NewClientContext(ctx)
			info.RequestHeader().Set(api.ActorHeader, "bob@example.com")
			for range 2 {
				if _, err := c.versioning.DismissProposal(dctx, &tallycatv1.DismissProposalRequest{
					SchemaId: coupon, ProposedVersion: "1.1.0", Reason: "the coupon attribute is an experiment",
				}); err != nil {
					t.Fatalf("dismiss: %v", err)
				}
			}
			left, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "cart.checkouts"})
			if err != nil || len(left.Proposals) != 1 || left.Proposals[0].SchemaId != seconds {
				t.Fatalf("proposals after dismissing = %v, %v; want release 2.0.0's only", left, err)
			}
			ds, err := store.ListDismissals(ctx, "cart.checkouts")
			if err != nil || len(ds) != 1 || ds[0].Actor != "bob@example.com" || ds[0].Reason != "the coupon attribute is an experiment" {
				t.Fatalf("dismissals = %v, %v; want one by bob with the reason", ds, err)
			}
			got, err := proposals.AcceptProposals(ctx, store, tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR)
			if err != nil || len(got) != 0 {
				t.Fatalf("auto-version minor after dismissing = %v, %v; want nothing", got, err)
			}
		})
	}
}

// TestProposalAfterTwoMoves: a release that grew twice before anyone
// looked (base → coupon → coupon and gift) gets its proposal on the schema
// it is on now, relative to the versioned base, and the schema between has
// none, since no release produces it any more.
func TestProposalAfterTwoMoves(t *testing.T) {
	ctx := context.Background()
	c := start(t)
	base, coupon, _ := seedProposals(t, c)
	t0 := time.Now().Add(-time.Hour)
	items, flag, gift := key("cart.items", Int), key("cart.coupon", tallycatv1.ValueType_VALUE_TYPE_BOOL), key("cart.gift", tallycatv1.ValueType_VALUE_TYPE_BOOL)
	res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{
		checkout("1.0.0", "ms", t0.Add(3*time.Minute), items, flag, gift),
	}})
	if err != nil {
		t.Fatal(err)
	}
	grown := res.SchemaIds[0]
	if grown == coupon {
		t.Fatal("the release did not move to a larger schema")
	}
	ps, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "cart.checkouts"})
	if err != nil {
		t.Fatal(err)
	}
	var onGrown *tallycatv1.VersionProposal
	for _, p := range ps.Proposals {
		if p.SchemaId == coupon {
			t.Errorf("the schema the release left has a proposal: %v", p)
		}
		if p.SchemaId == grown {
			onGrown = p
		}
	}
	if onGrown == nil || onGrown.BaseSchemaId != base || onGrown.ProposedVersion != "1.1.0" || onGrown.ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR {
		t.Fatalf("proposals = %v; want a minor 1.1.0 for the grown schema relative to the base", ps.Proposals)
	}
}
