package main

import (
	"context"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers"
	cusage "github.com/tallycat/tallycat/internal/consumers/usage"
)

// readStored reads what the catalog keeps: its findings on the consumers
// synced to it (or pulled by it), every page, and the consumers
// themselves, for the output's consumer list and notes. The catalog
// judges them against its schemas itself; what the keys' readers read
// (GetUsage, a call per key) is not asked, so the output's `read` is
// empty. A catalog that keeps no consumer is trouble, not a pass: the
// gate would judge nothing.
func readStored(ctx context.Context, url string) (consumersOutput, error) {
	client := consumerClient(url)
	out := consumersOutput{consumers: []consumerSummary{}}
	err := everyPage(func(token string) (string, error) {
		if token == "" {
			out.report.Findings = nil
		}
		res, err := client.ListConsumerFindings(ctx, &tallycatv1.ListConsumerFindingsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return "", err
		}
		for _, f := range res.Findings {
			out.report.Findings = append(out.report.Findings, toUsageFinding(f))
		}
		out.report.Stats = toUsageStats(res.Stats)
		return res.NextPageToken, nil
	})
	if err != nil {
		return out, callError(url, err)
	}
	err = everyPage(func(token string) (string, error) {
		if token == "" {
			out.consumers = []consumerSummary{}
		}
		res, err := client.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return "", err
		}
		for _, c := range res.Consumers {
			out.consumers = append(out.consumers, consumerSummary{ID: c.ConsumerId, Origin: c.Origin, Kind: kindNames[c.Kind],
				Format: formatNames[c.Format], Title: c.Title, Folder: c.Folder, Source: c.Source, UID: c.Uid,
				Queries: int(c.QueryCount), Unparsed: int(c.Unparsed), Skipped: intMap(c.Skipped), Notes: c.Notes})
		}
		return res.NextPageToken, nil
	})
	if err != nil {
		return out, callError(url, err)
	}
	if len(out.consumers) == 0 {
		return out, fmt.Errorf("consumers check: nothing to check: the catalog at %s keeps no consumers; sync them first (tallycat consumers sync), or give --dashboards, --rules, --grafana-url or --prometheus-url", url)
	}
	return out, nil
}

// everyPage calls page with each page's token in turn, the empty one
// first, until a page gives no next token. When the catalog refuses a
// token as ABORTED (it judged the consumers anew between pages, so going
// on would skip or repeat some), it starts again from the first page,
// once: page is then called with "" again, and must drop what it kept.
func everyPage(page func(token string) (next string, err error)) error {
	restarted := false
	for token := ""; ; {
		next, err := page(token)
		if err != nil {
			if token != "" && !restarted && connect.CodeOf(err) == connect.CodeAborted {
				restarted, token = true, ""
				continue
			}
			return err
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// kindNames and formatNames are the API's enums as the consumers package
// names them.
var (
	kindNames   = map[tallycatv1.ConsumerKind]consumers.Kind{}
	formatNames = map[tallycatv1.ConsumerFormat]consumers.Format{}
)

func init() {
	for k, v := range consumerKinds {
		kindNames[v] = k
	}
	for k, v := range consumerFormats {
		formatNames[v] = k
	}
}

// levelOf is a finding level of the API as the usage package has it.
var levelOf = map[tallycatv1.FindingLevel]cusage.Level{
	tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION:   cusage.Violation,
	tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT: cusage.Improvement,
	tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION: cusage.Information,
}

// toUsageFinding is a stored consumer's finding as the check makes it, so
// that one output prints both. A finding on a consumer always names a
// query (an empty one if the catalog gave none), as the text output
// groups findings by query.
func toUsageFinding(f *tallycatv1.ConsumerFinding) cusage.Finding {
	out := cusage.Finding{ID: f.FindingId, Title: f.Title, Level: levelOf[f.Level], Selector: f.Selector, Metric: f.Metric,
		Key: f.SchemaKey, Candidates: f.Candidates, Label: f.Label, Uses: f.Uses, Attribute: f.Attribute, Error: f.Error,
		SeriesSaved: f.SeriesSaved, Message: f.Message}
	if c := f.Consumer; c != nil {
		out.Consumer = &cusage.ConsumerRef{ID: c.ConsumerId, Kind: kindNames[c.Kind], Title: c.Title, Folder: c.Folder, Source: c.Source, UID: c.Uid}
		out.Query = &cusage.QueryRef{}
	}
	if q := f.Query; q != nil {
		out.Query = &cusage.QueryRef{Panel: q.Panel, RefID: q.RefId, Path: q.Path, Line: int(q.Line), Expr: q.Expr, Parsed: q.ParsedExpr}
	}
	for _, n := range f.Near {
		out.Near = append(out.Near, cusage.Near{Key: n.SchemaKey, Name: n.Name})
	}
	if f.Cost != nil {
		c := toUsageCost(f.Cost)
		c.Window = windowName(f.Cost.Window)
		out.Cost = &c
	}
	return out
}

// windowName says a cost's window as the output does ("over the last
// hour").
func windowName(w tallycatv1.Window) string {
	if w == tallycatv1.Window_WINDOW_UNSPECIFIED {
		return "last hour"
	}
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(w.String(), "WINDOW_")), "_", " ")
}

func toUsageStats(s *tallycatv1.ConsumerStats) cusage.Stats {
	return cusage.Stats{Consumers: int(s.GetConsumers()), Queries: int(s.GetQueries()), Unparsed: int(s.GetUnparsed()),
		Skipped: intMap(s.GetSkipped()), OwnSeries: int(s.GetPrometheusOwnSeries()), Recorded: int(s.GetRecordedSeries()),
		Metrics: int(s.GetMetrics()), UsedMetrics: int(s.GetUsedMetrics())}
}

func intMap(m map[string]int32) map[string]int {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = int(v)
	}
	return out
}
