package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestFindingsAreListedOnceWithTitles is the demo's duration over RPC:
// checkout sends it in s, as the conventions define it, payments in ms,
// both without the same opt-in attributes. ListFindings lists each finding
// once with its title, naming the schemas and producers it concerns; the
// unit is payments' finding alone, saying who sends what; the summary
// counts the rows listed and titles its finding ids.
func TestFindingsAreListedOnceWithTitles(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	checkout := obs("http.server.request.duration", "checkout", key("http.request.method", String), key("url.scheme", String))
	checkout.Unit = "s"
	payments := obs("http.server.request.duration", "payments", key("http.request.method", String), key("url.scheme", String))
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{
		BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{checkout, payments},
	}); err != nil {
		t.Fatal(err)
	}
	res, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*tallycatv1.Finding{}
	for _, f := range res.Findings {
		id := f.FindingId + " " + f.Attribute
		if rows[id] != nil {
			t.Errorf("%s is listed twice: %q and %q", id, rows[id].Message, f.Message)
		}
		rows[id] = f
		if f.Title == "" || f.Title == f.FindingId {
			t.Errorf("%s has no title: %q", f.FindingId, f.Title)
		}
	}
	if f := rows["unit_conflict "]; f != nil {
		t.Errorf("a unit conflict the conventions settle: %v", f)
	}
	unit := rows["unit_mismatch "]
	if unit == nil || unit.Title != "Unit differs from the conventions" || len(unit.Schemas) != 1 || names(unit.Producers) != "payments" ||
		!strings.Contains(unit.Message, "payments sends ms where the conventions and checkout send s") {
		t.Fatalf("the unit finding: %v; want payments' alone, saying checkout sends s as the conventions define", unit)
	}
	port := rows["opt_in_attribute_not_present server.port"]
	if port == nil || port.Title != "Opt-in attribute not sent" || len(port.Schemas) != 2 || names(port.Producers) != "checkout, payments" ||
		port.SchemaId != port.Schemas[0].SchemaId || port.Schemas[0].SchemaId >= port.Schemas[1].SchemaId {
		t.Fatalf("server.port: %v; want one finding concerning both schemas, in id order", port)
	}
	for _, s := range port.Schemas {
		if len(s.Producers) != 1 || (s.SchemaId == unit.SchemaId) != (s.Producers[0].ServiceName == "payments") {
			t.Errorf("server.port's schema %s names %v", s.SchemaId, s.Producers)
		}
	}

	// A service's findings name its own schemas.
	mine, err := c.conformance.ListFindings(ctx, &tallycatv1.ListFindingsRequest{ServiceName: "checkout", FindingIds: []string{"opt_in_attribute_not_present"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range mine.Findings {
		if len(f.Schemas) != 1 || names(f.Producers) != "checkout" {
			t.Errorf("checkout's %s %s names %v", f.FindingId, f.Attribute, f.Producers)
		}
	}

	sum, err := c.conformance.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(sum.Total.Violations + sum.Total.Improvements + sum.Total.Information); n != res.TotalSize {
		t.Errorf("the summary counts %d findings, ListFindings lists %d", n, res.TotalSize)
	}
	for _, c := range sum.ByFinding {
		if c.Title == "" {
			t.Errorf("%s counted without its title", c.Name)
		}
	}
}

// names lists the services of producers, sorted, comma-separated.
func names(ps []*tallycatv1.FindingProducer) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ServiceName)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
