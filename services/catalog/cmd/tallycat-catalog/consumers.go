package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/tallycat/tallycat/internal/cli"
	readers "github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// appendList is a flag that may be repeated, each value a comma list (so
// that its environment twin can name several).
func appendList(list *[]string) func(string) error {
	return func(v string) error {
		*list = append(*list, cli.SplitList(v)...)
		return nil
	}
}

// checkConsumerSources stops the start on a --consumers-* value that
// cannot work: an interval that is not positive, a path that does not
// exist, a URL that is not http(s). A source that fails later (a file
// that stops parsing, an API down) is logged at each pull instead: the
// catalog keeps serving, and what it could not read is kept.
func checkConsumerSources(c *Config) error {
	if c.ConsumersInterval <= 0 {
		return fmt.Errorf("--consumers-interval: %s, want a positive duration", c.ConsumersInterval)
	}
	for _, f := range []struct {
		flag  string
		paths []string
	}{{"--consumers-dashboards", c.ConsumersDashboards}, {"--consumers-rules", c.ConsumersRules}} {
		for _, p := range f.paths {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("%s: %w", f.flag, err)
			}
		}
	}
	for _, f := range []struct{ flag, url string }{
		{"--consumers-grafana-url", c.ConsumersGrafanaURL}, {"--consumers-prometheus-url", c.ConsumersPrometheusURL},
	} {
		if f.url == "" {
			continue
		}
		u, err := url.Parse(f.url)
		if err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q: want an http:// or https:// URL", f.flag, f.url)
		}
	}
	return nil
}

// consumerPull is the catalog reading dashboards and rules by itself, for
// teams that want no CI step: each origin is synced as `tallycat
// consumers sync` syncs it, with the same rules for what could not be
// read and for what reads as nothing (an API answering with no consumer,
// a sync that would remove all or most of an origin: skipped unless
// prune).
type consumerPull struct {
	sources readers.Sources
	uses    *consumers.Service
	// store says what is stored of each origin, for the guard on
	// removals.
	store catalog.Store
	prune bool
	// leader is the store's, when catalog replicas share it: only the
	// leader pulls, so that a Grafana is read once per interval, not once
	// per replica. Nil: this process is the only one.
	leader catalog.Leader
	every  time.Duration
}

// newConsumerPull returns the pull c asks for, or nil when it names no
// source.
func newConsumerPull(c Config, store catalog.Store, uses *consumers.Service) *consumerPull {
	p := &consumerPull{uses: uses, store: store, prune: c.ConsumersPrune, every: c.ConsumersInterval, sources: readers.Sources{
		Dashboards: c.ConsumersDashboards, Rules: c.ConsumersRules,
		GrafanaURL: c.ConsumersGrafanaURL, GrafanaToken: os.Getenv("TALLYCAT_GRAFANA_TOKEN"),
		PrometheusURL: c.ConsumersPrometheusURL, PrometheusToken: os.Getenv("TALLYCAT_PROMETHEUS_TOKEN"),
		AllowEmpty: c.ConsumersPrune,
	}}
	if p.sources.Empty() {
		return nil
	}
	p.leader, _ = store.(catalog.Leader)
	slog.Info("pulling dashboards and rules", "dashboards", c.ConsumersDashboards, "rules", c.ConsumersRules,
		"grafana", c.ConsumersGrafanaURL, "prometheus", c.ConsumersPrometheusURL, "every", c.ConsumersInterval, "prune", c.ConsumersPrune)
	return p
}

// run pulls at once and then every interval until ctx ends.
func (p *consumerPull) run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		p.pull(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pull reads every source and syncs each origin read. Nothing stops the
// catalog: what failed is logged with its origin, and an origin that
// could not be read whole is not synced, so that its stored consumers stay
// as they were; nor, without prune, is one whose sync would remove all or
// most of them.
func (p *consumerPull) pull(ctx context.Context) {
	if p.leader != nil && !p.leader.Leading(ctx) {
		return
	}
	batches := p.sources.Read(ctx)
	var stored []readers.StoredConsumer
	if !p.prune && slices.ContainsFunc(batches, func(b readers.Batch) bool { return !b.Failed }) {
		var err error
		if stored, err = p.storedConsumers(ctx); err != nil {
			if ctx.Err() == nil {
				slog.Warn("consumers not synced: the stored ones could not be read, to remove none of them by mistake", "error", err)
			}
			return
		}
	}
	for _, b := range batches {
		if ctx.Err() != nil {
			return
		}
		for _, w := range b.Warnings {
			slog.Warn("pulling consumers", "origin", b.Origin, "warning", w)
		}
		for _, err := range b.Errors {
			slog.Warn("pulling consumers: not read", "origin", b.Origin, "error", err)
		}
		if b.Failed {
			if errors.Is(b.Err(), readers.ErrEmptyAnswer) {
				slog.Warn("consumers not synced: the origin answered with none, its stored consumers are kept; if it is meant to have none, start the catalog with --consumers-prune",
					"origin", b.Origin)
				continue
			}
			slog.Warn("consumers not synced: the origin could not be read, its stored consumers are kept", "origin", b.Origin)
			continue
		}
		if !p.prune {
			if err := b.RefuseRemovals(stored); err != nil {
				slog.Warn("consumers not synced, the stored ones are kept: if that is meant, start the catalog with --consumers-prune (or remove the origin with `tallycat consumers forget`)",
					"origin", b.Origin, "refused", err)
				continue
			}
		}
		res, err := p.uses.Sync(ctx, catalogSync(b, time.Now()))
		if err != nil {
			if ctx.Err() == nil {
				slog.Warn("syncing pulled consumers", "origin", b.Origin, "error", err)
			}
			continue
		}
		level := slog.LevelDebug
		if res.Added+res.Updated+res.Removed > 0 {
			level = slog.LevelInfo
		}
		slog.Log(ctx, level, "consumers synced", "origin", b.Origin, "added", res.Added, "updated", res.Updated,
			"removed", res.Removed, "unchanged", res.Unchanged, "kept", res.Kept, "unparsed", res.Unparsed)
	}
}

// storedConsumers are the consumers the catalog keeps, as the guard on
// removals reads them.
func (p *consumerPull) storedConsumers(ctx context.Context) ([]readers.StoredConsumer, error) {
	all, err := p.store.ListConsumers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]readers.StoredConsumer, len(all))
	for i, c := range all {
		out[i] = readers.StoredConsumer{Origin: c.Origin, Source: c.Source, UID: c.UID}
	}
	return out, nil
}

// catalogSync is a batch as the catalog keeps it: each consumer with its
// queries as read (the catalog parses them itself when it reads them).
func catalogSync(b readers.Batch, at time.Time) catalog.ConsumerSync {
	s := catalog.ConsumerSync{Origin: b.Origin, Unreadable: b.Unreadable, At: at}
	for _, c := range b.Consumers {
		cc := catalog.Consumer{Kind: string(c.Kind), Format: string(c.Format), Source: c.Source, UID: c.UID, Title: c.Title,
			Folder: c.Folder, Body: catalog.ConsumerBody{Skipped: c.Skipped, Notes: c.Notes}}
		for _, q := range c.Queries {
			cc.Body.Queries = append(cc.Body.Queries, catalog.ConsumerQuery{Panel: q.Panel, RefID: q.RefID, Path: q.Path, Line: q.Line,
				Datasource: q.Datasource, Raw: q.Raw, Expr: q.Expr, GroupLabels: q.GroupLabels})
		}
		s.Consumers = append(s.Consumers, cc)
	}
	return s
}
