package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// cpuTime is a data point of system.cpu.time (a monotonic cumulative sum
// in seconds, exported to Prometheus as system_cpu_time_seconds_total)
// from release version of the host agent at at, with the given attributes.
func cpuTime(version string, at time.Time, attrs ...string) *tallycatv1.Observation {
	var keys []*tallycatv1.AttributeKey
	for _, a := range attrs {
		keys = append(keys, key(a, tallycatv1.ValueType_VALUE_TYPE_STRING))
	}
	return &tallycatv1.Observation{
		MetricName: "system.cpu.time", MetricType: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "s", Monotonic: true,
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Description: "Seconds each logical CPU spent on each mode.",
		DataPointAttributes: keys,
		Producer:            &tallycatv1.ProducerIdentity{ServiceName: "host-agent", ServiceVersion: version, ServiceInstanceId: "h-" + version},
		ScopeName:           "hostmetrics",
		DataPointCount:      8, FirstObserved: timestamppb.New(at), LastObserved: timestamppb.New(at),
	}
}

// TestProposalBreaksDashboard: a dashboard synced through ConsumerService
// groups system_cpu_time_seconds_total by state; a new release of the
// host agent stops sending state. Its version proposal is major and names
// the dashboard and the panel, as a reason and as a break; a panel that
// reads no label is not named.
func TestProposalBreaksDashboard(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := storetest.Open(t, catalog.CostConfig{})
			srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{}))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c := clientsFor(srv.URL, opts...)
			consumers := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL, opts...)
			t0 := time.Now().Add(-time.Hour)
			record := func(obs ...*tallycatv1.Observation) []string {
				t.Helper()
				res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: obs})
				if err != nil {
					t.Fatal(err)
				}
				return res.SchemaIds
			}

			base := record(cpuTime("1.0.0", t0, "cpu", "state"))[0]
			if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: base, Version: "1.0.0"}); err != nil {
				t.Fatal(err)
			}
			const byState = `sum by (state) (rate(system_cpu_time_seconds_total[5m]))`
			if _, err := consumers.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:dashboards", Consumers: []*tallycatv1.Consumer{{
				Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD,
				Source: "dashboards/host.json", Uid: "host", Title: "Host metrics", Folder: "Infrastructure",
				Queries: []*tallycatv1.ConsumerQuery{
					{Panel: "CPU by state", RefId: "A", Path: "panels[0].targets[0].expr", Expr: byState, Raw: byState},
					{Panel: "CPU busy", RefId: "A", Path: "panels[1].targets[0].expr", Expr: `sum(rate(system_cpu_time_seconds_total[5m]))`},
				},
			}}}); err != nil {
				t.Fatal(err)
			}
			noState := record(cpuTime("2.0.0", t0.Add(time.Minute), "cpu"))[0]

			res, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "system.cpu.time"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Proposals) != 1 || res.Proposals[0].SchemaId != noState {
				t.Fatalf("proposals = %v, want one for release 2.0.0's schema %s", res.Proposals, noState)
			}
			p := res.Proposals[0]
			wantReason := `breaks dashboard "Host metrics" (panel "CPU by state", groups by state)`
			if p.ChangeLevel != tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR || p.ProposedVersion != "2.0.0" || !slices.Contains(p.Reasons, wantReason) {
				t.Errorf("proposal = %s %s, reasons %q; want major 2.0.0 with %q", p.ChangeLevel, p.ProposedVersion, p.Reasons, wantReason)
			}
			if len(p.Breaks) != 1 {
				t.Fatalf("breaks = %v, want the panel grouping by state only", p.Breaks)
			}
			b := p.Breaks[0]
			if b.GetConsumer().GetTitle() != "Host metrics" || b.GetConsumer().GetKind() != tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD ||
				b.GetConsumer().GetFolder() != "Infrastructure" || b.GetQuery().GetPanel() != "CPU by state" ||
				b.GetQuery().GetPath() != "panels[0].targets[0].expr" || b.GetFindingId() != "consumer_missing_attribute" || b.GetLabel() != "state" {
				t.Errorf("break = %v, want dashboard Host metrics (Infrastructure), panel CPU by state at panels[0].targets[0].expr, consumer_missing_attribute on state", b)
			}

			// Removing state is major on its own: what this test proves is
			// that the proposal names the dashboard it breaks, and that a
			// version below the proposal's is refused. That a break raises
			// the level of a change that alone is minor is proved by the
			// proposals' unit test (TestListProposalsBreaks).
			if _, err := c.versioning.AcceptProposal(ctx, &tallycatv1.AcceptProposalRequest{SchemaId: noState, ProposedVersion: "1.1.0"}); connect.CodeOf(err) != connect.CodeFailedPrecondition {
				t.Errorf("accept 1.1.0 = %v, want FAILED_PRECONDITION", err)
			}
		})
	}
}

// TestTimelineBreaks: the timeline names the dashboards a release's
// change breaks, in the event's breaks and its summary: a new release
// that stops sending an attribute a panel groups by says so where its
// schema is first seen; a move that keeps it says nothing more.
func TestTimelineBreaks(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	consumers := tallycatv1connect.NewConsumerServiceClient(insecureHTTP2(), srv.URL)
	t0 := time.Now().Add(-time.Hour)
	record := func(obs ...*tallycatv1.Observation) []string {
		t.Helper()
		res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: obs})
		if err != nil {
			t.Fatal(err)
		}
		return res.SchemaIds
	}
	const byState = `sum by (state) (rate(system_cpu_time_seconds_total[5m]))`
	if _, err := consumers.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: "files:dashboards", Consumers: []*tallycatv1.Consumer{{
		Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD, Format: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD,
		Source: "dashboards/host.json", Uid: "host", Title: "Host metrics",
		Queries: []*tallycatv1.ConsumerQuery{{Panel: "CPU by state", RefId: "A", Expr: byState}},
	}}}); err != nil {
		t.Fatal(err)
	}
	base := record(cpuTime("1.0.0", t0, "cpu", "state"))[0]
	// Release 1.0.0 grows: a new attribute on some data points. The
	// schema it moves to still has state: nothing breaks.
	grown := record(cpuTime("1.0.0", t0.Add(time.Minute), "cpu", "state"), cpuTime("1.0.0", t0.Add(time.Minute), "cpu", "state", "system.device"))[1]
	if grown == base {
		t.Fatal("release 1.0.0 did not move")
	}
	events, err := c.catalog.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: "system.cpu.time"})
	if err != nil {
		t.Fatal(err)
	}
	var moves []*tallycatv1.SchemaEvent
	for _, e := range events.Events {
		if e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED {
			moves = append(moves, e)
		}
	}
	if len(moves) != 1 || moves[0].SchemaId != base || moves[0].TargetSchemaId != grown {
		t.Fatalf("moves = %v, want release 1.0.0's from %s to %s", moves, base, grown)
	}
	if m := moves[0]; len(m.Breaks) != 0 || strings.Contains(m.Summary, "breaks") {
		t.Errorf("a move that keeps state: breaks %v, summary %q; want none", m.Breaks, m.Summary)
	}

	// Release 2.0.0 of the same service stops sending state.
	upgraded := record(cpuTime("2.0.0", t0.Add(2*time.Minute), "cpu"))[0]
	events, err = c.catalog.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: "system.cpu.time"})
	if err != nil {
		t.Fatal(err)
	}
	var broken []*tallycatv1.SchemaEvent
	for _, e := range events.Events {
		if len(e.Breaks) > 0 {
			broken = append(broken, e)
		}
	}
	if len(broken) != 1 || broken[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN || broken[0].SchemaId != upgraded {
		t.Fatalf("events with breaks = %v, want release 2.0.0's schema %s first seen", broken, upgraded)
	}
	e := broken[0]
	if b := e.Breaks[0]; len(e.Breaks) != 1 || b.Consumer.GetTitle() != "Host metrics" || b.Query.GetPanel() != "CPU by state" || b.Label != "state" {
		t.Errorf("breaks = %v, want panel CPU by state of Host metrics, on state", e.Breaks)
	}
	if !strings.Contains(e.Summary, `breaks dashboard "Host metrics" (panel "CPU by state"`) {
		t.Errorf("summary %q, want it to name the dashboard and panel", e.Summary)
	}
}

// unreadableConsumers is a store whose stored consumers cannot be read
// (a corrupt row): every reading of them fails.
type unreadableConsumers struct{ catalog.Store }

func (unreadableConsumers) ListConsumers(context.Context) ([]catalog.Consumer, error) {
	return nil, errors.New("decoding consumer 0123: unexpected end of JSON input")
}

// When what a change breaks cannot be worked out, the timeline is answered
// without it rather than not at all; a version proposal, which must not
// be made without it, fails.
func TestTimelineWithoutBreaksWhenTheConsumersCannotBeRead(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	uses := consumers.New(unreadableConsumers{store}, consumers.Options{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{Consumers: uses}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	t0 := time.Now().Add(-time.Hour)
	record := func(obs ...*tallycatv1.Observation) []string {
		t.Helper()
		res, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: obs})
		if err != nil {
			t.Fatal(err)
		}
		return res.SchemaIds
	}
	base := record(cpuTime("1.0.0", t0, "cpu", "state"))[0]
	if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: base, Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	record(cpuTime("2.0.0", t0.Add(time.Minute), "cpu"))
	events, err := c.catalog.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: "system.cpu.time"})
	if err != nil || len(events.Events) == 0 {
		t.Fatalf("timeline = %v, %v; want its events, without breaks", events, err)
	}
	for _, e := range events.Events {
		if len(e.Breaks) != 0 {
			t.Errorf("event %v names breaks", e)
		}
	}
	if res, err := c.versioning.ListProposals(ctx, &tallycatv1.ListProposalsRequest{SchemaKey: "system.cpu.time"}); err == nil {
		t.Errorf("proposals = %v, want an error: a proposal is not made without what it breaks", res)
	}
}
