package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// reJudgingCatalog serves two pages of findings, and refuses the second
// page's token once, as a catalog does whose reading changed between
// pages; then it serves the pages again.
type reJudgingCatalog struct {
	tallycatv1connect.UnimplementedConsumerServiceHandler
	refused, firstPages int
}

func (c *reJudgingCatalog) ListConsumerFindings(_ context.Context, req *tallycatv1.ListConsumerFindingsRequest) (*tallycatv1.ListConsumerFindingsResponse, error) {
	finding := func(title string) *tallycatv1.ConsumerFinding {
		return &tallycatv1.ConsumerFinding{FindingId: "consumer_missing_metric", Level: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION,
			Consumer: &tallycatv1.ConsumerRef{ConsumerId: title, Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE, Title: title, Source: "rules.yml"},
			Query:    &tallycatv1.ConsumerQueryRef{Panel: title, Expr: "rate(" + title + "_total[5m])"}, Metric: title + "_total",
			Message: "no current schema sends " + title + "_total"}
	}
	stats := &tallycatv1.ConsumerStats{Consumers: 2, Queries: 2, Levels: map[string]int32{"violation": 2}}
	switch req.PageToken {
	case "":
		c.firstPages++
		return &tallycatv1.ListConsumerFindingsResponse{Findings: []*tallycatv1.ConsumerFinding{finding("first")}, NextPageToken: "second", TotalSize: 2, Stats: stats}, nil
	case "second":
		if c.refused == 0 {
			c.refused++
			return nil, connect.NewError(connect.CodeAborted, errors.New("page_token: the consumers were judged anew since the first page"))
		}
		return &tallycatv1.ListConsumerFindingsResponse{Findings: []*tallycatv1.ConsumerFinding{finding("second")}, TotalSize: 2, Stats: stats}, nil
	}
	return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("page_token: not a token this server issued"))
}

func (c *reJudgingCatalog) ListConsumers(context.Context, *tallycatv1.ListConsumersRequest) (*tallycatv1.ListConsumersResponse, error) {
	var out tallycatv1.ListConsumersResponse
	for _, title := range []string{"first", "second"} {
		out.Consumers = append(out.Consumers, &tallycatv1.Consumer{ConsumerId: title, Kind: tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE,
			Title: title, Source: "rules.yml", QueryCount: 1})
	}
	return &out, nil
}

// The gate on the stored consumers starts again from the first page when
// the catalog judged them anew between pages, so that it reports each
// finding once: none skipped, none twice.
func TestConsumersCheckStoredRestartsWhenThePagesNoLongerFollow(t *testing.T) {
	fake := &reJudgingCatalog{}
	mux := http.NewServeMux()
	mux.Handle(tallycatv1connect.NewConsumerServiceHandler(fake))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	code, out, errs := runCLI("consumers", "check", "--catalog", srv.URL, "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d, stderr %s, want findings", code, errs)
	}
	got := decode(t, out)
	var titles []string
	for _, f := range got.Findings {
		titles = append(titles, f.Consumer.Title)
	}
	if strings.Join(titles, ",") != "first,second" || fake.firstPages != 2 {
		t.Errorf("findings of %v after %d first pages, want first and second once each, after starting again once", titles, fake.firstPages)
	}
}
