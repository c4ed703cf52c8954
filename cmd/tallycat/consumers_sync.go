package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/consumers"
)

// consumerClient talks to a catalog's ConsumerService, with the token
// and timeout conformanceClient uses.
func consumerClient(url string) tallycatv1connect.ConsumerServiceClient {
	var opts []connect.ClientOption
	if token := os.Getenv("TALLYCAT_TOKEN"); token != "" {
		opts = append(opts, connect.WithInterceptors(bearer(token)))
	}
	return tallycatv1connect.NewConsumerServiceClient(&http.Client{Timeout: 2 * time.Minute}, strings.TrimRight(url, "/"), opts...)
}

// consumersSync reads the sources given and replaces, per origin, the
// consumers the catalog keeps of it (SyncConsumers). What could not be
// read is never taken for deleted: a file that does not parse is sent as
// an unreadable source, whose stored consumers the catalog keeps; an
// origin that could not be read at all (an API down, a folder gone) is not
// synced. What reads as nothing is not taken for deleted either, unless
// --prune says it is meant: an API that answers with no consumer, and a
// sync that would remove every stored consumer of its origin or most of
// a large one (consumers.Batch.RefuseRemovals), are not synced. Each is
// trouble (exitTrouble) once the rest is synced.
func consumersSync(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var f consumersFlags
	var prune bool
	fs := flag.NewFlagSet("tallycat consumers sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.catalog, "catalog", defaultCatalog(), "the catalog's URL")
	fs.Var(&f.dashboards, "dashboards", "a dashboard file or folder (repeatable)")
	fs.Var(&f.rules, "rules", "a rule file or folder (repeatable)")
	fs.StringVar(&f.grafana, "grafana-url", "", "Grafana's URL; its token is read from $TALLYCAT_GRAFANA_TOKEN")
	fs.StringVar(&f.prometheus, "prometheus-url", "", "a Prometheus whose /api/v1/rules to read")
	fs.BoolVar(&prune, "prune", false, "sync an origin even when it would remove all or most of its stored consumers, or an API answers with none")
	if err := fs.Parse(args); err != nil {
		return exitTrouble, fmt.Errorf("consumers sync: %w", err)
	}
	if fs.NArg() > 0 {
		return exitTrouble, fmt.Errorf("consumers sync: unexpected %q: give files and folders with --dashboards or --rules", fs.Arg(0))
	}
	sources := f.sources()
	if sources.Empty() {
		return exitTrouble, errors.New("consumers sync: nothing to sync: give --dashboards, --rules, --grafana-url or --prometheus-url")
	}
	sources.AllowEmpty = prune
	client := consumerClient(f.catalog)
	batches := sources.Read(ctx)
	var stored []consumers.StoredConsumer
	if !prune && slices.ContainsFunc(batches, func(b consumers.Batch) bool { return !b.Failed }) {
		var err error
		if stored, err = readStoredConsumers(ctx, client, f.catalog); err != nil {
			return exitTrouble, fmt.Errorf("consumers sync: nothing synced: reading what the catalog keeps, to remove none of it by mistake: %w", err)
		}
	}
	var troubles []error
	for _, b := range batches {
		for _, w := range b.Warnings {
			fmt.Fprintf(stderr, "tallycat: %s: %s\n", b.Origin, w)
		}
		for _, p := range b.Ignored {
			fmt.Fprintf(stdout, "%s: ignored (no dashboard or rules): %s\n", b.Origin, p)
		}
		if b.Failed {
			fmt.Fprintf(stdout, "%s: not synced, its stored consumers are kept as they were\n", b.Origin)
			err := fmt.Errorf("%s was not synced: %w", b.Origin, b.Err())
			if errors.Is(err, consumers.ErrEmptyAnswer) {
				err = fmt.Errorf("%w; if it is meant to have none, give --prune", err)
			}
			troubles = append(troubles, err)
			continue
		}
		if !prune {
			if err := b.RefuseRemovals(stored); err != nil {
				fmt.Fprintf(stdout, "%s: not synced, its stored consumers are kept as they were\n", b.Origin)
				troubles = append(troubles, fmt.Errorf("%w; if that is meant, give --prune (or remove the origin with `tallycat consumers forget --origin %s`)", err, b.Origin))
				continue
			}
		}
		if len(b.Errors) > 0 {
			troubles = append(troubles, fmt.Errorf("%s: %d documents could not be read, their stored consumers were kept:\n%w", b.Origin, len(b.Errors), b.Err()))
		}
		req, err := syncRequest(b)
		if err != nil {
			troubles = append(troubles, err)
			continue
		}
		res, err := client.SyncConsumers(ctx, req)
		if err != nil {
			fmt.Fprintf(stdout, "%s: not synced\n", b.Origin)
			troubles = append(troubles, fmt.Errorf("syncing %s: %w", b.Origin, callError(f.catalog, err)))
			continue
		}
		fmt.Fprintf(stdout, "%s: %s: added %d, updated %d, removed %d, unchanged %d, kept %d, unparsed %d\n", b.Origin, plural(len(b.Consumers), "consumer"),
			res.Added, res.Updated, res.Removed, res.Unchanged, res.Kept, res.Unparsed)
	}
	if len(troubles) > 0 {
		return exitTrouble, fmt.Errorf("consumers sync: %w", errors.Join(troubles...))
	}
	return exitOK, nil
}

// readStoredConsumers reads every consumer the catalog keeps, every page
// of ListConsumers, as much as the guard on removals needs.
func readStoredConsumers(ctx context.Context, client tallycatv1connect.ConsumerServiceClient, url string) ([]consumers.StoredConsumer, error) {
	var out []consumers.StoredConsumer
	err := listConsumers(ctx, client, url, func(c *tallycatv1.Consumer) {
		out = append(out, consumers.StoredConsumer{Origin: c.Origin, Source: c.Source, UID: c.Uid})
	})
	return out, err
}

// listConsumers calls each with every consumer the catalog keeps.
func listConsumers(ctx context.Context, client tallycatv1connect.ConsumerServiceClient, url string, each func(*tallycatv1.Consumer)) error {
	for token := ""; ; {
		res, err := client.ListConsumers(ctx, &tallycatv1.ListConsumersRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return callError(url, err)
		}
		for _, c := range res.Consumers {
			each(c)
		}
		if token = res.NextPageToken; token == "" {
			return nil
		}
	}
}

// consumerKinds and consumerFormats are the consumers package's names as
// the API's enums.
var (
	consumerKinds = map[consumers.Kind]tallycatv1.ConsumerKind{
		consumers.Dashboard:     tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD,
		consumers.AlertRule:     tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE,
		consumers.RecordingRule: tallycatv1.ConsumerKind_CONSUMER_KIND_RECORDING_RULE,
	}
	consumerFormats = map[consumers.Format]tallycatv1.ConsumerFormat{
		consumers.GrafanaDashboard:  tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_DASHBOARD,
		consumers.GrafanaAlertRules: tallycatv1.ConsumerFormat_CONSUMER_FORMAT_GRAFANA_ALERT_RULES,
		consumers.PrometheusRules:   tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PROMETHEUS_RULES,
		consumers.PersesDashboard:   tallycatv1.ConsumerFormat_CONSUMER_FORMAT_PERSES_DASHBOARD,
	}
)

// syncRequest is a batch as SyncConsumers takes it: each consumer with its
// queries as read (the catalog parses them itself), and the sources that
// could not be read.
func syncRequest(b consumers.Batch) (*tallycatv1.SyncConsumersRequest, error) {
	req := &tallycatv1.SyncConsumersRequest{Origin: b.Origin, UnreadableSources: b.Unreadable}
	for _, c := range b.Consumers {
		kind, ok := consumerKinds[c.Kind]
		if !ok {
			return nil, fmt.Errorf("%s: %s %q: a kind the API does not know: %q", b.Origin, c.Source, c.Title, c.Kind)
		}
		pc := &tallycatv1.Consumer{Kind: kind, Format: consumerFormats[c.Format], Source: c.Source, Uid: c.UID,
			Title: c.Title, Folder: c.Folder, Notes: c.Notes}
		if len(c.Skipped) > 0 {
			pc.Skipped = make(map[string]int32, len(c.Skipped))
			for k, v := range c.Skipped {
				pc.Skipped[k] = int32(v)
			}
		}
		for _, q := range c.Queries {
			pc.Queries = append(pc.Queries, &tallycatv1.ConsumerQuery{Panel: q.Panel, RefId: q.RefID, Path: q.Path, Line: int32(q.Line),
				Datasource: q.Datasource, Raw: q.Raw, Expr: q.Expr, GroupLabels: q.GroupLabels})
		}
		req.Consumers = append(req.Consumers, pc)
	}
	return req, nil
}
