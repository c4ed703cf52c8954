package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// What the lists a team reads ask over the API (issue 23): TallyCat's own
// telemetry left out, the keys that diverge, each key's versions, and its
// findings counted.

func keyNames(ks []*tallycatv1.SchemaKeySummary) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.SchemaKey
	}
	return out
}

// TestTallyCatsOwnTelemetryLeftOut: the ingest and the catalog report
// their own metrics, one of which a team's Connect service sends too.
// Asked to leave them out, the lists, their pages and counts, the services
// and the findings keep the team's alone.
func TestTallyCatsOwnTelemetryLeftOut(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	self := func(name, service string) *tallycatv1.Observation {
		o := obs(name, service)
		o.Producer.ServiceNamespace = "tallycat"
		return o
	}
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{
		self("tallycat.ingest.batches", "tallycat-ingest"), self("rpc.server.call.duration", "tallycat-catalog"),
		obs("rpc.server.call.duration", "checkout"), obs("http.server.request.duration", "checkout", key("http.request.method", String)),
	}}); err != nil {
		t.Fatal(err)
	}

	all, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
	if err != nil || all.TotalSize != 3 {
		t.Fatalf("every key: %v (%v), want 3", all, err)
	}
	first, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{ExcludeSelfTelemetry: true, PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keyNames(first.SchemaKeys), []string{"http.server.request.duration"}) || first.TotalSize != 2 || first.NextPageToken == "" {
		t.Fatalf("the first page without TallyCat's own: %v", first)
	}
	next, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{ExcludeSelfTelemetry: true, PageSize: 1, PageToken: first.NextPageToken})
	if err != nil || !slices.Equal(keyNames(next.GetSchemaKeys()), []string{"rpc.server.call.duration"}) || next.NextPageToken != "" {
		t.Fatalf("the second page: %v (%v), want the metric checkout sends too, and the last", next, err)
	}
	// A page token is bound to the filter it was handed out under.
	if _, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 1, PageToken: first.NextPageToken}); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("the token under another filter: %v, want InvalidArgument", err)
	}

	services, err := c.catalog.ListServices(ctx, &tallycatv1.ListServicesRequest{ExcludeSelfTelemetry: true})
	if err != nil || len(services.Services) != 1 || services.Services[0].ServiceName != "checkout" {
		t.Fatalf("services without TallyCat's: %v (%v), want checkout", services, err)
	}

	listed, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{})
	if err != nil || !slices.ContainsFunc(listed.Findings, func(f *tallycatv1.Finding) bool { return strings.Contains(names(f.Producers), "tallycat-") }) {
		t.Fatalf("every finding: %v (%v), want some about TallyCat's own", listed, err)
	}
	teams, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{ExcludeSelfTelemetry: true})
	if err != nil || len(teams.Findings) == 0 || int(teams.TotalSize) != len(teams.Findings) {
		t.Fatalf("the team's findings: %v (%v)", teams, err)
	}
	for _, f := range teams.Findings {
		for _, s := range f.Schemas {
			if strings.Contains(names(s.Producers), "tallycat-") || f.SchemaKey == "tallycat.ingest.batches" {
				t.Errorf("without TallyCat's own, %s on %s names %s", f.FindingId, f.SchemaKey, names(s.Producers))
			}
		}
	}

	sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
	if err != nil || sum.Metrics.Total != 3 {
		t.Fatalf("the summary: %v (%v), want 3 metrics", sum, err)
	}
	sum, err = c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{ExcludeSelfTelemetry: true,
		SchemaKeys: []string{"rpc.server.call.duration", "http.server.request.duration", "tallycat.ingest.batches", "never.seen"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Metrics.Total != 2 || int(sum.Total.Violations+sum.Total.Improvements+sum.Total.Information) != len(teams.Findings) {
		t.Errorf("the team's summary: %d metrics, %v findings; want 2 metrics and the %d findings listed", sum.Metrics.Total, sum.Total, len(teams.Findings))
	}
	for _, s := range sum.ByService {
		if s.Name != "checkout" {
			t.Errorf("the team's summary counts %s's findings", s.Name)
		}
	}
	// by_key counts a key's findings as the list narrowed to it counts
	// them, in the order asked, a key without any left out.
	var asked []string
	for _, k := range sum.ByKey {
		asked = append(asked, k.Name)
		for level, want := range map[tallycatv1.FindingLevel]uint32{
			tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION: k.Violations, tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION: k.Violations + k.Improvements + k.Information,
		} {
			res, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{SchemaKey: k.Name, MinLevel: level, ExcludeSelfTelemetry: true})
			if err != nil || res.TotalSize != int64(want) {
				t.Errorf("%s: by_key counts %d at %v or above, the list %v (%v)", k.Name, want, level, res.GetTotalSize(), err)
			}
		}
	}
	if !slices.Equal(asked, []string{"rpc.server.call.duration", "http.server.request.duration"}) {
		t.Errorf("by_key names %v, want the team's two keys in the order asked", asked)
	}
}

// TestDivergingKeysAndVersionsOverTheAPI: the list marks and filters the
// metric whose producers disagree, and names each schema's version with
// its status.
func TestDivergingKeysAndVersionsOverTheAPI(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	checkouts, payments := seed(t, c)
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{obs("db.duration", "checkout"), obs("db.duration", "payments")}}); err != nil {
		t.Fatal(err)
	}
	diverging, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{DivergingOnly: true})
	if err != nil || !slices.Equal(keyNames(diverging.SchemaKeys), []string{"http.duration"}) || diverging.TotalSize != 1 || !diverging.SchemaKeys[0].Diverging {
		t.Fatalf("diverging keys: %v (%v), want http.duration, marked", diverging, err)
	}
	for id, v := range map[string]string{checkouts: "1.0.0", payments: "2.0.0"} {
		if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: id, Version: v}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.versioning.SetVersionStatus(ctx, &tallycatv1.SetVersionStatusRequest{SchemaId: payments,
		Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "replaced"}); err != nil {
		t.Fatal(err)
	}
	all, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
	if err != nil || len(all.SchemaKeys) != 2 {
		t.Fatalf("every key: %v (%v)", all, err)
	}
	var got []string
	for _, v := range all.SchemaKeys[1].Versions {
		got = append(got, v.Version+" "+strings.ToLower(strings.TrimPrefix(v.Status.String(), "VERSION_STATUS_")))
	}
	if k := all.SchemaKeys[1]; k.SchemaKey != "http.duration" || !slices.Equal(got, []string{"1.0.0 active", "2.0.0 deprecated"}) || !k.Diverging {
		t.Errorf("http.duration's versions: %v, want 1.0.0 active and 2.0.0 deprecated", got)
	}
	if k := all.SchemaKeys[0]; k.Diverging || len(k.Versions) != 0 {
		t.Errorf("db.duration, one schema from two services: %v, want neither diverging nor versioned", k)
	}
}
