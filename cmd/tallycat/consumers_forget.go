package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// originSummary is what `consumers list` says of an origin.
type originSummary struct {
	origin                    string
	dashboards, alerts, rules int
	// changed is when the last of its consumers changed or was first
	// synced.
	changed time.Time
}

func (o originSummary) total() int { return o.dashboards + o.alerts + o.rules }

// readOrigins reads the origins the catalog keeps consumers of, sorted.
func readOrigins(ctx context.Context, client tallycatv1connect.ConsumerServiceClient, url string) ([]originSummary, error) {
	by := map[string]*originSummary{}
	err := listConsumers(ctx, client, url, func(c *tallycatv1.Consumer) {
		o := by[c.Origin]
		if o == nil {
			o = &originSummary{origin: c.Origin}
			by[c.Origin] = o
		}
		switch c.Kind {
		case tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD:
			o.dashboards++
		case tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE:
			o.alerts++
		default:
			o.rules++
		}
		if t := c.SyncedAt.AsTime(); c.SyncedAt != nil && t.After(o.changed) {
			o.changed = t
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]originSummary, 0, len(by))
	for _, o := range by {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b originSummary) int { return cmp.Compare(a.origin, b.origin) })
	return out, nil
}

// consumersList prints the origins the catalog keeps consumers of, with
// how many of each kind and when one last changed: what `consumers
// forget` can remove. It is a command of its own rather than a flag of
// `consumers check`, whose exit code is a gate's; this one only lists.
func consumersList(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("tallycat consumers list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	if err := fs.Parse(args); err != nil {
		return exitTrouble, fmt.Errorf("consumers list: %w", err)
	}
	if fs.NArg() > 0 {
		return exitTrouble, fmt.Errorf("consumers list: unexpected %q", fs.Args())
	}
	origins, err := readOrigins(ctx, consumerClient(*url), *url)
	if err != nil {
		return exitTrouble, fmt.Errorf("consumers list: %w", err)
	}
	if len(origins) == 0 {
		fmt.Fprintf(stdout, "the catalog at %s keeps no consumers\n", *url)
		return exitOK, nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ORIGIN\tCONSUMERS\tDASHBOARDS\tALERT RULES\tRECORDING RULES\tLAST CHANGED")
	for _, o := range origins {
		changed := "-"
		if !o.changed.IsZero() {
			changed = o.changed.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%s\n", o.origin, o.total(), o.dashboards, o.alerts, o.rules, changed)
	}
	return exitOK, w.Flush()
}

// consumersForget removes every consumer the catalog keeps of one origin:
// a sync of the origin with no consumers. It is for an origin nothing
// syncs any more, a path or URL whose spelling changed, whose consumers
// no sync would otherwise ever remove. An origin the catalog keeps
// nothing of is trouble, not a quiet success, since it is most likely
// misspelt: the error lists the origins there are.
func consumersForget(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("tallycat consumers forget", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	origin := fs.String("origin", "", "the origin whose consumers to remove, as `tallycat consumers list` prints it")
	if err := fs.Parse(args); err != nil {
		return exitTrouble, fmt.Errorf("consumers forget: %w", err)
	}
	if fs.NArg() > 0 {
		return exitTrouble, fmt.Errorf("consumers forget: unexpected %q", fs.Args())
	}
	if *origin == "" {
		return exitTrouble, errors.New("consumers forget: give --origin, as `tallycat consumers list` prints it")
	}
	client := consumerClient(*url)
	origins, err := readOrigins(ctx, client, *url)
	if err != nil {
		return exitTrouble, fmt.Errorf("consumers forget: %w", err)
	}
	i := slices.IndexFunc(origins, func(o originSummary) bool { return o.origin == *origin })
	if i < 0 {
		var names []string
		for _, o := range origins {
			names = append(names, o.origin)
		}
		return exitTrouble, fmt.Errorf("consumers forget: the catalog at %s keeps no consumer of origin %q; it keeps these origins: %s",
			*url, *origin, cmp.Or(strings.Join(names, ", "), "none"))
	}
	res, err := client.SyncConsumers(ctx, &tallycatv1.SyncConsumersRequest{Origin: *origin})
	if err != nil {
		return exitTrouble, fmt.Errorf("consumers forget %s: %w", *origin, callError(*url, err))
	}
	fmt.Fprintf(stdout, "%s: removed %s\n", *origin, plural(int(res.Removed), "consumer"))
	return exitOK, nil
}
